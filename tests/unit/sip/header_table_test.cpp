#include "sip/header_table.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sipcred::sip
