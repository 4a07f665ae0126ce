// libFuzzer entry point; the corpus in tests/fuzz/corpus/sip_parser/ is replayed by the unit tests.
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sipcred::fuzz::sip_parser(data, size);
}
