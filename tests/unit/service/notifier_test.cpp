// Scenario tests of the RFC 6665 notifier on a fake clock: every path of a NOTIFY's client
// transaction (RFC 3261 §17.1.2, Timers E/F/K) and of a subscription's life.
#include "service/notifier.hpp"

#include <gtest/gtest.h>

#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/parser.hpp"
#include "sip/response.hpp"

namespace sipcred::service {
namespace {

using namespace std::chrono_literals;

// RFC 3265 §3.3.1-style SUBSCRIBE (RFC 6665 §4.1.2) from a subscriber behind a proxy.
const std::string kSubscribe =
    "SUBSCRIBE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bKsub1\r\n"
    "Max-Forwards: 70\r\n"
    "From: Alice <sip:alice@example.org>;tag=a1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: c1@192.0.2.5\r\n"
    "CSeq: 7 SUBSCRIBE\r\n"
    "Contact: <sip:alice@192.0.2.5:5060>\r\n"
    "Event: certificate\r\n"
    "Expires: 3600\r\n"
    "Content-Length: 0\r\n\r\n";

TimePoint at(Duration d) {
  return TimePoint{d};
}

struct Fixture {
  int version = 1;
  std::string body = "cert-v1";
  Notifier n{NotifierConfig{.seed = 9}, [this](const Subscription&) {
               return NotifyContent{body.empty() ? "" : "application/pkix-cert", body,
                                    ";etag=v" + std::to_string(version)};
             }};

  uint64_t subscribe(TimePoint now, std::vector<Outgoing>& out, Transport t = Transport::udp,
                     Duration expires = 3600s) {
    auto req = sip::parse_datagram(kSubscribe);
    EXPECT_TRUE(req);
    auto d = sip::uas_dialog(*req, "ours1", 100, false);
    EXPECT_TRUE(d);
    Subscription s;
    s.package = "certificate";
    s.resource = "bob@example.com";
    s.dialog = *d;
    s.flow = Peer{"192.0.2.5", 5060, t};
    s.expires_at = now + expires;
    out = n.add(std::move(s), now);
    return n.size();
  }
};

sip::Message parsed(const Outgoing& o) {
  auto m = sip::parse_datagram(o.bytes);
  EXPECT_TRUE(m) << o.bytes;
  return m ? std::move(*m) : sip::Message{};
}

std::vector<Outgoing> answer(Notifier& n, const Outgoing& notify, int status, TimePoint now) {
  sip::Message req = parsed(notify);
  sip::Message resp = sip::make_response(req, status, {}, {});
  auto bytes = resp.serialize();
  auto again = sip::parse_datagram(bytes);
  std::vector<Outgoing> out;
  EXPECT_TRUE(n.on_response(*again, now, out));
  return out;
}

std::string header(const sip::Message& m, sip::HeaderId id) {
  auto v = m.first(id);
  return v ? std::string{*v} : std::string{};
}

TEST(Notifier, FirstNotifyFollowsTheDialog) {
  // RFC 6665 §4.2.1.2 (immediate NOTIFY), RFC 3261 §12.2.1.1 (request within the dialog).
  Fixture f;
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, (Peer{"192.0.2.5", 5060, Transport::udp}));
  sip::Message m = parsed(out[0]);
  EXPECT_EQ(m.method(), "NOTIFY");
  EXPECT_EQ(m.request_uri(), "sip:alice@192.0.2.5:5060");
  EXPECT_EQ(header(m, sip::HeaderId::from), "<sip:bob@example.com>;tag=ours1");
  EXPECT_EQ(header(m, sip::HeaderId::to), "Alice <sip:alice@example.org>;tag=a1");
  EXPECT_EQ(header(m, sip::HeaderId::call_id), "c1@192.0.2.5");
  EXPECT_EQ(header(m, sip::HeaderId::cseq), "101 NOTIFY");
  EXPECT_EQ(header(m, sip::HeaderId::event), "certificate;etag=v1");
  EXPECT_EQ(header(m, sip::HeaderId::subscription_state), "active;expires=3600");
  EXPECT_EQ(header(m, sip::HeaderId::content_type), "application/pkix-cert");
  EXPECT_EQ(header(m, sip::HeaderId::content_disposition), "signal");  // REQ-PART CERT-5
  EXPECT_EQ(m.body(), "cert-v1");
  std::string via_value = header(m, sip::HeaderId::via);  // the parsed view points into it
  auto via = sip::parse_via(via_value);
  ASSERT_TRUE(via);
  EXPECT_TRUE(via->branch().starts_with("z9hG4bK"));
}

TEST(Notifier, UdpNotifyNeverAnsweredEndsTheSubscription) {
  // RFC 3261 §17.1.2.2: Timer E retransmits at 0.5, 1, 2, 4, 4… s after each other; Timer F
  // gives up at 64*T1 = 32 s; RFC 6665 §4.2.2: the subscription is then removed.
  Fixture f;
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out);
  ASSERT_EQ(out.size(), 1u);
  const std::string first = out[0].bytes;
  std::vector<int64_t> sent_ms;
  for (int guard = 0; guard < 100; ++guard) {
    auto next = f.n.next_deadline();
    ASSERT_TRUE(next);
    if (next->time_since_epoch() > 32s) break;
    auto o = f.n.on_timer(*next);
    for (auto& x : o) {
      EXPECT_EQ(x.bytes, first);  // a retransmission is the same request
      sent_ms.push_back(next->time_since_epoch().count());
    }
    if (f.n.size() == 0) break;
  }
  EXPECT_EQ(sent_ms, (std::vector<int64_t>{500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500,
                                           31500}));
  EXPECT_EQ(f.n.size(), 0u);
  EXPECT_EQ(f.n.outstanding(), 0u);
}

TEST(Notifier, TcpNotifyIsNotRetransmitted) {
  Fixture f;
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out, Transport::tcp);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(parsed(out[0]).first(sip::HeaderId::via)->find("SIP/2.0/TCP"), std::string::npos);
  EXPECT_TRUE(f.n.on_timer(at(10s)).empty());
  f.n.on_timer(at(32s));  // Timer F
  EXPECT_EQ(f.n.size(), 0u);
}

TEST(Notifier, ChangesAreRateLimitedAndMerged) {
  // CERT-7 / CRED-9: at most one NOTIFY a minute; changes in between merged, latest state wins.
  Fixture f;
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out);
  answer(f.n, out[0], 200, at(100ms));
  f.version = 2;
  f.body = "cert-v2";
  EXPECT_TRUE(f.n.changed("certificate", "bob@example.com", at(10s)).empty());
  f.version = 3;
  f.body = "cert-v3";
  EXPECT_TRUE(f.n.changed("certificate", "bob@example.com", at(20s)).empty());
  EXPECT_TRUE(f.n.changed("presence", "bob@example.com", at(20s)).empty());
  EXPECT_TRUE(f.n.on_timer(at(59s)).empty());  // Timer K of the first NOTIFY only
  EXPECT_EQ(f.n.next_deadline(), at(60s));
  auto o = f.n.on_timer(at(60s));
  ASSERT_EQ(o.size(), 1u);
  sip::Message m = parsed(o[0]);
  EXPECT_EQ(m.body(), "cert-v3");  // REQ CERT-7
  EXPECT_EQ(header(m, sip::HeaderId::event), "certificate;etag=v3");
  EXPECT_EQ(header(m, sip::HeaderId::cseq), "102 NOTIFY");
  EXPECT_EQ(header(m, sip::HeaderId::subscription_state), "active;expires=3540");
}

TEST(Notifier, OneNotifyOutstandingPerDialog) {
  // RFC 6665 §4.2.2: no new NOTIFY until the previous transaction completes.
  Fixture f;
  f.n = Notifier{NotifierConfig{.min_interval = 0s, .seed = 9}, [&f](const Subscription&) {
                   return NotifyContent{"text/plain", f.body, ""};
                 }};
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out);
  f.body = "later";
  EXPECT_TRUE(f.n.changed("certificate", "bob@example.com", at(100ms)).empty());
  auto o = answer(f.n, out[0], 200, at(200ms));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(parsed(o[0]).body(), "later");
}

TEST(Notifier, RefreshAndUnsubscribe) {
  // RFC 6665 §4.2.1.2: a refresh gets an immediate NOTIFY; §4.1.2.3/§4.2.2: Expires 0 gets a
  // final NOTIFY and the subscription ends when it is answered.
  Fixture f;
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out);
  answer(f.n, out[0], 200, at(1s));
  auto id = f.n.find_dialog(sip::dialog_key("c1@192.0.2.5", "ours1", "a1"))->id;
  auto r = f.n.refresh(id, 7200s, at(5s));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(header(parsed(r[0]), sip::HeaderId::subscription_state), "active;expires=7200");
  answer(f.n, r[0], 200, at(6s));
  auto u = f.n.refresh(id, 0s, at(7s));
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(header(parsed(u[0]), sip::HeaderId::subscription_state), "terminated;reason=timeout");
  EXPECT_EQ(f.n.size(), 1u);
  answer(f.n, u[0], 200, at(8s));
  EXPECT_EQ(f.n.size(), 0u);
}

TEST(Notifier, ExpiryEndsWithAFinalNotify) {
  Fixture f;
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out, Transport::udp, 120s);
  answer(f.n, out[0], 200, at(1s));
  EXPECT_TRUE(f.n.on_timer(at(119s)).empty());
  EXPECT_EQ(f.n.next_deadline(), at(120s));
  auto o = f.n.on_timer(at(120s));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(header(parsed(o[0]), sip::HeaderId::subscription_state), "terminated;reason=timeout");
  answer(f.n, o[0], 200, at(121s));
  EXPECT_EQ(f.n.size(), 0u);
}

TEST(Notifier, Answered481RemovesTheSubscription) {
  // RFC 6665 §4.2.2.
  Fixture f;
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out);
  answer(f.n, out[0], 481, at(1s));
  EXPECT_EQ(f.n.size(), 0u);
}

TEST(Notifier, DeactivationIsNotRateLimited) {
  // CRED-7: revocation ends the subscription with reason=deactivated at once.
  Fixture f;
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out);
  answer(f.n, out[0], 200, at(1s));
  f.body.clear();
  auto o = f.n.terminate_all("certificate", "bob@example.com", "deactivated", at(2s));
  ASSERT_EQ(o.size(), 1u);
  sip::Message m = parsed(o[0]);
  EXPECT_EQ(header(m, sip::HeaderId::subscription_state), "terminated;reason=deactivated");
  EXPECT_FALSE(m.first(sip::HeaderId::content_type));
  EXPECT_EQ(m.body(), "");
  answer(f.n, o[0], 200, at(3s));
  EXPECT_EQ(f.n.size(), 0u);
}

TEST(Notifier, LargeNotifyGoesOverTcpThenFallsBackToUdp) {
  // RFC 3261 §18.1.1: larger than 1300 bytes → TCP to the same address; when no connection can
  // be made, the UDP form (udp_mtu_try_proto-like fallback).
  Fixture f;
  f.body = std::string(1500, 'x');
  std::vector<Outgoing> out;
  f.subscribe(at(0s), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, (Peer{"192.0.2.5", 5060, Transport::tcp}));
  EXPECT_NE(out[0].bytes.find("SIP/2.0/TCP"), std::string::npos);
  ASSERT_NE(out[0].txn, 0u);
  f.n.on_transport_error(out[0].txn, at(10ms));
  EXPECT_EQ(f.n.next_deadline(), TimePoint{});
  auto o = f.n.on_timer(at(10ms));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].to, (Peer{"192.0.2.5", 5060, Transport::udp}));
  EXPECT_NE(o[0].bytes.find("SIP/2.0/UDP"), std::string::npos);
  answer(f.n, o[0], 200, at(20ms));
  EXPECT_EQ(f.n.size(), 1u);
  // With the limit switched off (UDP-only peers), UDP straight away.
  Fixture g;
  g.n = Notifier{NotifierConfig{.udp_mtu = 0, .seed = 9}, [](const Subscription&) {
                   return NotifyContent{"a/b", std::string(1500, 'y'), ""};
                 }};
  g.subscribe(at(0s), out);
  EXPECT_EQ(out[0].to.transport, Transport::udp);
}

TEST(Notifier, FanOutReadsTheStateOnceAndRemovalScales) {
  // One change to a resource with many subscribers: the content is read once and shared; the
  // subscriptions then end one by one (481s) and the resource's list shrinks to nothing.
  int reads = 0;
  Notifier n{NotifierConfig{.min_interval = 0s, .seed = 9}, [&](const Subscription&) {
               ++reads;
               return NotifyContent{"text/plain", "state", ""};
             }};
  auto req = sip::parse_datagram(kSubscribe);
  std::vector<Outgoing> first;
  for (int i = 0; i < 1000; ++i) {
    auto d = sip::uas_dialog(*req, "t" + std::to_string(i), 1, false);
    Subscription s;
    s.package = "certificate";
    s.resource = "bob@example.com";
    s.dialog = *d;
    s.flow = Peer{"192.0.2.5", 5060, Transport::tcp};
    s.expires_at = at(3600s);
    auto o = n.add(std::move(s), at(0s));
    first.insert(first.end(), o.begin(), o.end());
  }
  EXPECT_EQ(reads, 1);
  for (auto& o : first) answer(n, o, 200, at(1s));
  // A batch at once, the rest over later turns of the loop (next_deadline says "now").
  auto fan = n.changed("certificate", "bob@example.com", at(2s));
  EXPECT_EQ(fan.size(), 256u);
  while (fan.size() < 1000u) {
    ASSERT_EQ(n.next_deadline(), TimePoint{});
    auto more = n.on_timer(at(2s));
    ASSERT_LE(more.size(), 256u);
    fan.insert(fan.end(), more.begin(), more.end());
  }
  EXPECT_EQ(fan.size(), 1000u);
  EXPECT_EQ(reads, 2);
  for (auto& o : fan) answer(n, o, 481, at(3s));
  EXPECT_EQ(n.size(), 0u);
}

TEST(Dialog, RouteSetFromRecordRoute) {
  // RFC 3261 §12.1.1 (route set in Record-Route order at the UAS) and §12.2.1.1.
  std::string with_rr = kSubscribe;
  with_rr.insert(
      with_rr.find("From:"),
      "Record-Route: <sip:p1.example.com;lr>\r\nRecord-Route: <sip:p2.example.com;lr>\r\n");
  auto req = sip::parse_datagram(with_rr);
  ASSERT_TRUE(req);
  auto d = sip::uas_dialog(*req, "t", 1, false);
  ASSERT_TRUE(d);
  auto m = sip::in_dialog_request(*d, "NOTIFY", "SIP/2.0/UDP h;branch=z9hG4bKx", "sip:h");
  EXPECT_EQ(m.request_uri(), "sip:alice@192.0.2.5:5060");
  EXPECT_EQ(m.all(sip::HeaderId::route),
            (std::vector<std::string_view>{"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"}));
  EXPECT_EQ(d->local_cseq, 2u);
  // Strict routing: the first route becomes the Request-URI, the remote target goes last.
  std::string strict = kSubscribe;
  strict.insert(strict.find("From:"), "Record-Route: <sip:p1.example.com>\r\n");
  auto d2 = sip::uas_dialog(*sip::parse_datagram(strict), "t", 1, false);
  ASSERT_TRUE(d2);
  auto m2 = sip::in_dialog_request(*d2, "NOTIFY", "SIP/2.0/UDP h;branch=z9hG4bKy", "sip:h");
  EXPECT_EQ(m2.request_uri(), "sip:p1.example.com");
  EXPECT_EQ(m2.all(sip::HeaderId::route),
            (std::vector<std::string_view>{"<sip:alice@192.0.2.5:5060>"}));
}

TEST(Dialog, RefusesWhatCannotMakeADialog) {
  auto no_contact = kSubscribe;
  no_contact.erase(no_contact.find("Contact:"), 37);
  auto r1 = sip::uas_dialog(*sip::parse_datagram(no_contact), "t", 1, false);
  ASSERT_FALSE(r1);
  EXPECT_NE(r1.error().detail.find("Contact"), std::string::npos);
  auto no_tag = kSubscribe;
  no_tag.replace(no_tag.find(";tag=a1"), 7, "");
  EXPECT_FALSE(sip::uas_dialog(*sip::parse_datagram(no_tag), "t", 1, false));
  // The To tag of an in-dialog request is the local one.
  auto in_dialog = kSubscribe;
  in_dialog.replace(in_dialog.find("To: <sip:bob@example.com>"), 25,
                    "To: <sip:bob@example.com>;tag=ours1");
  EXPECT_EQ(sip::incoming_dialog_key(*sip::parse_datagram(in_dialog)),
            sip::dialog_key("c1@192.0.2.5", "ours1", "a1"));
  EXPECT_FALSE(sip::incoming_dialog_key(*sip::parse_datagram(kSubscribe)));
}

}  // namespace
}  // namespace sipcred::service
