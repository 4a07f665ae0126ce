// Fuzz targets over every parser of untrusted bytes. Each is a plain function so that the same
// code runs under libFuzzer (tests/fuzz/*_fuzz.cpp, the `fuzz` preset) and as the corpus replay
// of the ordinary tests (corpus_replay_test.cpp). A target returns 0; a broken property aborts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipcred::fuzz {

int sip_parser(const uint8_t* data, size_t size);
int uri(const uint8_t* data, size_t size);
int name_addr(const uint8_t* data, size_t size);

}  // namespace sipcred::fuzz
