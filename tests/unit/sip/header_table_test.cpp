#include "sip/header_table.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/files.hpp"

namespace sipcred::sip {
namespace {

TEST(HeaderTable, CompactForms) {
  // RFC 3261 §7.3.3 and §20; "o" and "u" RFC 6665 §8.4 (was RFC 3265); "y" and "n" RFC 4474 §12.
  const std::pair<char, HeaderId> compact[] = {{'v', HeaderId::via},
                                               {'f', HeaderId::from},
                                               {'t', HeaderId::to},
                                               {'i', HeaderId::call_id},
                                               {'m', HeaderId::contact},
                                               {'l', HeaderId::content_length},
                                               {'c', HeaderId::content_type},
                                               {'s', HeaderId::subject},
                                               {'k', HeaderId::supported},
                                               {'o', HeaderId::event},
                                               {'e', HeaderId::content_encoding},
                                               {'u', HeaderId::allow_events},
                                               {'y', HeaderId::identity},
                                               {'n', HeaderId::identity_info}};
  for (auto [c, id] : compact) {
    EXPECT_EQ(lookup_header(std::string(1, c)), id) << c;
    EXPECT_EQ(lookup_header(std::string(1, static_cast<char>(c - 32))), id) << c;
  }
  EXPECT_EQ(lookup_header("x"), HeaderId::unknown);
}

TEST(HeaderTable, LongNamesCaseInsensitive) {
  EXPECT_EQ(lookup_header("MaX-fOrWaRdS"), HeaderId::max_forwards);
  EXPECT_EQ(lookup_header("sip-etag"), HeaderId::sip_etag);
  EXPECT_EQ(lookup_header("SIP-If-Match"), HeaderId::sip_if_match);
  EXPECT_EQ(lookup_header("WWW-Authenticate"), HeaderId::www_authenticate);
  EXPECT_EQ(lookup_header("NewFangledHeader"), HeaderId::unknown);
  EXPECT_EQ(lookup_header(""), HeaderId::unknown);
  EXPECT_EQ(lookup_header("1x"), HeaderId::unknown);
}

TEST(HeaderTable, EveryEntryIsComplete) {
  for (const auto& h : header_table()) {
    EXPECT_EQ(lookup_header(h.name), h.id) << h.name;
    EXPECT_FALSE(h.syntax.empty()) << h.name;
    EXPECT_EQ(h.rfc.substr(0, 4), "RFC ") << h.name;
  }
}

// docs/sip-headers.md is rendered from the table, so the list in docs/ can never drift from the
// code. SIPCRED_UPDATE_DOCS=1 rewrites it.
TEST(HeaderTable, DocsListIsCurrent) {
  std::string md =
      "# SIP headers sipcred knows\n\n"
      "Rendered from `src/sip/header_table.cpp` by the test `HeaderTable.DocsListIsCurrent`\n"
      "(`SIPCRED_UPDATE_DOCS=1 ./build/asan-ubsan/tests/unit/unit_tests "
      "--gtest_filter=HeaderTable.*` rewrites it). A *list* header's comma-separated values are\n"
      "separate fields (RFC 3261 §7.3.1); a *multi* header repeats but is never split on commas.\n"
      "Any other header is kept, in order, as opaque text.\n\n"
      "| header | compact | kind | syntax | checked | defined in |\n|---|---|---|---|---|---|\n";
  for (const auto& h : header_table()) {
    const char* kind = h.kind == HeaderKind::list    ? "list"
                       : h.kind == HeaderKind::multi ? "multi"
                                                     : "single";
    md += "| " + std::string{h.name} + " | " + (h.compact ? std::string(1, h.compact) : "") +
          " | " + kind + " | `" + std::string{h.syntax} + "` | " +
          (h.check ? "yes" : "kept as text") + " | " + std::string{h.rfc} + " |\n";
  }
  auto path = std::filesystem::path{SIPCRED_SOURCE_DIR} / "docs" / "sip-headers.md";
  if (const char* update = std::getenv("SIPCRED_UPDATE_DOCS");
      update && std::string{update} == "1") {
    std::ofstream{path, std::ios::binary} << md;
  }
  EXPECT_EQ(test::read_file(path), md)
      << "docs/sip-headers.md is stale: rerun with SIPCRED_UPDATE_DOCS=1";
}

}  // namespace
}  // namespace sipcred::sip
