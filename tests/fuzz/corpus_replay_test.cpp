// Replays every file of each fuzz corpus through its target as an ordinary test (STYLE.md §4),
// so what the fuzzer found once stays covered, under ASan and UBSan.
#include <gtest/gtest.h>

#include <filesystem>

#include "fuzz/targets.hpp"
#include "support/files.hpp"

namespace sipcred::fuzz {
namespace {

size_t replay(const std::string& name, int (*target)(const uint8_t*, size_t)) {
  auto dir = std::filesystem::path{SIPCRED_SOURCE_DIR} / "tests/fuzz/corpus" / name;
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator{dir}) {
    if (!e.is_regular_file()) continue;
    std::string bytes = test::read_file(e.path());
    target(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++n;
  }
  return n;
}

TEST(FuzzCorpus, SipParser) {
  EXPECT_GT(replay("sip_parser", &sip_parser), 40u);
}
TEST(FuzzCorpus, Uri) {
  EXPECT_GT(replay("uri", &uri), 10u);
}
TEST(FuzzCorpus, NameAddr) {
  EXPECT_GT(replay("name_addr", &name_addr), 10u);
}

}  // namespace
}  // namespace sipcred::fuzz
