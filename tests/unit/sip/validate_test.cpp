#include "sip/validate.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "sip/parser.hpp"
#include "support/files.hpp"

namespace sipcred::sip {
namespace {

const std::string kBase =
    "OPTIONS sip:carol@chicago.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:carol@chicago.com>\r\n"
    "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 63104 OPTIONS\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

Verdict verdict_without(const std::string& header_line) {
  std::string msg = kBase;
  msg.erase(msg.find(header_line), header_line.size() + 2);
  auto m = parse_datagram(msg);
  EXPECT_TRUE(m);
  return validate_request(*m);
}

Verdict verdict_with(const std::string& from, const std::string& to) {
  std::string msg = kBase;
  msg.replace(msg.find(from), from.size(), to);
  auto m = parse_datagram(msg);
  EXPECT_TRUE(m) << msg;
  return m ? validate_request(*m) : Verdict{-1, "unparsed"};
}

TEST(Validate, WellFormedRequestPasses) {
  auto m = parse_datagram(kBase);
  ASSERT_TRUE(m);
  EXPECT_TRUE(validate_request(*m).ok());
}

TEST(Validate, MissingMandatoryHeadersAreNamed) {
  // RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards, Via.
  const std::pair<const char*, const char*> cases[] = {
      {"To: <sip:carol@chicago.com>", "Missing To header"},
      {"From: Alice <sip:alice@atlanta.com>;tag=1928301774", "Missing From header"},
      {"Call-ID: a84b4c76e66710", "Missing Call-ID header"},
      {"CSeq: 63104 OPTIONS", "Missing CSeq header"},
      {"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877", "Missing Via header"},
      {"Max-Forwards: 70", "Missing Max-Forwards header"},
  };
  for (auto [line, reason] : cases) {
    Verdict v = verdict_without(line);
    EXPECT_EQ(v.status, 400) << line;
    EXPECT_EQ(v.reason, reason);
  }
}

TEST(Validate, SpecificProblems) {
  EXPECT_EQ(verdict_with("CSeq: 63104 OPTIONS", "CSeq: 63104 INVITE").reason,
            "CSeq method does not match the request method");
  EXPECT_EQ(verdict_with("SIP/2.0\r\nVia", "SIP/3.0\r\nVia").status, 505);
  EXPECT_EQ(verdict_with("sip:carol@chicago.com SIP", "mailto:carol@chicago.com SIP").status, 416);
  EXPECT_EQ(verdict_with("sip:carol@chicago.com SIP", "sip:carol@ SIP").status, 400);
  EXPECT_EQ(verdict_with("Max-Forwards: 70", "Max-Forwards: 256").reason,
            "Malformed Max-Forwards header: number out of range");
  EXPECT_EQ(verdict_with("Call-ID: a84b4c76e66710", "Call-ID: a\r\nCall-ID: b").reason,
            "Multiple Call-ID headers");
  EXPECT_EQ(verdict_with("Content-Length: 0\r\n\r\n", "Content-Length: 2\r\n\r\nab").reason,
            "Missing Content-Type for a message body");
  EXPECT_EQ(verdict_with("OPTIONS sip:carol@chicago.com SIP/2.0",
                         "OPTIONS sip:carol@chicago.com  SIP/2.0")
                .reason,
            "Bad Request: extra white space in the Request-Line");
  EXPECT_TRUE(verdict_with("SIP/2.0\r\nVia", "sip/2.0\r\nVia").ok());  // case-insensitive (§7.1)
}

TEST(Validate, Responses) {
  auto r = parse_datagram(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h.example;branch=z9hG4bK1\r\nTo: "
      "<sip:a@b.example>;tag=1\r\n"
      "From: <sip:c@d.example>;tag=2\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: "
      "0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_TRUE(validate_response(*r).ok());
}

// The top Via and CSeq parsed once (for transaction matching) and handed to the validator: the
// same verdict as without them for every message of RFC 4475 §3 and RFC 3261 §24
// (tests/data/sip/), and what the checks parsed on the way is kept.
TEST(Validate, RequestHeadsGiveTheSameVerdicts) {
  size_t requests = 0;
  for (const char* folder : {"rfc4475", "rfc3261"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(test::data_dir() / "sip" / folder)) {
      if (entry.path().extension() != ".sip") continue;
      auto m = parse_datagram(test::read_file(entry.path()));
      if (!m || !m->is_request()) continue;
      ++requests;
      RequestHeads heads = parse_request_heads(*m);
      Verdict plain = validate_request(*m);
      Verdict shared = validate_request(*m, &heads);
      EXPECT_EQ(plain.status, shared.status) << entry.path();
      EXPECT_EQ(plain.reason, shared.reason) << entry.path();
    }
  }
  EXPECT_GT(requests, 30u);
}

TEST(Validate, RequestHeadsKeepWhatWasParsed) {
  std::string msg = kBase;
  msg.replace(msg.find("Content-Length"), 0, "Event: presence;id=7\r\n");
  auto m = parse_datagram(msg);
  ASSERT_TRUE(m);
  RequestHeads heads = parse_request_heads(*m);
  ASSERT_TRUE(heads.top_via);
  EXPECT_EQ(heads.top_via->branch(), "z9hG4bKhjhs8ass877");
  EXPECT_EQ(heads.top_via->host.text, "pc33.atlanta.com");
  ASSERT_TRUE(heads.cseq);
  EXPECT_EQ(heads.cseq->number, 63104u);
  EXPECT_EQ(heads.cseq->method, "OPTIONS");
  EXPECT_FALSE(heads.to_has_tag);
  EXPECT_TRUE(validate_request(*m, &heads).ok());
  EXPECT_EQ(heads.to_has_tag, false);  // RFC 3261 §8.2.6.2: the UAS adds one
  ASSERT_TRUE(heads.event);
  EXPECT_EQ(heads.event->package, "presence");
  EXPECT_EQ(heads.event->id(), "7");
}

TEST(Validate, RequestHeadsOfAnUnparseableTopVia) {
  std::string msg = kBase;
  msg.replace(msg.find("SIP/2.0/UDP pc33"), 11, "SIP/2.0/UDP;");
  auto m = parse_datagram(msg);
  ASSERT_TRUE(m);
  RequestHeads heads = parse_request_heads(*m);
  EXPECT_FALSE(heads.top_via);
  Verdict v = validate_request(*m, &heads);
  EXPECT_EQ(v.status, 400);
  EXPECT_EQ(v.reason.rfind("Malformed Via header", 0), 0u) << v.reason;
}

}  // namespace
}  // namespace sipcred::sip
