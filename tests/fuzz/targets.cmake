# Every tests/fuzz/targets/<name>.cpp is a target. An OBJECT library keeps the self-registering
# objects from being dropped by the linker.
file(GLOB fuzz_target_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/targets/*.cpp)
add_library(fuzz_targets OBJECT ${fuzz_target_srcs})
target_include_directories(fuzz_targets PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(fuzz_targets PUBLIC sipcred_app)
