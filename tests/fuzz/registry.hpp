// Fuzz targets register themselves by name; a target is one file in tests/fuzz/targets/ and its
// corpus is tests/fuzz/corpus/<name>/. The same registry feeds the libFuzzer executables (one per
// target, `fuzz` preset) and the corpus replay of the ordinary tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace sipcred::fuzz {

using Target = int (*)(const uint8_t* data, size_t size);

inline std::map<std::string, Target>& registry() {
  static std::map<std::string, Target> targets;
  return targets;
}

struct Registration {
  Registration(const char* name, Target fn) { registry()[name] = fn; }
};

// A broken property is a finding: say which and abort, so the fuzzer keeps the input.
inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property broken: %s\n", what);
    std::abort();
  }
}

}  // namespace sipcred::fuzz

// Defines and registers a target:  SIPCRED_FUZZ_TARGET(uri) { ... return 0; }
#define SIPCRED_FUZZ_TARGET(name)                                                                  \
  static int sipcred_fuzz_##name(const uint8_t* data, size_t size);                                \
  static const ::sipcred::fuzz::Registration sipcred_fuzz_reg_##name{#name, &sipcred_fuzz_##name}; \
  static int sipcred_fuzz_##name(const uint8_t* data, size_t size)
