// Parsing cost of the two messages that dominate sipcred's SIP traffic: a certificate SUBSCRIBE
// (bench/data/subscribe.sip, 559 bytes) and the signed NOTIFY that answers it (notify.sip, 1,422
// bytes). Target (issue 2): at least 1,000,000 SUBSCRIBE parses per second on one core.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "service/endpoint.hpp"
#include "sip/parser.hpp"
#include "sip/validate.hpp"

namespace {

std::string load(const char* name) {
  std::ifstream in{std::string{SIPCRED_SOURCE_DIR} + "/bench/data/" + name, std::ios::binary};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) std::abort();
  return ss.str();
}

const std::string& subscribe() {
  static const std::string s = load("subscribe.sip");
  return s;
}
const std::string& notify() {
  static const std::string s = load("notify.sip");
  return s;
}

void count(benchmark::State& state, const std::string& msg) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}

// One UDP datagram to a Message: framing, start line, every header split and classified.
void ParseDatagram(benchmark::State& state, const std::string& msg) {
  for (auto _ : state) {
    auto m = sipcred::sip::parse_datagram(msg);
    benchmark::DoNotOptimize(m);
  }
  count(state, msg);
}

// What the server does with every request before acting on it: parse, then validate (parses
// To, From, Call-ID, CSeq, Via, Max-Forwards, the Request-URI and the optional checked headers).
void ParseAndValidate(benchmark::State& state, const std::string& msg) {
  for (auto _ : state) {
    auto m = sipcred::sip::parse_datagram(msg);
    auto v = sipcred::sip::validate_request(*m);
    benchmark::DoNotOptimize(v);
  }
  count(state, msg);
}

// The same bytes through the stream parser, as one TCP read.
void ParseStream(benchmark::State& state, const std::string& msg) {
  sipcred::sip::Parser p;
  for (auto _ : state) {
    auto step = p.feed(msg);
    if (step.status != sipcred::sip::ParseStatus::done) std::abort();
    auto m = p.take();
    benchmark::DoNotOptimize(m);
  }
  count(state, msg);
}

void Serialize(benchmark::State& state, const std::string& msg) {
  auto m = sipcred::sip::parse_datagram(msg);
  std::string out;
  for (auto _ : state) {
    out.clear();
    m->serialize_to(out);
    benchmark::DoNotOptimize(out);
  }
  count(state, msg);
}

// Whole request path of the OPTIONS endpoint: parse, validate, build and serialize the 200,
// and keep a server transaction for it (RFC 3261 §17.2.2) — the per-request SIP work of the
// service. 1,024 distinct branches rotate while virtual time runs 40 ms per request, so Timer J
// (32 s) retires each transaction before its branch comes round again.
void OptionsRoundTrip(benchmark::State& state) {
  std::string base = subscribe();
  base.replace(0, 9, "OPTIONS");
  base.replace(base.find("314159 SUBSCRIBE"), 16, "314159 OPTIONS");
  std::vector<std::string> msgs;
  for (int i = 0; i < 1024; ++i) {
    std::string m = base;
    m.replace(m.find("z9hG4bK776asdhds"), 16, "z9hG4bK" + std::to_string(100000000 + i));
    msgs.push_back(std::move(m));
  }
  sipcred::service::Endpoint ep{sipcred::service::EndpointConfig{.seed = 1}};
  sipcred::service::Peer peer{"192.0.2.1", 5060, sipcred::service::Transport::udp};
  sipcred::TimePoint now{};
  size_t i = 0;
  for (auto _ : state) {
    now += std::chrono::milliseconds{40};
    auto m = sipcred::sip::parse_datagram(msgs[i++ % msgs.size()]);
    auto out = ep.on_message(*m, peer, now);
    auto expired = ep.on_timer(now);
    benchmark::DoNotOptimize(out);
    benchmark::DoNotOptimize(expired);
  }
  state.counters["transactions"] = static_cast<double>(ep.transaction_count());
  count(state, base);
}

BENCHMARK_CAPTURE(ParseDatagram, subscribe, subscribe());
BENCHMARK_CAPTURE(ParseDatagram, notify, notify());
BENCHMARK_CAPTURE(ParseAndValidate, subscribe, subscribe());
BENCHMARK_CAPTURE(ParseAndValidate, notify, notify());
BENCHMARK_CAPTURE(ParseStream, subscribe, subscribe());
BENCHMARK_CAPTURE(ParseStream, notify, notify());
BENCHMARK_CAPTURE(Serialize, notify, notify());
BENCHMARK(OptionsRoundTrip);

}  // namespace

BENCHMARK_MAIN();
