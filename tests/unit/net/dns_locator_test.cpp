// The sans-I/O server locator: RFC 3263 §4 for SIP/SIPS URIs, RFC 2782 SRV ordering, and the
// certificate store's SRV-or-default (HTTP-1). Records come from tests/data/dns/zone.txt; every
// expected target list below is worked out by hand from the RFC rule named beside it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "net/dns/locator.hpp"
#include "net/dns/records.hpp"
#include "sip/uri.hpp"
#include "unit/net/dns_zone.hpp"

namespace sipcred::net::dns {
namespace {

using service::Transport;

// Draws given in advance; records the `max` of every call (RFC 2782's running weight sums).
struct FixedDraws {
  std::vector<uint32_t> draws;
  std::vector<uint32_t> maxima;
  size_t next = 0;
  Random random() {
    return [this](uint32_t max) {
      maxima.push_back(max);
      uint32_t d = next < draws.size() ? draws[next] : 0;
      ++next;
      return d;
    };
  }
};

Random lowest() {
  return [](uint32_t) { return 0u; };
}

struct Run {
  Result<TargetList> result = fail(Errc::internal, "not run");
  std::vector<Query> asked;
};

// Answers every query from the zone, as a DNS server would, until the locator is done.
// `override` replaces the zone's answer for some queries (timeouts, failures).
Run drive(Locator loc, const std::map<Query, Answer>& override = {}) {
  static const test::DnsZone zone = test::DnsZone::load();
  Run run;
  for (int round = 0; round < 10 && !loc.done(); ++round) {
    for (const auto& q : loc.take_queries()) {
      run.asked.push_back(q);
      auto it = override.find(q);
      loc.on_answer(q, it != override.end() ? it->second : zone.answer(q));
    }
  }
  run.result = loc.result();
  return run;
}

Run locate(std::string_view uri_text, Random random = lowest(), LocatorOptions opts = {},
           const std::map<Query, Answer>& override = {}) {
  std::string text{uri_text};
  auto uri = sip::parse_uri(text);
  EXPECT_TRUE(uri) << uri_text;
  auto loc = Locator::sip(*uri, std::move(opts), std::move(random));
  EXPECT_TRUE(loc) << uri_text << ": " << (loc ? "" : loc.error().detail);
  return drive(std::move(*loc), override);
}

Target T(std::string addr, uint16_t port, Transport t, std::string host) {
  return Target{std::move(addr), port, t, std::move(host)};
}

std::vector<Target> targets(const Run& r) {
  EXPECT_TRUE(r.result) << (r.result ? "" : r.result.error().detail);
  return r.result ? r.result->all() : std::vector<Target>{};
}

Query q(std::string name, RrType t) {
  return Query{std::move(name), t};
}

// --- RFC 2782 ordering --------------------------------------------------------------------

// RFC 2782: within one priority, weight-0 records go first, then the draw in [0, sum] picks the
// first record whose running sum reaches it. Records in received order: w60, w30, w0, w10
// → list [w0(0), w60(60), w30(90), w10(100)].
TEST(SrvOrder, WeightedSelectionFollowsRunningSums) {
  std::vector<SrvRecord> recs{
      {5, 60, 1, "w60"}, {5, 30, 2, "w30"}, {5, 0, 3, "w0"}, {5, 10, 4, "w10"}};
  // draw 75 → w30 (60 < 75 ≤ 90); left [w0, w60, w10], sum 70: draw 0 → w0 (0 ≥ 0);
  // left [w60, w10], sum 70: draw 30 → w60; left [w10], sum 10: draw 10 → w10.
  FixedDraws d{{75, 0, 30, 10}};
  auto out = order_srv(recs, d.random());
  std::vector<std::string> names;
  for (auto& r : out) names.push_back(r.target);
  EXPECT_EQ(names, (std::vector<std::string>{"w30", "w0", "w60", "w10"}));
  EXPECT_EQ(d.maxima, (std::vector<uint32_t>{100, 70, 70, 10}));
}

TEST(SrvOrder, BoundariesOfTheRunningSum) {
  std::vector<SrvRecord> recs{
      {0, 60, 1, "w60"}, {0, 30, 2, "w30"}, {0, 0, 3, "w0"}, {0, 10, 4, "w10"}};
  auto first = [&](uint32_t draw) {
    return order_srv(recs, [draw](uint32_t) { return draw; }).front().target;
  };
  EXPECT_EQ(first(0), "w0");     // running sum 0 already reaches 0
  EXPECT_EQ(first(1), "w60");    // 0 < 1 ≤ 60
  EXPECT_EQ(first(60), "w60");   // "greater than or equal to"
  EXPECT_EQ(first(61), "w30");   // 60 < 61 ≤ 90
  EXPECT_EQ(first(91), "w10");   // 90 < 91 ≤ 100
  EXPECT_EQ(first(100), "w10");  // the inclusive top of the range
}

TEST(SrvOrder, PrioritiesAscendFirst) {
  std::vector<SrvRecord> recs{{9, 5, 1, "p9"}, {1, 0, 2, "p1"}, {5, 1, 3, "p5"}};
  auto out = order_srv(recs, lowest());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].target, "p1");
  EXPECT_EQ(out[1].target, "p5");
  EXPECT_EQ(out[2].target, "p9");
}

// With a real PRNG, the first pick among weights 60/30/10 plus a weight 0 happens with the
// probabilities the running-sum rule gives over 101 equally likely draws 0..100:
// w0 1/101, w60 60/101, w30 30/101, w10 10/101.
TEST(SrvOrder, FirstPickFrequenciesMatchTheWeights) {
  std::vector<SrvRecord> recs{
      {0, 60, 1, "w60"}, {0, 30, 2, "w30"}, {0, 0, 3, "w0"}, {0, 10, 4, "w10"}};
  std::mt19937 prng{12345};
  Random random = [&](uint32_t max) {
    return std::uniform_int_distribution<uint32_t>{0, max}(prng);
  };
  std::map<std::string, int> count;
  const int n = 200000;
  for (int i = 0; i < n; ++i) ++count[order_srv(recs, random).front().target];
  EXPECT_NEAR(count["w60"] / double(n), 60.0 / 101, 0.01);
  EXPECT_NEAR(count["w30"] / double(n), 30.0 / 101, 0.01);
  EXPECT_NEAR(count["w10"] / double(n), 10.0 / 101, 0.01);
  EXPECT_NEAR(count["w0"] / double(n), 1.0 / 101, 0.003);
}

// --- RFC 3263 §4.1 / §4.2 -----------------------------------------------------------------

// RFC 3263 §4.1 example: NAPTR orders 50 (SIPS+D2T), 90 (SIP+D2T), 100 (SIP+D2U); the lowest
// order wins, so TLS to _sips._tcp.example.com's targets. Weights 1 and 2 (sum 3): draw 0 takes
// server1 first; draw 2 (> 1) takes server2 first.
TEST(Rfc3263, NaptrThenSrvThenAddresses) {
  FixedDraws d{{0, 0}};
  auto run = locate("sip:alice@example.com", d.random());
  EXPECT_EQ(targets(run), (std::vector<Target>{
                              T("192.0.2.1", 5061, Transport::tls, "server1.example.com"),
                              T("2001:db8::1", 5061, Transport::tls, "server1.example.com"),
                              T("192.0.2.2", 5061, Transport::tls, "server2.example.com"),
                          }));
  EXPECT_EQ(d.maxima, (std::vector<uint32_t>{3, 2}));
  EXPECT_EQ(run.asked.front(), q("example.com", RrType::naptr));

  FixedDraws d2{{2, 0}};
  auto run2 = locate("sip:alice@example.com", d2.random());
  ASSERT_TRUE(run2.result);
  EXPECT_EQ(run2.result->all().front(),
            T("192.0.2.2", 5061, Transport::tls, "server2.example.com"));
  EXPECT_EQ(d2.maxima, (std::vector<uint32_t>{3, 1}));
}

// RFC 3263 §4.1: the client discards NAPTR services it does not support; UDP only here.
TEST(Rfc3263, NaptrServicesLimitedToSupportedTransports) {
  LocatorOptions udp_only;
  udp_only.transports = {Transport::udp};
  auto run = locate("sip:example.com", lowest(), udp_only);
  EXPECT_EQ(targets(run), (std::vector<Target>{
                              T("192.0.2.1", 5060, Transport::udp, "server1.example.com"),
                              T("2001:db8::1", 5060, Transport::udp, "server1.example.com"),
                          }));
}

TEST(Rfc3263, SipsKeepsOnlySipsServices) {
  auto run = locate("sips:example.com");
  auto t = targets(run);
  ASSERT_FALSE(t.empty());
  for (const auto& x : t) EXPECT_EQ(x.transport, Transport::tls);
}

// RFC 3403 §4.1 with RFC 3263 §4.1: SCTP and "u"-flag records are skipped; the lowest usable
// order (SIPS+D2T) leads to an empty SRV name, so the next order (SIP+D2U) is used.
TEST(Rfc3263, NaptrOrderFallsThroughEmptySrv) {
  auto run = locate("sip:fallthrough.example.com");
  EXPECT_EQ(targets(run), (std::vector<Target>{
                              T("192.0.2.90", 5062, Transport::udp, "host.fallthrough.example.com"),
                          }));
  auto asked = run.asked;
  EXPECT_EQ(
      std::count(asked.begin(), asked.end(), q("_sip._tcp.fallthrough.example.com", RrType::srv)),
      0);  // the "u"-flag record's replacement is never looked up
}

// RFC 3263 §4.1: without NAPTR, an SRV query per supported transport ("_sip" for SIP URIs,
// TLS under "_sips._tcp"); the options' preference order (TLS, TCP, UDP) orders the results.
TEST(Rfc3263, NoNaptrQueriesSrvPerTransport) {
  auto run = locate("sip:srvonly.example.com");
  EXPECT_EQ(targets(run), (std::vector<Target>{
                              T("192.0.2.10", 5070, Transport::tcp, "host.srvonly.example.com"),
                              T("192.0.2.10", 5080, Transport::udp, "host.srvonly.example.com"),
                          }));
  for (auto name : {"_sips._tcp.srvonly.example.com", "_sip._tcp.srvonly.example.com",
                    "_sip._udp.srvonly.example.com"}) {
    EXPECT_EQ(std::count(run.asked.begin(), run.asked.end(), q(name, RrType::srv)), 1) << name;
  }
}

// RFC 3263 §4.2: no SRV records: A/AAAA of the domain; UDP 5060 for SIP, TCP (TLS) 5061 for SIPS.
TEST(Rfc3263, NoSrvFallsBackToAddressRecords) {
  EXPECT_EQ(targets(locate("sip:plain.example.com")),
            (std::vector<Target>{T("192.0.2.20", 5060, Transport::udp, "plain.example.com")}));
  EXPECT_EQ(targets(locate("sips:plain.example.com")),
            (std::vector<Target>{T("192.0.2.20", 5061, Transport::tls, "plain.example.com")}));
  EXPECT_EQ(targets(locate("sip:v6.example.com")),
            (std::vector<Target>{T("2001:db8::6", 5060, Transport::udp, "v6.example.com")}));
}

// RFC 3263 §4.2: a port in the URI means A/AAAA only — no NAPTR, no SRV.
TEST(Rfc3263, ExplicitPortSkipsNaptrAndSrv) {
  auto run = locate("sip:plain.example.com:5070");
  EXPECT_EQ(targets(run),
            (std::vector<Target>{T("192.0.2.20", 5070, Transport::udp, "plain.example.com")}));
  EXPECT_EQ(run.asked, (std::vector<Query>{q("plain.example.com", RrType::a),
                                           q("plain.example.com", RrType::aaaa)}));
  // Even when the domain has NAPTR records.
  auto run2 = locate("sip:example.com:5099;transport=tcp");
  EXPECT_EQ(run2.asked,
            (std::vector<Query>{q("example.com", RrType::a), q("example.com", RrType::aaaa)}));
}

// RFC 3263 §4.2: a transport parameter skips NAPTR and asks SRV for that transport only
// ("_sips" for TLS even in a SIP URI); without SRV, the default port of that transport.
TEST(Rfc3263, TransportParamQueriesThatSrvOnly) {
  auto run = locate("sip:srvonly.example.com;transport=tcp");
  EXPECT_EQ(run.asked.front(), q("_sip._tcp.srvonly.example.com", RrType::srv));
  EXPECT_EQ(
      targets(run),
      (std::vector<Target>{T("192.0.2.10", 5070, Transport::tcp, "host.srvonly.example.com")}));
  auto tls = locate("sip:example.com;transport=tls");
  EXPECT_EQ(tls.asked.front(), q("_sips._tcp.example.com", RrType::srv));
  auto plain = locate("sip:plain.example.com;transport=TCP");
  EXPECT_EQ(targets(plain),
            (std::vector<Target>{T("192.0.2.20", 5060, Transport::tcp, "plain.example.com")}));
  auto sips_tcp = locate("sips:plain.example.com;transport=tcp");
  EXPECT_EQ(sips_tcp.asked.front(), q("_sips._tcp.plain.example.com", RrType::srv));
  EXPECT_EQ(targets(sips_tcp),
            (std::vector<Target>{T("192.0.2.20", 5061, Transport::tls, "plain.example.com")}));
}

// RFC 3263 §4.2: a numeric TARGET (host or maddr) needs no DNS at all.
TEST(Rfc3263, NumericHostShortCircuits) {
  struct Case {
    const char* uri;
    Target want;
  } cases[] = {
      {"sip:192.0.2.7", T("192.0.2.7", 5060, Transport::udp, "192.0.2.7")},
      {"sips:192.0.2.7", T("192.0.2.7", 5061, Transport::tls, "192.0.2.7")},
      {"sip:bob@192.0.2.7:5070;transport=tcp", T("192.0.2.7", 5070, Transport::tcp, "192.0.2.7")},
      {"sip:[2001:db8::7]:5071", T("2001:db8::7", 5071, Transport::udp, "[2001:db8::7]")},
      {"sip:alice@example.com;maddr=192.0.2.99",
       T("192.0.2.99", 5060, Transport::udp, "192.0.2.99")},
  };
  for (const auto& c : cases) {
    auto run = locate(c.uri);
    EXPECT_TRUE(run.asked.empty()) << c.uri;
    EXPECT_EQ(targets(run), std::vector<Target>{c.want}) << c.uri;
  }
}

TEST(Rfc3263, UnusableUrisAreRefused) {
  for (auto text : {"sips:example.com;transport=udp", "sip:example.com;transport=sctp",
                    "tel:+15551234567", "sip:a@example.com;maddr=bad..name"}) {
    std::string s{text};
    auto uri = sip::parse_uri(s);
    if (!uri) continue;  // the URI parser refusing it is just as good
    auto loc = Locator::sip(*uri, {}, lowest());
    ASSERT_FALSE(loc) << text;
    EXPECT_EQ(loc.error().code, Errc::invalid_argument) << text;
  }
}

// RFC 2782 over the whole location: priority 1, then priority 5 by weight, then priority 9.
// Draws: priority 1 (sum 0) → 0; priority 5 as in WeightedSelectionFollowsRunningSums;
// priority 9 (sum 0) → 0.
TEST(Rfc3263, SrvPrioritiesAndWeightsOrderTheTargets) {
  FixedDraws d{{0, 75, 0, 30, 10, 0}};
  auto run = locate("sip:weights.example.com", d.random());
  std::vector<std::string> order;
  for (const auto& t : targets(run)) order.push_back(t.address);
  EXPECT_EQ(order, (std::vector<std::string>{"192.0.2.41", "192.0.2.30", "192.0.2.50", "192.0.2.60",
                                             "192.0.2.70", "192.0.2.49"}));
  EXPECT_EQ(d.maxima, (std::vector<uint32_t>{0, 100, 70, 70, 10, 0}));
}

TEST(Rfc3263, TargetCountIsCapped) {
  LocatorOptions opts;
  opts.max_targets = 2;
  auto run = locate("sip:weights.example.com", lowest(), opts);
  EXPECT_EQ(targets(run).size(), 2u);
}

// RFC 2782: a lone "." target: the service is decidedly not available; the domain's A record
// is not a fallback.
TEST(Rfc3263, DotTargetMeansNoService) {
  auto run = locate("sip:dot.example.com");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().code, Errc::not_found);
}

TEST(Rfc3263, NoSuchDomainIsNotFound) {
  auto run = locate("sip:nowhere.example.com");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().code, Errc::not_found);
  LocatorOptions v4_only;
  v4_only.ipv6 = false;
  auto v6 = locate("sip:v6.example.com", lowest(), v4_only);
  ASSERT_FALSE(v6.result);
  EXPECT_EQ(v6.result.error().code, Errc::not_found);
}

TEST(Rfc3263, PreferIpv6PutsAaaaFirst) {
  LocatorOptions opts;
  opts.prefer_ipv6 = true;
  auto t = targets(locate("sip:example.com", lowest(), opts));
  ASSERT_GE(t.size(), 2u);
  EXPECT_EQ(t[0].address, "2001:db8::1");
  EXPECT_EQ(t[1].address, "192.0.2.1");
}

// A failed lookup on the way is treated like an empty one (the next step of §4.1/§4.2 is tried);
// when nothing yields an address, the failure is reported as io, not as "no such server".
TEST(Rfc3263, LookupFailuresFallThroughAndAreReported) {
  Answer timeout;
  timeout.status = AnswerStatus::timeout;
  // NAPTR times out: SRV per transport still finds srvonly's targets.
  auto run = locate("sip:srvonly.example.com", lowest(), {},
                    {{q("srvonly.example.com", RrType::naptr), timeout}});
  EXPECT_EQ(targets(run).size(), 2u);
  // Every query times out.
  std::map<Query, Answer> all;
  for (auto name : {"plain.example.com", "_sips._tcp.plain.example.com",
                    "_sip._tcp.plain.example.com", "_sip._udp.plain.example.com"}) {
    for (auto type : {RrType::naptr, RrType::srv, RrType::a, RrType::aaaa})
      all[q(name, type)] = timeout;
  }
  auto dead = locate("sip:plain.example.com", lowest(), {}, all);
  ASSERT_FALSE(dead.result);
  EXPECT_EQ(dead.result.error().code, Errc::io);
}

// Answers may come back in any order, and stray answers are ignored.
TEST(Rfc3263, AnswerOrderDoesNotMatter) {
  static const test::DnsZone zone = test::DnsZone::load();
  std::string text = "sip:alice@example.com";
  auto uri = sip::parse_uri(text);
  auto loc = Locator::sip(*uri, {}, lowest());
  ASSERT_TRUE(loc);
  loc->on_answer(q("unasked.example.com", RrType::a),
                 zone.answer(q("plain.example.com", RrType::a)));
  while (!loc->done()) {
    auto qs = loc->take_queries();
    ASSERT_FALSE(qs.empty());
    std::reverse(qs.begin(), qs.end());
    for (const auto& x : qs) loc->on_answer(x, zone.answer(x));
  }
  auto expected = targets(locate("sip:alice@example.com"));
  ASSERT_TRUE(loc->result());
  EXPECT_EQ(loc->result()->all(), expected);
}

// Records are untrusted: whatever a zone says (random statuses, services, flags, names that
// point anywhere, huge SRV sets), the locator finishes in its three phases, keeps at most
// max_targets distinct targets, and uses only transports it was allowed.
TEST(Rfc3263, ArbitraryRecordsAlwaysFinish) {
  std::mt19937 prng{2026};
  auto pick = [&](uint32_t n) { return std::uniform_int_distribution<uint32_t>{0, n - 1}(prng); };
  const std::vector<std::string> names{"example.com",
                                       "_sip._udp.example.com",
                                       "_sip._tcp.example.com",
                                       "_sips._tcp.example.com",
                                       "a.example.com",
                                       "b.example.com",
                                       "",
                                       "."};
  const std::vector<std::string> services{"SIP+D2U", "SIP+D2T", "SIPS+D2T", "SIP+D2S", "x", ""};
  Random random = [&](uint32_t max) {
    return std::uniform_int_distribution<uint32_t>{0, max}(prng);
  };
  for (int i = 0; i < 1000; ++i) {
    LocatorOptions opts;
    opts.max_targets = 1 + pick(8);
    if (pick(2)) opts.transports = {Transport::udp};
    std::string text = pick(2) ? "sip:example.com" : "sips:example.com";
    auto uri = sip::parse_uri(text);
    ASSERT_TRUE(uri);
    auto loc = Locator::sip(*uri, opts, random);
    if (text[3] == 's' && opts.transports.size() == 1) {  // SIPS needs TLS, not offered
      ASSERT_FALSE(loc);
      continue;
    }
    ASSERT_TRUE(loc);
    int rounds = 0;
    while (!loc->done()) {
      auto qs = loc->take_queries();
      ASSERT_FALSE(qs.empty());
      ASSERT_LE(++rounds, 3);
      for (const auto& x : qs) {
        Answer a;
        a.status = static_cast<AnswerStatus>(pick(5));
        for (uint32_t k = pick(2) ? pick(40) : 0; k > 0; --k) {
          auto n = static_cast<uint16_t>(pick(65536));
          a.naptr.push_back({n, static_cast<uint16_t>(pick(3)), pick(2) ? "s" : "S",
                             services[pick(services.size())], "", names[pick(names.size())]});
          a.srv.push_back({static_cast<uint16_t>(pick(3)), static_cast<uint16_t>(pick(65536)), n,
                           names[pick(names.size())]});
          a.addresses.push_back("192.0.2." + std::to_string(pick(256)));
        }
        loc->on_answer(x, a);
      }
    }
    auto r = loc->result();
    if (!r) continue;
    ASSERT_LE(r->size(), opts.max_targets);
    for (size_t k = 0; k < r->size(); ++k) {
      const Target& t = r->all()[k];
      EXPECT_TRUE(std::find(opts.transports.begin(), opts.transports.end(), t.transport) !=
                  opts.transports.end());
      for (size_t m = 0; m < k; ++m) EXPECT_FALSE(r->all()[m] == t);
    }
  }
}

// --- RFC 3263 §4.3 failover -----------------------------------------------------------------

TEST(TargetList, CursorMovesToTheNextTargetOnFailure) {
  FixedDraws d{{0, 0}};
  auto run = locate("sip:example.com", d.random());
  ASSERT_TRUE(run.result);
  TargetList list = *run.result;
  ASSERT_EQ(list.size(), 3u);
  ASSERT_NE(list.current(), nullptr);
  EXPECT_EQ(list.current()->address, "192.0.2.1");
  EXPECT_EQ(list.next()->address, "2001:db8::1");  // timeout on the first
  EXPECT_EQ(list.next()->address, "192.0.2.2");    // transport error on the second
  EXPECT_EQ(list.next(), nullptr);
  EXPECT_TRUE(list.exhausted());
  EXPECT_EQ(list.next(), nullptr);  // stays exhausted
  EXPECT_TRUE(TargetList{}.exhausted());
}

// --- HTTP-1: _certificates._tcp SRV, else certificates.<domain>:443 --------------------------

TEST(CertificateStore, SrvThenDefaultHost) {
  // REQ-PART HTTP-1: the location; the HTTPS client that connects to it comes later.
  auto found = drive(Locator::certificate_store("certs.example.com", {}, lowest()));
  EXPECT_EQ(
      targets(found),
      (std::vector<Target>{T("192.0.2.100", 8443, Transport::tcp, "store.certs.example.com")}));
  EXPECT_EQ(found.asked.front(), q("_certificates._tcp.certs.example.com", RrType::srv));

  auto fallback = drive(Locator::certificate_store("nocerts.example.com", {}, lowest()));
  EXPECT_EQ(targets(fallback), (std::vector<Target>{T("192.0.2.101", 443, Transport::tcp,
                                                      "certificates.nocerts.example.com")}));

  auto none = drive(Locator::certificate_store("missing.example.com", {}, lowest()));
  ASSERT_FALSE(none.result);
  EXPECT_EQ(none.result.error().code, Errc::not_found);
}

TEST(CertificateStore, SrvFailureUsesTheDefaultHost) {
  // REQ-PART HTTP-1: a failed SRV lookup also falls back ("otherwise" in HTTP-1).
  Answer servfail;
  servfail.status = AnswerStatus::failure;
  auto run = drive(Locator::certificate_store("nocerts.example.com", {}, lowest()),
                   {{q("_certificates._tcp.nocerts.example.com", RrType::srv), servfail}});
  EXPECT_EQ(targets(run).size(), 1u);
}

}  // namespace
}  // namespace sipcred::net::dns
