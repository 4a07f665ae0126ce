# The fuzz target bodies, shared by the libFuzzer executables and the corpus replay test.
add_library(fuzz_targets STATIC ${CMAKE_SOURCE_DIR}/tests/fuzz/targets.cpp)
target_include_directories(fuzz_targets PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(fuzz_targets PUBLIC sipcred_service)
