#include "service/endpoint.hpp"

#include <gtest/gtest.h>

#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/parser.hpp"

namespace sipcred::service {
namespace {

const std::string kOptions =
    "OPTIONS sip:carol@chicago.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877\r\n"
    "Via: SIP/2.0/UDP proxy.atlanta.com;branch=z9hG4bKfirst\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:carol@chicago.com>\r\n"
    "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 63104 OPTIONS\r\n"
    "Accept: application/sdp\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

sip::Message answer(Endpoint& ep, const std::string& request, const Peer& from) {
  auto req = sip::parse_datagram(request);
  EXPECT_TRUE(req);
  auto out = ep.on_message(*req, from, TimePoint{});
  EXPECT_EQ(out.size(), 1u);
  if (out.empty()) return {};
  auto resp = sip::parse_datagram(out[0].bytes);
  EXPECT_TRUE(resp);
  return std::move(*resp);
}

TEST(Endpoint, AnswersOptions) {
  // RFC 3261 §11.2 and §8.2.6.
  Endpoint ep{EndpointConfig{.allow = {"OPTIONS", "SUBSCRIBE"}, .seed = 3}};
  sip::Message r = answer(ep, kOptions, {"192.0.2.10", 5060, Transport::udp});
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.all(sip::HeaderId::allow), (std::vector<std::string_view>{"OPTIONS", "SUBSCRIBE"}));
  EXPECT_EQ(r.count(sip::HeaderId::via), 2u);
  EXPECT_EQ(*r.first(sip::HeaderId::call_id), "a84b4c76e66710");
  EXPECT_EQ(*r.first(sip::HeaderId::cseq), "63104 OPTIONS");
  auto to = sip::parse_name_addr(*r.first(sip::HeaderId::to));
  ASSERT_TRUE(to);
  EXPECT_FALSE(to->tag().empty());
  auto from = sip::parse_name_addr(*r.first(sip::HeaderId::from));
  EXPECT_EQ(from->tag(), "1928301774");
  EXPECT_TRUE(r.first(sip::HeaderId::accept).has_value());
  EXPECT_TRUE(r.first(sip::HeaderId::supported).has_value());
  EXPECT_EQ(*r.first(sip::HeaderId::content_length), "0");
}

TEST(Endpoint, RefusesWhatItDoesNotServe) {
  Endpoint ep{EndpointConfig{.seed = 3}};
  auto with_method = [](std::string m) {
    std::string s = kOptions;
    s.replace(0, 7, m);
    s.replace(s.find("63104 OPTIONS"), 13, "63104 " + m);
    return s;
  };
  Peer peer{"192.0.2.10", 5060, Transport::tcp};
  sip::Message invite = answer(ep, with_method("INVITE"), peer);
  EXPECT_EQ(invite.status(), 405);  // RFC 3261 §8.2.1: with Allow
  EXPECT_EQ(*invite.first(sip::HeaderId::allow), "OPTIONS");
  EXPECT_EQ(answer(ep, with_method("FOOBAR"), peer).status(), 501);
  EXPECT_EQ(answer(ep, with_method("CANCEL"), peer).status(), 481);
  auto ack = sip::parse_datagram(with_method("ACK"));
  EXPECT_TRUE(ep.on_message(*ack, peer, TimePoint{}).empty());  // ACK is never answered
}

TEST(Endpoint, ReasonPhraseNamesTheProblem) {
  Endpoint ep{EndpointConfig{.seed = 3}};
  std::string bad = kOptions;
  bad.erase(bad.find("Call-ID: a84b4c76e66710\r\n"), 25);
  sip::Message r = answer(ep, bad, {"192.0.2.10", 5060, Transport::udp});
  EXPECT_EQ(r.status(), 400);
  EXPECT_EQ(r.reason(), "Missing Call-ID header");
}

TEST(Endpoint, NoViaNoAnswer) {
  Endpoint ep{EndpointConfig{.seed = 3}};
  std::string bad = kOptions;
  for (const char* line : {"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877\r\n",
                           "Via: SIP/2.0/UDP proxy.atlanta.com;branch=z9hG4bKfirst\r\n"}) {
    bad.erase(bad.find(line), std::string_view{line}.size());
  }
  auto req = sip::parse_datagram(bad);
  ASSERT_TRUE(req);
  EXPECT_TRUE(ep.on_message(*req, {"192.0.2.10", 5060, Transport::udp}, TimePoint{}).empty());
}

// RFC 3261 §17.2.2: a retransmitted request gets the transaction's response again — the same
// bytes, so the same To tag — until Timer J (64*T1 over UDP) retires the transaction.
TEST(Endpoint, RetransmissionsAnsweredByTheTransaction) {
  Endpoint ep{EndpointConfig{.seed = 3}};
  Peer udp{"192.0.2.10", 5060, Transport::udp};
  auto req = sip::parse_datagram(kOptions);
  auto first = ep.on_message(*req, udp, TimePoint{});
  ASSERT_EQ(first.size(), 1u);
  auto again = ep.on_message(*req, udp, TimePoint{std::chrono::milliseconds{500}});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].bytes, first[0].bytes);
  EXPECT_EQ(ep.transaction_count(), 1u);
  EXPECT_EQ(ep.next_deadline(), TimePoint{std::chrono::seconds{32}});
  EXPECT_TRUE(ep.on_timer(TimePoint{std::chrono::seconds{32}}).empty());
  EXPECT_EQ(ep.transaction_count(), 0u);
  auto later = ep.on_message(*req, udp, TimePoint{std::chrono::seconds{33}});
  ASSERT_EQ(later.size(), 1u);
  EXPECT_NE(later[0].bytes, first[0].bytes);  // a new transaction, a new To tag
}

// RFC 3261 §17.2.1: the 405 to an INVITE over UDP is retransmitted (Timer G) until the ACK,
// which is absorbed, never answered.
TEST(Endpoint, InviteFinalResponseUntilAck) {
  Endpoint ep{EndpointConfig{.seed = 3}};
  Peer udp{"192.0.2.10", 5060, Transport::udp};
  std::string invite = kOptions;
  invite.replace(0, 7, "INVITE");
  invite.replace(invite.find("63104 OPTIONS"), 13, "63104 INVITE");
  auto req = sip::parse_datagram(invite);
  auto first = ep.on_message(*req, udp, TimePoint{});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].status, 405);
  auto g = ep.on_timer(TimePoint{std::chrono::milliseconds{500}});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].bytes, first[0].bytes);
  std::string ack = invite;
  ack.replace(0, 6, "ACK");
  ack.replace(ack.find("63104 INVITE"), 12, "63104 ACK");
  EXPECT_TRUE(
      ep.on_message(*sip::parse_datagram(ack), udp, TimePoint{std::chrono::seconds{1}}).empty());
  EXPECT_TRUE(ep.on_timer(TimePoint{std::chrono::milliseconds{1500}}).empty());  // no more G
  ep.on_timer(TimePoint{std::chrono::seconds{6}});                               // Timer I = T4
  EXPECT_EQ(ep.transaction_count(), 0u);
  // Over TCP nothing is retransmitted.
  Endpoint tcp_ep{EndpointConfig{.seed = 3}};
  tcp_ep.on_message(*req, {"192.0.2.10", 5060, Transport::tcp}, TimePoint{});
  EXPECT_TRUE(tcp_ep.on_timer(TimePoint{std::chrono::seconds{1}}).empty());
}

// kOptions made a SUBSCRIBE for the presence package (RFC 6665 §7.2.1), which no test serves.
std::string subscribe_presence() {
  std::string sub = kOptions;
  sub.replace(0, 7, "SUBSCRIBE");
  sub.replace(sub.find("63104 OPTIONS"), 13, "1 SUBSCRIBE");
  sub.replace(sub.find("Accept: application/sdp\r\n"), 25, "Event: presence\r\n");
  return sub;
}

TEST(Endpoint, BadEvent) {
  // RFC 6665 §8.2.2 and §4.2.1: a SUBSCRIBE without Event, or for a package the notifier does
  // not serve, gets 489 Bad Event with Allow-Events listing what it does serve.
  Endpoint ep{
      EndpointConfig{.allow = {"OPTIONS", "SUBSCRIBE"}, .events = {"certificate"}, .seed = 3}};
  std::string sub = subscribe_presence();
  sip::Message r = answer(ep, sub, {"192.0.2.10", 5060, Transport::udp});
  EXPECT_EQ(r.status(), 489);
  EXPECT_EQ(r.all(sip::HeaderId::allow_events), (std::vector<std::string_view>{"certificate"}));
  std::string none = sub;
  none.replace(none.find("Event: presence\r\n"), 17, "");
  none.replace(none.find("z9hG4bKhjhs8ass877"), 18, "z9hG4bKnoevent0001");
  sip::Message r2 = answer(ep, none, {"192.0.2.10", 5060, Transport::udp});
  EXPECT_EQ(r2.status(), 489);
  EXPECT_NE(r2.reason().find("no Event"), std::string_view::npos);
}

// RFC 3261 §8.2.7: what the endpoint refuses itself (here 489, RFC 6665 §8.2.2) is answered
// statelessly — no transaction kept for Timer J — with a To tag made from the request, so that a
// retransmission gets the same bytes, as a transaction would resend them (§17.2.2); another
// request gets another tag (§19.3).
TEST(Endpoint, RefusalsAreStatelessAndRepeatable) {
  Endpoint ep{
      EndpointConfig{.allow = {"OPTIONS", "SUBSCRIBE"}, .events = {"certificate"}, .seed = 3}};
  std::string sub = subscribe_presence();
  Peer udp{"192.0.2.10", 5070, Transport::udp};
  auto req = sip::parse_datagram(sub);
  ASSERT_TRUE(req);
  auto first = ep.on_message(*req, udp, TimePoint{});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].status, 489);
  EXPECT_EQ(ep.transaction_count(), 0u);
  EXPECT_FALSE(ep.next_deadline().has_value());
  auto again = ep.on_message(*req, udp, TimePoint{std::chrono::milliseconds{500}});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].bytes, first[0].bytes);

  auto r = sip::parse_datagram(first[0].bytes);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 489);
  EXPECT_EQ(r->reason(), "Bad Event");
  // §8.2.6.2: Via (all, the top one annotated per §18.2.1), From, Call-ID and CSeq copied, To
  // with a tag; Content-Length 0.
  auto vias = r->all(sip::HeaderId::via);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0], "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877;received=192.0.2.10");
  EXPECT_EQ(vias[1], "SIP/2.0/UDP proxy.atlanta.com;branch=z9hG4bKfirst");
  EXPECT_EQ(*r->first(sip::HeaderId::from), "Alice <sip:alice@atlanta.com>;tag=1928301774");
  EXPECT_EQ(*r->first(sip::HeaderId::call_id), "a84b4c76e66710");
  EXPECT_EQ(*r->first(sip::HeaderId::cseq), "1 SUBSCRIBE");
  auto to = sip::parse_name_addr(*r->first(sip::HeaderId::to));
  ASSERT_TRUE(to);
  EXPECT_EQ(to->tag().size(), 16u);
  EXPECT_EQ(*r->first(sip::HeaderId::content_length), "0");
  // §18.2.2: no rport, so the source address at the sent-by port (5060 by default).
  EXPECT_EQ(first[0].to, (Peer{"192.0.2.10", 5060, Transport::udp}));

  std::string other = sub;
  other.replace(other.find("z9hG4bKhjhs8ass877"), 18, "z9hG4bKhjhs8ass878");
  auto third = ep.on_message(*sip::parse_datagram(other), udp, TimePoint{});
  ASSERT_EQ(third.size(), 1u);
  auto r3 = sip::parse_datagram(third[0].bytes);
  ASSERT_TRUE(r3);
  auto to3 = sip::parse_name_addr(*r3->first(sip::HeaderId::to));
  ASSERT_TRUE(to3);
  EXPECT_NE(to3->tag(), to->tag());
}

// RFC 3581 §4: with rport the response goes back to the source port it came from.
TEST(Endpoint, ResponseToTheSourcePortWithRport) {
  Endpoint ep{EndpointConfig{.seed = 3}};
  std::string req = kOptions;
  req.replace(req.find("pc33.atlanta.com;"), 17, "pc33.atlanta.com;rport;");
  auto out =
      ep.on_message(*sip::parse_datagram(req), {"192.0.2.10", 5070, Transport::udp}, TimePoint{});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, (Peer{"192.0.2.10", 5070, Transport::udp}));
  auto r = sip::parse_datagram(out[0].bytes);
  ASSERT_TRUE(r);
  EXPECT_EQ(
      *r->first(sip::HeaderId::via),
      "SIP/2.0/UDP pc33.atlanta.com;rport=5070;branch=z9hG4bKhjhs8ass877;received=192.0.2.10");
}

TEST(Endpoint, FloodFromOneAddressGets503) {
  // Issue 3's abuse limit: requests per source beyond the burst and rate get 503 with
  // Retry-After (RFC 3261 §21.5.4); another address is not affected; the debt is paid off.
  Endpoint ep{EndpointConfig{.seed = 3, .source_burst = 3, .source_rate = 1}};
  auto req = [](int i) {
    std::string s = kOptions;
    s.replace(s.find("z9hG4bKhjhs8ass877"), 18, "z9hG4bKflood" + std::to_string(100000 + i));
    return *sip::parse_datagram(s);
  };
  Peer a{"192.0.2.10", 5060, Transport::udp};
  Peer b{"192.0.2.11", 5060, Transport::udp};
  auto status = [&](int i, const Peer& p, TimePoint t) {
    auto out = ep.on_message(req(i), p, t);
    return out.empty() ? 0 : sip::parse_datagram(out[0].bytes)->status();
  };
  EXPECT_EQ(status(1, a, TimePoint{}), 200);
  EXPECT_EQ(status(2, a, TimePoint{}), 200);
  EXPECT_EQ(status(3, a, TimePoint{}), 200);
  auto out = ep.on_message(req(4), a, TimePoint{});
  ASSERT_EQ(out.size(), 1u);
  auto busy = *sip::parse_datagram(out[0].bytes);
  EXPECT_EQ(busy.status(), 503);
  EXPECT_EQ(*busy.first(sip::HeaderId::retry_after), "1");
  EXPECT_EQ(status(5, b, TimePoint{}), 200);
  EXPECT_EQ(status(6, a, TimePoint{std::chrono::seconds{1}}), 200);
}

TEST(Via, ReceivedAndRport) {
  // RFC 3581 §4's example: rport filled and received added.
  Peer from{"192.0.2.1", 9988, Transport::udp};
  std::string v = annotate_via("SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff", from);
  auto via = sip::parse_via(v);
  ASSERT_TRUE(via);
  EXPECT_EQ(via->params.value("received"), "192.0.2.1");
  EXPECT_EQ(via->params.value("rport"), "9988");
  EXPECT_EQ(via->branch(), "z9hG4bKkjshdyff");
  Peer dest = response_destination(v, from);
  EXPECT_EQ(dest.address, "192.0.2.1");
  EXPECT_EQ(dest.port, 9988);

  // RFC 3261 §18.2.1's example: a host name in sent-by gets received; the response goes to the
  // source address at the sent-by port (§18.2.2).
  std::string w =
      annotate_via("SIP/2.0/UDP bobspc.biloxi.com:5060", {"192.0.2.4", 40000, Transport::udp});
  EXPECT_EQ(w, "SIP/2.0/UDP bobspc.biloxi.com:5060;received=192.0.2.4");
  Peer d2 = response_destination(w, {"192.0.2.4", 40000, Transport::udp});
  EXPECT_EQ(d2.port, 5060);

  // Same address: nothing to add.
  EXPECT_EQ(annotate_via("SIP/2.0/UDP 192.0.2.4:5062;branch=z9hG4bK2",
                         {"192.0.2.4", 5062, Transport::udp}),
            "SIP/2.0/UDP 192.0.2.4:5062;branch=z9hG4bK2");
}

}  // namespace
}  // namespace sipcred::service
