// The credential service below the sockets (issue 5's figures): Endpoint + CredentialService +
// the SQLite store, driven in-process the way src/net drives them.
//   DurablePublish/W      PUBLISHes per second with W in flight, each answered only after the
//                         group commit holding it is on disk (PUB-*, store group commit)
//   FanOut                one re-PUBLISH → NOTIFYs to 10,000 certificate subscribers of the AOR
//   ExpireAll/N           N subscriptions of one AOR expire together and are removed
//   SubscriptionMemory/N  heap and RSS per certificate subscription at N subscriptions
// Run with the release preset; see BENCHMARKS.md "Credential service" for commands and figures.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "auth/client.hpp"
#include "auth/digest.hpp"
#include "crypto/certificate.hpp"
#include "mime/multipart.hpp"
#include "service/credential_service.hpp"
#include "service/endpoint.hpp"
#include "sip/parser.hpp"
#include "sip/response.hpp"

namespace {

using namespace sipcred;
using namespace sipcred::service;
using namespace std::chrono_literals;

std::vector<uint8_t> read_bytes(const std::string& name) {
  std::ifstream in{std::filesystem::path{SIPCRED_SOURCE_DIR} / "tests" / "data" / "certs" / name,
                   std::ios::binary};
  return {std::istreambuf_iterator<char>(in), {}};
}

const Peer kTls{"192.0.2.7", 40001, Transport::tls};

// A subscriber's address: one per subscription, as behind distinct NATs.
Peer subscriber(uint64_t i) {
  return Peer{"10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
                  std::to_string(i & 255),
              5060, Transport::udp};
}

// A certificate SUBSCRIBE as a typical UA sends it: 32-hex Call-ID, 16-hex From tag (what
// Linphone and PJSIP-based phones use); the header set of tests/integration/sipp.
std::string certificate_subscribe(uint64_t i, std::string_view aor) {
  const Peer p = subscriber(i);
  char id[40];
  std::snprintf(id, sizeof id, "%016llx%016llx",
                static_cast<unsigned long long>(i * 0x9e3779b97f4a7c15ull),
                static_cast<unsigned long long>(i));
  std::string s;
  s.reserve(600);
  s += "SUBSCRIBE " + std::string{aor} + " SIP/2.0\r\n";
  s +=
      "Via: SIP/2.0/UDP " + p.address + ":5060;branch=z9hG4bK" + std::string{id, 16} + ";rport\r\n";
  s += "Max-Forwards: 70\r\n";
  s += "From: <sip:watcher@example.org>;tag=" + std::string{id + 16, 16} + "\r\n";
  s += "To: <" + std::string{aor} + ">\r\n";
  s += "Call-ID: " + std::string{id, 32} + "\r\n";
  s += "CSeq: 1 SUBSCRIBE\r\n";
  s += "Contact: <sip:watcher@" + p.address + ":5060>\r\n";
  s += "Event: certificate\r\n";
  s += "Accept: application/pkix-cert\r\n";
  s += "Expires: 86400\r\n";
  s += "Content-Length: 0\r\n\r\n";
  return s;
}

// The 200 a subscriber sends to one of our NOTIFYs.
sip::Message ok_to(const std::string& notify) {
  auto n = sip::parse_datagram(notify);
  auto r = sip::parse_datagram(sip::make_response(*n, 200, {}, {}).serialize());
  return std::move(*r);
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double process_cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto sec = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

// The whole service over a store file in a temporary folder on the disk.
struct Harness {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<CredentialService> svc;
  std::unique_ptr<Endpoint> ep;
  TimePoint now{};
  WallTime wall;
  auth::ClientAuth client{{"alice", std::string{"wonderland"}, {}}};
  int branch = 0;
  std::vector<uint8_t> cert = read_bytes("good.der");
  std::vector<uint8_t> key = read_bytes("good-aes.p8.der");
  std::string body, content_type;

  Harness(size_t max_batch, size_t max_subscriptions = 1'000'000) {
    char tmpl[] = "/tmp/sipcred-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    auto s = store::open_sqlite({.path = (dir / "cred.db").string(), .max_batch = max_batch});
    if (!s) throw std::runtime_error(s.error().message());
    store = std::move(*s);
    wall = crypto::Certificate::from_der(cert)->not_before() + 1h;
    CredentialServiceConfig cfg;
    cfg.domains = {{"example.com", ""}};
    cfg.digest.secret = std::vector<uint8_t>(32, 7);
    cfg.max_subscriptions = max_subscriptions;
    cfg.seed = 5;
    cfg.notifier.seed = 6;
    auto c = CredentialService::create(cfg, *store);
    if (!c) throw std::runtime_error(c.error().message());
    svc = std::move(*c);
    ep = std::make_unique<Endpoint>(EndpointConfig{.seed = 4}, svc.get());
    store::User alice{"sip:alice@example.com", "example.com", "alice", {}, false};
    for (auto [hash, name] :
         {std::pair{crypto::HashAlg::md5, "MD5"}, std::pair{crypto::HashAlg::sha256, "SHA-256"},
          std::pair{crypto::HashAlg::sha512_256, "SHA-512-256"}}) {
      alice.ha1.push_back({name, auth::ha1(hash, "alice", "example.com", "wonderland")});
    }
    if (!store->put_user(alice, {"admin", "bench"}, wall)) throw std::runtime_error("put_user");
    body = mime::build_credential_body(cert, key, content_type);
    // One challenge; every later PUBLISH reuses its nonce with the next nonce-count (RFC 7616
    // §3.4), as a client on one TLS connection does.
    auto first = ep->on_message(*sip::parse_datagram(publish_text(false)), kTls, now, wall);
    auto r = sip::parse_datagram(first.at(0).bytes);
    auto ch = r->all(sip::HeaderId::www_authenticate);
    if (client.on_challenge(ch) != auth::ClientAuth::Action::retry) {
      throw std::runtime_error("no usable challenge");
    }
  }
  ~Harness() {
    ep.reset();
    svc.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  // An unconditional PUBLISH of alice's credential (RFC 3903 initial publication).
  std::string publish_text(bool authorized) {
    ++branch;
    std::string s = "PUBLISH sip:alice@example.com SIP/2.0\r\n";
    s += "Via: SIP/2.0/TLS 192.0.2.7:40001;branch=z9hG4bKp" + std::to_string(branch) + "\r\n";
    s += "Max-Forwards: 70\r\n";
    s += "From: <sip:alice@example.com>;tag=f1\r\n";
    s += "To: <sip:alice@example.com>\r\n";
    s += "Call-ID: pub-" + std::to_string(branch) + "\r\n";
    s += "CSeq: 1 PUBLISH\r\n";
    s += "Event: credential\r\n";
    if (authorized) {
      s += "Authorization: " + *client.authorize("PUBLISH", "sip:alice@example.com") + "\r\n";
    }
    s += "Content-Type: " + content_type + "\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    s += body;
    return s;
  }

  // Commits what the endpoint asked for and hands the results back (synchronously).
  std::vector<Outgoing> commit_all() {
    std::vector<Outgoing> out;
    for (auto& w : ep->take_writes()) {
      std::optional<Result<store::Applied>> result;
      store->submit(std::move(w.change), w.wall, [&](Result<store::Applied> r) { result = r; });
      store->flush();
      auto more = ep->on_write_done(w.token, std::move(*result), now, wall);
      out.insert(out.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
    }
    return out;
  }

  // `n` certificate subscriptions (subscriber ids first..first+n-1) to aor(i), every first
  // NOTIFY answered 200. Every 5,000 subscriptions time moves on 40 s so that the finished
  // transactions (Timer J 32 s, Timer K 5 s over UDP) are gone.
  template <class AorOf>
  void subscribe_many(uint64_t first, uint64_t n, AorOf aor) {
    for (uint64_t i = first; i < first + n; ++i) {
      auto m = sip::parse_datagram(certificate_subscribe(i, aor(i)));
      auto out = ep->on_message(*m, subscriber(i), now, wall);
      if (out.size() != 2 || out[0].status != 200) throw std::runtime_error("SUBSCRIBE refused");
      ep->on_message(ok_to(out[1].bytes), subscriber(i), now, wall);
      if ((i - first + 1) % 5000 == 0) settle();
    }
    settle();
  }
  void settle() {
    now += 40s;
    ep->on_timer(now, wall);
  }
};

// Results handed from the store's writer thread to the "I/O thread" (this one), as
// net::Server posts them to its io_context.
struct Completions {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<uint64_t, Result<store::Applied>>> done;
  void push(uint64_t token, Result<store::Applied> r) {
    {
      std::lock_guard lock{mu};
      done.emplace_back(token, std::move(r));
    }
    cv.notify_one();
  }
  std::deque<std::pair<uint64_t, Result<store::Applied>>> wait() {
    std::unique_lock lock{mu};
    cv.wait(lock, [&] { return !done.empty(); });
    std::deque<std::pair<uint64_t, Result<store::Applied>>> out;
    out.swap(done);
    return out;
  }
};

// b. Durable PUBLISHes: W PUBLISHes in flight over TLS peers (TLS itself is not in-process),
// each parsed, digest-checked, PUB-3-checked, committed (WAL, synchronous=FULL, group commit)
// and answered 200 after the commit. Items are acknowledged PUBLISHes.
void DurablePublish(benchmark::State& state) {
  const size_t window = static_cast<size_t>(state.range(0));
  const size_t max_batch = static_cast<size_t>(state.range(1));
  constexpr size_t kPerIteration = 2000;
  Harness h{max_batch};
  Completions completions;
  uint64_t acknowledged = 0;
  store::Stats before = h.store->stats();
  double cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::string> texts;
    texts.reserve(kPerIteration);
    for (size_t i = 0; i < kPerIteration; ++i) texts.push_back(h.publish_text(true));
    state.ResumeTiming();
    double c0 = process_cpu_seconds();
    size_t sent = 0, outstanding = 0;
    while (sent < kPerIteration || outstanding > 0) {
      while (outstanding < window && sent < kPerIteration) {
        auto m = sip::parse_datagram(texts[sent++]);
        auto out = h.ep->on_message(*m, kTls, h.now, h.wall);
        if (!out.empty()) throw std::runtime_error("PUBLISH answered early: " + out[0].bytes);
        for (auto& w : h.ep->take_writes()) {
          uint64_t token = w.token;
          h.store->submit(std::move(w.change), w.wall,
                          [&completions, token](auto r) { completions.push(token, std::move(r)); });
          ++outstanding;
        }
      }
      for (auto& [token, r] : completions.wait()) {
        auto out = h.ep->on_write_done(token, std::move(r), h.now, h.wall);
        if (out.empty() || out[0].status != 200) throw std::runtime_error("PUBLISH not 200");
        --outstanding;
        ++acknowledged;
      }
      h.ep->on_timer(h.now, h.wall);  // finished server transactions go, as net's timer does
    }
    cpu += process_cpu_seconds() - c0;
  }
  store::Stats after = h.store->stats();
  state.SetItemsProcessed(static_cast<int64_t>(acknowledged));
  double commits = static_cast<double>(after.transactions - before.transactions);
  state.counters["publish_per_commit"] =
      commits > 0 ? static_cast<double>(after.changes - before.changes) / commits : 0;
  state.counters["largest_batch"] = static_cast<double>(after.largest_batch);
  // Both threads (this one and the store's writer): the CPU one PUBLISH costs.
  state.counters["cpu_us_per_publish"] = cpu * 1e6 / static_cast<double>(acknowledged);
}
BENCHMARK(DurablePublish)
    ->ArgNames({"in_flight", "max_batch"})
    ->Args({1, 256})
    ->Args({16, 256})
    ->Args({64, 256})
    ->Args({256, 256})
    ->Args({64, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// c. Fan-out: 10,000 certificate subscribers of alice (over UDP, each first NOTIFY answered,
// more than the CERT-7 minute ago); one re-PUBLISH is committed, then the timed part:
// Endpoint::on_write_done, which answers the PUBLISH and builds every NOTIFY. It runs on the
// I/O thread in one piece, so it is also how long any other request waits behind the change.
void FanOut(benchmark::State& state) {
  const uint64_t subscribers = static_cast<uint64_t>(state.range(0));
  Harness h{256, 2'000'000};
  h.subscribe_many(0, subscribers, [](uint64_t) { return "sip:alice@example.com"; });
  size_t notifies = 0, bytes = 0, over_tcp = 0;
  double send_seconds = 0, cpu_seconds = 0, longest_turn = 0;
  int sink_fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sink{};
  sink.sin_family = AF_INET;
  sink.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(sink_fd, reinterpret_cast<const sockaddr*>(&sink), sizeof sink);
  socklen_t len = sizeof sink;
  ::getsockname(sink_fd, reinterpret_cast<sockaddr*>(&sink), &len);
  for (auto _ : state) {
    h.now += 61s;  // past min_interval since the last NOTIFY of every subscriber
    h.ep->on_timer(h.now, h.wall);
    auto early = h.ep->on_message(*sip::parse_datagram(h.publish_text(true)), kTls, h.now, h.wall);
    auto writes = h.ep->take_writes();
    if (!early.empty() || writes.size() != 1) throw std::runtime_error("PUBLISH not pending");
    std::optional<Result<store::Applied>> result;
    h.store->submit(std::move(writes[0].change), writes[0].wall,
                    [&](Result<store::Applied> r) { result = std::move(r); });
    h.store->flush();
    auto t0 = std::chrono::steady_clock::now();
    double c0 = thread_cpu_seconds();
    auto out = h.ep->on_write_done(writes[0].token, std::move(*result), h.now, h.wall);
    // The notifier sends a large fan-out a batch per turn of the event loop (next_deadline()
    // says "now" until it is done): drain it as net::Server's timer would, and keep the longest
    // single turn, which is how long other traffic can wait.
    double turn = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    longest_turn = std::max(longest_turn, turn);
    while (auto d = h.ep->next_deadline()) {
      if (*d > h.now) break;
      auto u0 = std::chrono::steady_clock::now();
      auto more = h.ep->on_timer(h.now, h.wall);
      longest_turn =
          std::max(longest_turn,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - u0).count());
      if (more.empty()) break;
      out.insert(out.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
    }
    cpu_seconds += thread_cpu_seconds() - c0;
    auto t1 = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    if (out.size() != subscribers + 1 || out[0].status != 200) {
      throw std::runtime_error("fan-out produced " + std::to_string(out.size()) + " messages");
    }
    notifies = out.size() - 1;
    bytes = 0;
    over_tcp = 0;
    // What net::Server then does on the same thread: one sendto() per NOTIFY (here all to one
    // loopback sink that nobody reads; the kernel drops what overflows its buffer).
    auto s0 = std::chrono::steady_clock::now();
    for (size_t i = 1; i < out.size(); ++i) {
      ::sendto(sock, out[i].bytes.data(), out[i].bytes.size(), 0,
               reinterpret_cast<const sockaddr*>(&sink), sizeof sink);
    }
    auto s1 = std::chrono::steady_clock::now();
    send_seconds += std::chrono::duration<double>(s1 - s0).count();
    for (size_t i = 1; i < out.size(); ++i) {
      bytes += out[i].bytes.size();
      over_tcp += out[i].to.transport == Transport::tcp;
      h.ep->on_message(ok_to(out[i].bytes), out[i].to, h.now, h.wall);
    }
  }
  ::close(sock);
  ::close(sink_fd);
  state.counters["sendto_ms"] = send_seconds * 1e3 / static_cast<double>(state.iterations());
  state.counters["cpu_ms"] = cpu_seconds * 1e3 / static_cast<double>(state.iterations());
  state.counters["longest_turn_ms"] = longest_turn * 1e3;  // other traffic waits at most this
  state.counters["notifies"] = static_cast<double>(notifies);
  state.counters["notify_bytes"] = static_cast<double>(bytes) / static_cast<double>(notifies);
  state.counters["over_tcp"] = static_cast<double>(over_tcp);
  state.counters["us_per_notify"] = benchmark::Counter(
      static_cast<double>(notifies),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(FanOut)->Arg(10'000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

// Removal: N certificate subscriptions of one AOR reach their expiry together; each gets its
// final NOTIFY (RFC 6665 §4.2.2, reason=timeout) and the subscription is removed when the 200 to
// it comes. Timed: handing the N 200s to the endpoint (each one removes a subscription). Items
// are removals, so the time per item should not grow with N.
void ExpireAll(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  size_t removed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto h = std::make_unique<Harness>(256, 2'000'000);
    h->subscribe_many(0, n, [](uint64_t) { return "sip:alice@example.com"; });
    h->now += 86400s + 3600s;
    auto finals = h->ep->on_timer(h->now, h->wall);
    std::vector<std::pair<sip::Message, Peer>> oks;
    for (auto& f : finals) oks.emplace_back(ok_to(f.bytes), f.to);
    if (oks.size() != n) throw std::runtime_error("not every subscription got its final NOTIFY");
    state.ResumeTiming();
    for (auto& [ok, peer] : oks) h->ep->on_message(ok, peer, h->now, h->wall);
    state.PauseTiming();
    if (h->svc->notifier().size() != 0) throw std::runtime_error("subscriptions left");
    removed += n;
    h.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(removed));
}
BENCHMARK(ExpireAll)->Arg(2'500)->Arg(10'000)->Arg(40'000)->Iterations(1)->Unit(
    benchmark::kMillisecond);

size_t rss_bytes() {
  std::ifstream in{"/proc/self/statm"};
  size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}
size_t heap_in_use() {
  struct mallinfo2 mi = ::mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
// glibc's chunk for a request of n bytes (malloc/malloc.c: 8 bytes of header, 16-byte
// alignment, 32 bytes at least), to price what each string and node costs.
size_t chunk(size_t n) {
  return std::max<size_t>(32, (n + 8 + 15) & ~size_t{15});
}
size_t heap_of(const std::string& s) {
  return s.capacity() > 15 ? chunk(s.capacity() + 1) : 0;  // libstdc++ SSO holds 15 chars
}

// d. Memory per certificate subscription: N subscriptions over 1,000 AORs, each made through the
// endpoint (a 200 and the first NOTIFY, answered), every transaction finished; the heap in use
// (mallinfo2) and the resident set (/proc/self/statm) before and after. Run each N in its own
// process (--benchmark_filter=SubscriptionMemory/N) so that RSS starts from a fresh heap.
void SubscriptionMemory(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  for (auto _ : state) {
    Harness h{256, 2'000'000};
    std::vector<std::string> aors;
    for (int i = 0; i < 1000; ++i) aors.push_back("sip:user" + std::to_string(i) + "@example.com");
    // Warm the store's page cache and the endpoint's tables so that the baseline holds them.
    h.subscribe_many(n, 1000, [&](uint64_t i) { return aors[i % 1000]; });
    ::malloc_trim(0);
    size_t heap0 = heap_in_use(), rss0 = rss_bytes();
    size_t subs0 = h.svc->notifier().size();
    h.subscribe_many(0, n, [&](uint64_t i) { return aors[i % 1000]; });
    size_t heap1 = heap_in_use(), rss1 = rss_bytes();
    size_t added = h.svc->notifier().size() - subs0;
    if (added != n || h.svc->notifier().outstanding() != 0 || h.ep->transaction_count() != 0) {
      throw std::runtime_error("subscriptions did not settle");
    }
    state.counters["heap_per_sub"] = static_cast<double>(heap1 - heap0) / static_cast<double>(n);
    state.counters["rss_per_sub"] = static_cast<double>(rss1 - rss0) / static_cast<double>(n);
    // Where it goes, priced block by block with glibc's chunk sizes on the subscriptions
    // themselves (ids are handed out 1, 2, ...) and on the libstdc++ node layouts of Notifier's
    // containers: unordered_map<uint64_t, Subscription> (next pointer + key + value, no cached
    // hash), unordered_(multi)map<string, uint64_t> (next + string + id + cached hash), std::set
    // of (TimePoint, id) (32-byte red-black header + 16), unordered_map<uint64_t, TimePoint>.
    double dialog_strings = 0, sub_strings = 0, dialog_index = 0, resource_index = 0;
    auto& notifier = const_cast<Notifier&>(h.svc->notifier());
    size_t seen = 0;
    for (uint64_t id = 1; seen < 1000 && id < subs0 + n + 1; ++id) {
      const Subscription* s = notifier.find(id);
      if (s == nullptr) continue;
      ++seen;
      const sip::Dialog& d = s->dialog;
      dialog_strings +=
          static_cast<double>(heap_of(d.call_id) + heap_of(d.local_tag) + heap_of(d.remote_tag) +
                              heap_of(d.local) + heap_of(d.remote) + heap_of(d.remote_target));
      sub_strings += static_cast<double>(heap_of(s->package) + heap_of(s->event_id) +
                                         heap_of(s->resource) + heap_of(s->user) +
                                         heap_of(s->flow.address) + heap_of(s->final_reason));
      std::string dk = sip::dialog_key(d.call_id, d.local_tag, d.remote_tag);
      dk.shrink_to_fit();
      dialog_index += static_cast<double>(chunk(8 + 32 + 8 + 8) + heap_of(dk));
      std::string rk = s->package + " " + s->resource;
      rk.shrink_to_fit();
      resource_index += static_cast<double>(chunk(8 + 32 + 8 + 8) + heap_of(rk));
    }
    const double k = static_cast<double>(seen);
    const double node = static_cast<double>(chunk(8 + 8 + sizeof(Subscription)));
    const double timers = static_cast<double>(chunk(32 + 16) + chunk(8 + 8 + 8));
    const double heap = static_cast<double>(heap1 - heap0) / static_cast<double>(n);
    state.counters["sizeof_subscription"] = sizeof(Subscription);
    state.counters["sizeof_dialog"] = sizeof(sip::Dialog);
    state.counters["b_subscription_node"] = node;
    state.counters["b_dialog_strings"] = dialog_strings / k;
    state.counters["b_other_strings"] = sub_strings / k;
    state.counters["b_by_dialog"] = dialog_index / k;
    state.counters["b_by_resource"] = resource_index / k;
    state.counters["b_timer_nodes"] = timers;
    state.counters["b_rest_buckets"] =
        heap - node - (dialog_strings + sub_strings + dialog_index + resource_index) / k - timers;
  }
}
BENCHMARK(SubscriptionMemory)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
