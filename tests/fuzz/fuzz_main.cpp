// libFuzzer entry point of one target, chosen at build time (SIPCRED_FUZZ_TARGET_NAME).
#include "fuzz/registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sipcred::fuzz::Target target =
      sipcred::fuzz::registry().at(SIPCRED_FUZZ_TARGET_NAME);
  return target(data, size);
}
