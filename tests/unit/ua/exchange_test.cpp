// The user agent's exchange on a fake clock (RFC 3261 §17.1.2, §22.2; RFC 6665 §4.1.2.4).
#include "ua/exchange.hpp"

#include <gtest/gtest.h>

#include "sip/headers.hpp"
#include "sip/parser.hpp"
#include "sip/response.hpp"

namespace sipcred::ua {
namespace {

using namespace std::chrono_literals;

sip::Message parse(const std::string& s) {
  auto m = sip::parse_datagram(s);
  EXPECT_TRUE(m) << s;
  return m ? std::move(*m) : sip::Message{};
}

sip::Message reply(const std::string& request, int status,
                   std::vector<std::pair<sip::HeaderId, std::string>> headers = {}) {
  sip::Message r = sip::make_response(parse(request), status, {}, "srv1");
  for (auto& [id, v] : headers) r.add(id, v);
  return parse(r.serialize());
}

RequestSpec publish_spec() {
  RequestSpec s;
  s.method = "PUBLISH";
  s.request_uri = "sip:alice@example.com";
  s.event = "credential";
  s.credentials = auth::ClientCredentials{"alice", std::string{"wonderland"}, {}};
  return s;
}

ExchangeConfig udp() {
  return ExchangeConfig{.transport = "UDP", .sent_by = "192.0.2.1:5060"};
}

TEST(Exchange, AnswersAChallengeOnceWithAHigherCSeq) {
  Exchange ex{publish_spec(), udp()};
  auto first = ex.start(TimePoint{});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(*parse(first[0]).first(sip::HeaderId::cseq), "1 PUBLISH");
  auto retry = ex.on_message(
      reply(first[0], 401,
            {{sip::HeaderId::www_authenticate,
              "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=MD5"}}),
      TimePoint{10ms});
  ASSERT_EQ(retry.size(), 1u);
  sip::Message again = parse(retry[0]);
  EXPECT_EQ(*again.first(sip::HeaderId::cseq), "2 PUBLISH");  // RFC 3261 §22.2
  EXPECT_TRUE(again.first(sip::HeaderId::authorization));
  EXPECT_NE(*again.first(sip::HeaderId::via), *parse(first[0]).first(sip::HeaderId::via));
  // A second 401 is final: the credentials were refused.
  ex.on_message(reply(retry[0], 401,
                      {{sip::HeaderId::www_authenticate,
                        "Digest realm=\"example.com\", nonce=\"abd\", qop=\"auth\""}}),
                TimePoint{20ms});
  EXPECT_EQ(ex.state(), Exchange::State::failed);
  EXPECT_EQ(ex.response()->status(), 401);
}

TEST(Exchange, ProxyChallengeIsAnsweredInProxyAuthorization) {
  Exchange ex{publish_spec(), udp()};
  auto first = ex.start(TimePoint{});
  auto retry = ex.on_message(reply(first[0], 407,
                                   {{sip::HeaderId::proxy_authenticate,
                                     "Digest realm=\"proxy\", nonce=\"n\", qop=\"auth\""}}),
                             TimePoint{});
  ASSERT_EQ(retry.size(), 1u);
  sip::Message again = parse(retry[0]);
  EXPECT_TRUE(again.first(sip::HeaderId::proxy_authorization));  // RFC 3261 §22.3
  EXPECT_FALSE(again.first(sip::HeaderId::authorization));
  ex.on_message(reply(retry[0], 200, {{sip::HeaderId::sip_etag, "e1"}}), TimePoint{});
  EXPECT_EQ(ex.state(), Exchange::State::done);
}

TEST(Exchange, UdpRetransmitsAndGivesUpAtTimerF) {
  Exchange ex{publish_spec(), udp()};
  ex.start(TimePoint{});
  int sent = 0;
  while (auto d = ex.next_deadline()) sent += static_cast<int>(ex.on_timer(*d).size());
  EXPECT_EQ(sent, 10);  // 0.5, 1.5, 3.5, 7.5, 11.5 … 31.5 s
  EXPECT_EQ(ex.state(), Exchange::State::failed);
  EXPECT_NE(ex.error().find("Timer F"), std::string::npos);
}

TEST(Exchange, SubscribeTakesTheNotifyBeforeOrAfterTheResponse) {
  // RFC 6665 §4.1.2.4: the NOTIFY may overtake the 2xx.
  RequestSpec s;
  s.method = "SUBSCRIBE";
  s.request_uri = "sip:bob@example.com";
  s.event = "certificate";
  Exchange ex{s, udp()};
  auto first = ex.start(TimePoint{});
  sip::Message req = parse(first[0]);
  std::string from{*req.first(sip::HeaderId::from)};
  std::string notify =
      "NOTIFY sip:192.0.2.1:5060 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKn1\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:bob@example.com>;tag=srv1\r\n"
      "To: " +
      from +
      "\r\n"
      "Call-ID: " +
      std::string{*req.first(sip::HeaderId::call_id)} +
      "\r\n"
      "CSeq: 1 NOTIFY\r\n"
      "Event: certificate\r\n"
      "Subscription-State: terminated;reason=timeout\r\n"
      "Content-Type: application/pkix-cert\r\n"
      "Content-Length: 4\r\n\r\nDER!";
  auto ok = ex.on_message(parse(notify), TimePoint{});
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(parse(ok[0]).status(), 200);
  EXPECT_EQ(ex.state(), Exchange::State::running);
  ex.on_message(reply(first[0], 200), TimePoint{});
  EXPECT_EQ(ex.state(), Exchange::State::done);
  ASSERT_EQ(ex.notifies().size(), 1u);
  EXPECT_EQ(ex.notifies()[0].body(), "DER!");
  // A NOTIFY of some other dialog is refused (RFC 6665 §4.1.3: 481).
  std::string stray = notify;
  stray.replace(stray.find("Call-ID: "), 9, "Call-ID: x");
  EXPECT_EQ(parse(ex.on_message(parse(stray), TimePoint{})[0]).status(), 481);
}

}  // namespace
}  // namespace sipcred::ua
