// libFuzzer entry point; the corpus in tests/fuzz/corpus/name_addr/ is replayed by the unit tests.
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sipcred::fuzz::name_addr(data, size);
}
