// Replays every file of each fuzz corpus through its target as an ordinary test (STYLE.md §4),
// so what the fuzzer found once stays covered, under ASan and UBSan. Every registered target
// must have a seeded corpus.
#include <gtest/gtest.h>

#include <filesystem>

#include "fuzz/registry.hpp"
#include "support/files.hpp"

namespace sipcred::fuzz {
namespace {

TEST(FuzzCorpus, EveryTargetReplaysItsCorpus) {
  ASSERT_GE(registry().size(), 3u);
  for (const auto& [name, target] : registry()) {
    auto dir = std::filesystem::path{SIPCRED_SOURCE_DIR} / "tests/fuzz/corpus" / name;
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << "no corpus for fuzz target " << name;
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator{dir}) {
      if (!e.is_regular_file()) continue;
      std::string bytes = test::read_file(e.path());
      target(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++n;
    }
    EXPECT_GE(n, 10u) << "corpus of " << name << " has fewer than 10 inputs";
  }
}

}  // namespace
}  // namespace sipcred::fuzz
