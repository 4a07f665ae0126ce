#include "sip/parser.hpp"

#include <gtest/gtest.h>

#include "sip/headers.hpp"

namespace sipcred::sip {
namespace {

const std::string kOptions =
    "OPTIONS sip:carol@chicago.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:carol@chicago.com>\r\n"
    "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 63104 OPTIONS\r\n"
    "Contact: <sip:alice@pc33.atlanta.com>\r\n"
    "Accept: application/sdp\r\n"
    "Content-Length: 0\r\n"
    "\r\n";  // RFC 3261 §11.1

TEST(Parser, StreamFramesBackToBackMessagesAndKeepAlives) {
  std::string stream = "\r\n" + kOptions + "\r\n\r\n" + kOptions;
  Parser p;
  std::string_view in = stream;
  int messages = 0, pings = 0;
  while (!in.empty()) {
    auto step = p.feed(in);
    in.remove_prefix(step.consumed);
    if (step.status == ParseStatus::done) {
      Message m = p.take();
      EXPECT_EQ(m.method(), "OPTIONS");
      ++messages;
    } else if (step.status == ParseStatus::ping) {
      ++pings;
    } else {
      ASSERT_NE(step.status, ParseStatus::invalid) << step.reason;
    }
  }
  EXPECT_EQ(messages, 2);
  EXPECT_EQ(pings, 1);  // "\r\n\r\n" between the messages is an RFC 5626 §3.5.1 ping
}

TEST(Parser, BodyFramedByContentLength) {
  std::string msg = kOptions;
  msg.replace(msg.find("Content-Length: 0"), 17, "Content-Length: 5");
  msg += "helloNEXT";
  Parser p;
  auto step = p.feed(msg);
  ASSERT_EQ(step.status, ParseStatus::done);
  EXPECT_EQ(step.consumed, msg.size() - 4);
  EXPECT_EQ(p.take().body(), "hello");
}

TEST(Parser, StreamLimits) {
  ParserLimits small{512, 8, 16, 128};
  {
    Parser p{small};
    std::string huge = "OPTIONS sip:a@b SIP/2.0\r\nX: " + std::string(600, 'a');
    auto step = p.feed(huge);
    EXPECT_EQ(step.status, ParseStatus::invalid);
    EXPECT_EQ(step.status_code, 513);
  }
  {
    Parser p{small};
    std::string msg = kOptions;
    msg.replace(msg.find("Content-Length: 0"), 17, "Content-Length: 17");
    auto step = p.feed(msg);
    EXPECT_EQ(step.status, ParseStatus::invalid);
    EXPECT_EQ(step.status_code, 513);
  }
  {
    Parser p{ParserLimits{16 * 1024, 4, 1024, 1024}};
    auto step = p.feed(kOptions);  // 9 header fields
    EXPECT_EQ(step.status, ParseStatus::invalid);
    EXPECT_EQ(step.reason, "too many header fields");
  }
}

TEST(Parser, StreamContentLengthProblemsAreFatal) {
  for (const char* cl :
       {"Content-Length: -1", "Content-Length: 1x", "Content-Length: 99999999999"}) {
    std::string msg = kOptions;
    msg.replace(msg.find("Content-Length: 0"), 17, cl);
    Parser p;
    auto step = p.feed(msg);
    EXPECT_EQ(step.status, ParseStatus::invalid) << cl;
    EXPECT_EQ(step.status_code, 400) << cl;
  }
  std::string two = kOptions;
  two.insert(two.find("Content-Length: 0"), "Content-Length: 4\r\n");
  Parser p;
  EXPECT_EQ(p.feed(two).status, ParseStatus::invalid);
}

TEST(Parser, StreamWithoutContentLengthIsADefect) {
  std::string msg = kOptions;
  msg.erase(msg.find("Content-Length: 0\r\n"), 19);
  Parser p;
  ASSERT_EQ(p.feed(msg).status, ParseStatus::done);
  EXPECT_EQ(p.take().defect(), "missing Content-Length on a stream transport");
}

TEST(Parser, DatagramRules) {
  // RFC 3261 §18.3: octets beyond Content-Length are discarded; a shorter body is a defect.
  std::string msg = kOptions;
  msg.replace(msg.find("Content-Length: 0"), 17, "Content-Length: 3");
  auto ok = parse_datagram(msg + "abcdef");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body(), "abc");
  auto short_body = parse_datagram(msg + "ab");
  ASSERT_TRUE(short_body);
  EXPECT_EQ(short_body->defect(), "Content-Length larger than the datagram's body");
  // No Content-Length in a datagram: the body is the rest of the datagram.
  std::string nocl = kOptions;
  nocl.erase(nocl.find("Content-Length: 0\r\n"), 19);
  auto rest = parse_datagram(nocl + "xyz");
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->body(), "xyz");
  EXPECT_TRUE(rest->defect().empty());
  EXPECT_FALSE(parse_datagram("\r\n\r\n"));
  EXPECT_FALSE(parse_datagram("garbage\r\n\r\n"));
  EXPECT_FALSE(parse_datagram("SIP/2.0 2000 OK\r\n\r\n"));
  auto leading = parse_datagram(" OPTIONS sip:a@b SIP/2.0\r\n\r\n");
  ASSERT_TRUE(leading);
  EXPECT_EQ(leading->defect(), "extra white space in the Request-Line");
}

TEST(Parser, FoldedHeadersAreUnfoldedInPlace) {
  auto m = parse_datagram(
      "OPTIONS sip:a@b.example SIP/2.0\r\n"
      "Subject: I know you're there,\r\n"
      "         pick up the phone\r\n"
      "         and talk to me!\r\n"
      "l: 0\r\n\r\n");  // RFC 3261 §7.3.1's folding example
  ASSERT_TRUE(m);
  auto subject = std::string{*m->first(HeaderId::subject)};
  EXPECT_EQ(subject.find('\r'), std::string::npos);
  EXPECT_EQ(subject.find('\n'), std::string::npos);
  // LWS is equivalent to one SP: collapse runs to compare.
  std::string collapsed;
  for (char c : subject) {
    if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
    collapsed += c;
  }
  EXPECT_EQ(collapsed, "I know you're there, pick up the phone and talk to me!");
}

TEST(Parser, SerializeUsesCanonicalNames) {
  auto m = parse_datagram(
      "OPTIONS sip:a@b.example SIP/2.0\r\nv: SIP/2.0/UDP h.example;branch=z9hG4bK1, "
      "SIP/2.0/UDP g.example\r\ni: x@y\r\nX-Custom: 1\r\nl: 0\r\n\r\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->serialize(),
            "OPTIONS sip:a@b.example SIP/2.0\r\n"
            "Via: SIP/2.0/UDP h.example;branch=z9hG4bK1\r\n"
            "Via: SIP/2.0/UDP g.example\r\n"
            "Call-ID: x@y\r\n"
            "X-Custom: 1\r\n"
            "Content-Length: 0\r\n\r\n");
}

TEST(Parser, BuildsMessages) {
  Message m = Message::request("SUBSCRIBE", "sip:bob@example.com");
  m.add(HeaderId::event, "certificate");
  m.add("x-extra", "1");
  m.set_body("abc");
  EXPECT_EQ(m.serialize(),
            "SUBSCRIBE sip:bob@example.com SIP/2.0\r\nEvent: certificate\r\nx-extra: 1\r\n"
            "Content-Length: 3\r\n\r\nabc");
  Message r = Message::response(400, "Bad\r\nInjected: yes");
  EXPECT_EQ(r.reason(), "Bad  Injected: yes");  // no CR/LF can reach the wire
}

}  // namespace
}  // namespace sipcred::sip
