// The c-ares resolver on an Asio loop against a real DNS server: dnsmasq (Debian's
// dnsmasq-base), started by each test on loopback with the records of tests/data/dns/zone.txt
// and stopped at the end. Never the machine's resolver. The order within one SRV priority
// depends on the server's record order and on the draws, so those checks look at sets and at
// frequencies; the strict orders are in dns_locator_test.cpp.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "net/dns/resolver.hpp"
#include "support/run.hpp"
#include "unit/net/dns_zone.hpp"

extern char** environ;

namespace sipcred::net::dns {
namespace {

using namespace std::chrono_literals;
using service::Transport;

// A UDP socket bound on loopback; it never answers (the timeout tests' "server") and tells
// the port it got.
class UdpSocket {
 public:
  explicit UdpSocket(uint16_t port = 0) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~UdpSocket() { close(fd_); }
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  bool bound() const { return bound_; }
  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  bool has_datagram() const {
    char b[1];
    return recv(fd_, b, 1, MSG_DONTWAIT | MSG_PEEK) >= 0;
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
  uint16_t port_ = 0;
};

std::string find_dnsmasq() {
  for (auto dir : {"/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"}) {
    auto p = std::filesystem::path{dir} / "dnsmasq";
    if (std::filesystem::exists(p)) return p.string();
  }
  return {};
}

// dnsmasq in the foreground on 127.0.0.1:<free port>, serving only the test zone: no
// upstream (--no-resolv), no /etc/hosts, no configuration file, and NXDOMAIN for unknown names
// under example.com (--local).
class Dnsmasq {
 public:
  Dnsmasq() {
    std::string exe = find_dnsmasq();
    if (exe.empty()) {
      error_ = "dnsmasq not found (scripts/setup.sh installs dnsmasq-base)";
      return;
    }
    {
      UdpSocket probe;  // a free port: bind to 0, note it, let it go
      port_ = probe.port();
    }
    std::vector<std::string> args{exe,
                                  "--keep-in-foreground",
                                  "--log-facility=-",
                                  "--log-queries",
                                  "--port=" + std::to_string(port_),
                                  "--listen-address=127.0.0.1",
                                  "--bind-interfaces",
                                  "--no-resolv",
                                  "--no-hosts",
                                  "--conf-file=/dev/null",
                                  "--pid-file="};
    for (auto& o : test::DnsZone::load().dnsmasq_options("example.com")) args.push_back(o);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    log_ = dir_ / "dnsmasq.log";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      error_ = "posix_spawn dnsmasq failed";
      pid_ = -1;
      return;
    }
    // Ready once it answers a query (binding the port ourselves to test it would race).
    for (int i = 0; i < 250; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error_ = "dnsmasq exited: " + test::read_file(log_);
        return;
      }
      if (answers()) return;
    }
    error_ = "dnsmasq did not bind port " + std::to_string(port_);
  }
  ~Dnsmasq() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  // One RFC 1035 query (id 0x5151, RD, QDCOUNT 1) for "example.com" NAPTR; true on any reply
  // within 20 ms.
  bool answers() const {
    static const unsigned char query[] = {
        0x51, 0x51, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 7,    'e', 'x',
        'a',  'm',  'p',  'l',  'e',  3,    'c',  'o',  'm',  0,    0x00, 35,   0x00, 0x01};
    UdpSocket s;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sendto(s.fd(), query, sizeof query, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    pollfd p{s.fd(), POLLIN, 0};
    return poll(&p, 1, 20) == 1;
  }

  const std::string& error() const { return error_; }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return test::read_file(log_); }

 private:
  test::TempDir dir_;
  std::string log_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string error_;
};

ResolverConfig config_for(const std::string& server, Random random = {}) {
  ResolverConfig c;
  c.servers = {server};
  c.timeout = 1000ms;
  c.tries = 2;
  c.random = std::move(random);
  return c;
}

// Runs the loop until `done` is set (or 10 s pass).
template <class Fn>
void run_until(boost::asio::io_context& io, const bool& done, Fn&& start) {
  start();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    io.run_for(20ms);
    if (io.stopped()) io.restart();
  }
}

// Starts a location through `start(callback)` and runs the loop until the callback came.
template <class Start>
Result<TargetList> locate_with(boost::asio::io_context& io, Start&& start) {
  std::optional<Result<TargetList>> out;
  bool done = false;
  run_until(io, done, [&] {
    start([&](Result<TargetList> r) {
      out = std::move(r);
      done = true;
    });
  });
  return out ? std::move(*out) : Result<TargetList>{fail(Errc::internal, "no callback")};
}

struct Env {
  Dnsmasq dns;
  boost::asio::io_context io;
  std::unique_ptr<Resolver> resolver;

  explicit Env(Random random = {}) {
    if (!dns.error().empty()) return;
    auto r = Resolver::create(io, config_for(dns.server(), std::move(random)));
    if (r) resolver = std::move(*r);
  }
  bool ok() const { return resolver != nullptr; }

  Result<TargetList> sip(std::string_view uri) {
    return locate_with(io, [&](auto cb) { resolver->resolve_sip(uri, cb); });
  }

  Answer query(std::string name, RrType type) {
    Answer out;
    bool done = false;
    run_until(io, done, [&] {
      resolver->query(Query{std::move(name), type}, [&](const Answer& a) {
        out = a;
        done = true;
      });
    });
    return out;
  }
};

#define REQUIRE_ENV(env) ASSERT_TRUE((env).ok()) << (env).dns.error()

std::set<std::string> addresses(const TargetList& list) {
  std::set<std::string> out;
  for (const auto& t : list.all()) out.insert(t.address);
  return out;
}

// NAPTR (RFC 3263 §4.1 example) → SRV _sips._tcp → A and AAAA, all through c-ares and dnsmasq.
TEST(DnsResolver, NaptrSrvAddressChain) {
  Env env;
  REQUIRE_ENV(env);
  auto r = env.sip("sip:alice@example.com");
  ASSERT_TRUE(r) << r.error().detail << "\n" << env.dns.log();
  ASSERT_EQ(r->size(), 3u);
  for (const auto& t : r->all()) {
    EXPECT_EQ(t.transport, Transport::tls);
    EXPECT_EQ(t.port, 5061);
  }
  EXPECT_EQ(addresses(*r), (std::set<std::string>{"192.0.2.1", "2001:db8::1", "192.0.2.2"}));
  // Both addresses of server1 sit next to each other, A before AAAA (LocatorOptions default).
  const auto& all = r->all();
  auto v4 = std::find_if(all.begin(), all.end(), [](auto& t) { return t.address == "192.0.2.1"; });
  ASSERT_NE(v4 + 1, all.end());
  EXPECT_EQ((v4 + 1)->address, "2001:db8::1");
}

// The single queries and what dnsmasq says for each kind of name.
TEST(DnsResolver, SingleQueriesAndStatuses) {
  Env env;
  REQUIRE_ENV(env);
  auto naptr = env.query("example.com", RrType::naptr);
  ASSERT_EQ(naptr.status, AnswerStatus::ok) << naptr.detail;
  ASSERT_EQ(naptr.naptr.size(), 3u);
  std::map<uint16_t, NaptrRecord> by_order;
  for (auto& n : naptr.naptr) by_order[n.order] = n;
  EXPECT_EQ(by_order[50].service, "SIPS+D2T");
  EXPECT_EQ(by_order[50].flags, "s");
  EXPECT_EQ(by_order[50].regexp, "");
  EXPECT_EQ(by_order[50].replacement, "_sips._tcp.example.com");
  EXPECT_EQ(by_order[100].service, "SIP+D2U");

  auto srv = env.query("_sip._tcp.srvonly.example.com", RrType::srv);
  ASSERT_EQ(srv.status, AnswerStatus::ok);
  ASSERT_EQ(srv.srv.size(), 1u);
  EXPECT_EQ(srv.srv[0].port, 5070);
  EXPECT_EQ(srv.srv[0].target, "host.srvonly.example.com");

  auto aaaa = env.query("server1.example.com", RrType::aaaa);
  ASSERT_EQ(aaaa.status, AnswerStatus::ok);
  EXPECT_EQ(aaaa.addresses, (std::vector<std::string>{"2001:db8::1"}));

  EXPECT_EQ(env.query("nowhere.example.com", RrType::a).status, AnswerStatus::nxdomain);
  EXPECT_EQ(env.query("dot.example.com", RrType::naptr).status, AnswerStatus::no_data);
}

// RFC 2782 over the wire: priority 1 first, priority 9 last, priority 5's four in between.
// Over 200 locations with a real PRNG, weight 60 comes first in priority 5 far more often than
// weight 10, and weight 0 hardly ever (expected 60/101, 10/101, 1/101).
TEST(DnsResolver, SrvPrioritiesAndWeights) {
  Env env;
  REQUIRE_ENV(env);
  std::map<std::string, int> second;
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    auto r = env.sip("sip:weights.example.com");
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->size(), 6u);
    EXPECT_EQ(r->all().front().address, "192.0.2.41");
    EXPECT_EQ(r->all().back().address, "192.0.2.49");
    ++second[r->all()[1].address];
  }
  EXPECT_GT(second["192.0.2.60"], 90);  // w60, expected ~119
  EXPECT_LT(second["192.0.2.70"], 40);  // w10, expected ~20
  EXPECT_GT(second["192.0.2.60"], second["192.0.2.30"]);
  EXPECT_GT(second["192.0.2.30"], second["192.0.2.70"]);
  EXPECT_LT(second["192.0.2.50"], 12);  // w0, expected ~2
}

TEST(DnsResolver, SrvPerTransportAndNaptrFallthrough) {
  Env env;
  REQUIRE_ENV(env);
  auto srvonly = env.sip("sip:srvonly.example.com");
  ASSERT_TRUE(srvonly) << srvonly.error().detail;
  EXPECT_EQ(srvonly->all(),
            (std::vector<Target>{
                Target{"192.0.2.10", 5070, Transport::tcp, "host.srvonly.example.com"},
                Target{"192.0.2.10", 5080, Transport::udp, "host.srvonly.example.com"}}));
  auto fall = env.sip("sip:fallthrough.example.com");
  ASSERT_TRUE(fall) << fall.error().detail;
  EXPECT_EQ(fall->all(), (std::vector<Target>{Target{"192.0.2.90", 5062, Transport::udp,
                                                     "host.fallthrough.example.com"}}));
}

TEST(DnsResolver, AaaaOnlyHostAndAddressFallback) {
  Env env;
  REQUIRE_ENV(env);
  auto v6 = env.sip("sip:v6.example.com");
  ASSERT_TRUE(v6) << v6.error().detail;
  EXPECT_EQ(v6->all(),
            (std::vector<Target>{Target{"2001:db8::6", 5060, Transport::udp, "v6.example.com"}}));
  auto plain = env.sip("sips:plain.example.com");
  ASSERT_TRUE(plain) << plain.error().detail;
  EXPECT_EQ(plain->all(),
            (std::vector<Target>{Target{"192.0.2.20", 5061, Transport::tls, "plain.example.com"}}));
}

TEST(DnsResolver, NxdomainAndDotTargetAreNotFound) {
  Env env;
  REQUIRE_ENV(env);
  auto nx = env.sip("sip:nowhere.example.com");
  ASSERT_FALSE(nx);
  EXPECT_EQ(nx.error().code, Errc::not_found) << nx.error().detail;
  auto dot = env.sip("sip:dot.example.com");
  ASSERT_FALSE(dot);
  EXPECT_EQ(dot.error().code, Errc::not_found) << dot.error().detail;
}

TEST(DnsResolver, CertificateStoreSrvOrDefault) {
  // REQ-PART HTTP-1: SRV and default host resolved through c-ares and a real DNS server.
  Env env;
  REQUIRE_ENV(env);
  auto run = [&](auto&& start) { return locate_with(env.io, start); };
  auto srv =
      run([&](auto cb) { env.resolver->resolve_certificate_store("certs.example.com", cb); });
  ASSERT_TRUE(srv) << srv.error().detail;
  EXPECT_EQ(srv->all(), (std::vector<Target>{Target{"192.0.2.100", 8443, Transport::tcp,
                                                    "store.certs.example.com"}}));
  auto def =
      run([&](auto cb) { env.resolver->resolve_certificate_store("nocerts.example.com", cb); });
  ASSERT_TRUE(def) << def.error().detail;
  EXPECT_EQ(def->all(), (std::vector<Target>{Target{"192.0.2.101", 443, Transport::tcp,
                                                    "certificates.nocerts.example.com"}}));
  // The generic form: service + domain, default host = the domain itself (RFC 2782).
  auto generic = run([&](auto cb) {
    env.resolver->resolve_srv_or_default("_sip._udp", "plain.example.com", 5999, cb);
  });
  ASSERT_TRUE(generic) << generic.error().detail;
  EXPECT_EQ(generic->all(),
            (std::vector<Target>{Target{"192.0.2.20", 5999, Transport::udp, "plain.example.com"}}));
}

// A server that never answers: the lookup ends with a timeout after the configured time,
// reported as io (not as "no such name").
TEST(DnsResolver, TimeoutWhenNobodyAnswers) {
  UdpSocket silent;
  boost::asio::io_context io;
  ResolverConfig c = config_for("127.0.0.1:" + std::to_string(silent.port()));
  c.timeout = 200ms;
  c.tries = 1;
  auto resolver = Resolver::create(io, c);
  ASSERT_TRUE(resolver) << resolver.error().detail;
  Answer a;
  bool done = false;
  auto t0 = std::chrono::steady_clock::now();
  run_until(io, done, [&] {
    (*resolver)->query(Query{"plain.example.com", RrType::a}, [&](const Answer& x) {
      a = x;
      done = true;
    });
  });
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(done);
  EXPECT_EQ(a.status, AnswerStatus::timeout) << a.detail;
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 3s);
  EXPECT_TRUE(silent.has_datagram());  // the query did go out

  auto out =
      locate_with(io, [&](auto cb) { (*resolver)->resolve_sip("sip:plain.example.com", cb); });
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::io) << out.error().detail;
}

// RFC 3263 §4.2: a numeric host answers at once and sends nothing to the DNS server.
TEST(DnsResolver, NumericHostNeedsNoDns) {
  UdpSocket silent;
  boost::asio::io_context io;
  auto resolver = Resolver::create(io, config_for("127.0.0.1:" + std::to_string(silent.port())));
  ASSERT_TRUE(resolver);
  bool fired = false;
  bool called_inline = false;
  auto t0 = std::chrono::steady_clock::now();
  auto out = locate_with(io, [&](auto cb) {
    (*resolver)->resolve_sip("sip:bob@[2001:db8::7]:5070;transport=tcp",
                             [&fired, cb](Result<TargetList> r) {
                               fired = true;
                               cb(std::move(r));
                             });
    called_inline = fired;
  });
  EXPECT_FALSE(called_inline);  // callbacks always come from the loop
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  ASSERT_TRUE(out) << out.error().detail;
  EXPECT_EQ(out->all(),
            (std::vector<Target>{Target{"2001:db8::7", 5070, Transport::tcp, "[2001:db8::7]"}}));
  EXPECT_FALSE(silent.has_datagram());
}

TEST(DnsResolver, BadUriAndBadServerAreErrors) {
  boost::asio::io_context io;
  for (auto bad : {"dns.example.com", "127.0.0.1:99999", "[::1", "127.0.0.1:x"}) {
    auto r = Resolver::create(io, config_for(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::config) << bad;
  }
  auto ok = Resolver::create(io, config_for("[::1]:5353"));
  ASSERT_TRUE(ok) << ok.error().detail;
  auto out = locate_with(io, [&](auto cb) { (*ok)->resolve_sip("not a uri", cb); });
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::invalid_argument);
}

// Destroying the resolver with lookups in flight: their callbacks never run, nothing leaks
// (ASan checks the latter).
TEST(DnsResolver, DestroyWithQueriesInFlight) {
  UdpSocket silent;
  boost::asio::io_context io;
  auto resolver = Resolver::create(io, config_for("127.0.0.1:" + std::to_string(silent.port())));
  ASSERT_TRUE(resolver);
  bool called = false;
  (*resolver)->resolve_sip("sip:plain.example.com", [&](Result<TargetList>) { called = true; });
  (*resolver)->query(Query{"plain.example.com", RrType::a}, [&](const Answer&) { called = true; });
  io.run_for(50ms);
  resolver->reset();
  io.restart();
  io.run_for(100ms);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace sipcred::net::dns
