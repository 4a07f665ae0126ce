// Parsing cost of the two messages that dominate sipcred's SIP traffic: a certificate SUBSCRIBE
// (bench/data/subscribe.sip, 559 bytes) and the signed NOTIFY that answers it (notify.sip, 1,422
// bytes). Target (issue 2): at least 1,000,000 SUBSCRIBE parses per second on one core.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

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

// Whole request path of the OPTIONS endpoint: parse, validate, build and serialize the 200.
void OptionsRoundTrip(benchmark::State& state) {
  std::string msg = subscribe();
  msg.replace(0, 9, "OPTIONS");
  msg.replace(msg.find("314159 SUBSCRIBE"), 16, "314159 OPTIONS");
  sipcred::service::Endpoint ep{sipcred::service::EndpointConfig{.seed = 1}};
  sipcred::service::Peer peer{"192.0.2.1", 5060, sipcred::service::Transport::udp};
  for (auto _ : state) {
    auto m = sipcred::sip::parse_datagram(msg);
    auto out = ep.on_message(*m, peer);
    benchmark::DoNotOptimize(out);
  }
  count(state, msg);
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
