// RFC 2876 KEA and CMS costs. A KEA agreement (e-mail mode, recipient side) is two secret
// exponentiations mod a 1024-bit p with 160-bit exponents (R_A^x_B, Y_A^x_B) plus the two
// public-value checks (V^q, each another 160-bit exponentiation) and the SKIPJACK key formation;
// the benchmarks below put it beside its parts and beside Crypto++'s modular exponentiation as
// the yardstick. Also: whole EnvelopedData for three recipients, made and opened.
//   taskset -c 0 ./build/release/bench/cms_bench
#include <benchmark/benchmark.h>
#include <cryptopp/integer.h>
#include <cryptopp/nbtheory.h>

#include <fstream>
#include <sstream>

#include "cms/rfc2876/envelope.hpp"
#include "cms/rfc2876/kea.hpp"
#include "crypto/kea.hpp"

namespace {

namespace r = sipcred::cms::rfc2876;
using Bytes = std::vector<uint8_t>;

Bytes hex(const std::string& h) {
  Bytes out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}

// The first block of tests/data/rfc2876/kea.vec (an openssl-made 1024/160 domain).
struct Fixture {
  r::KeaDomain d;
  Bytes xa, xb, ra;
  Fixture() {
    std::ifstream in{std::string{SIPCRED_SOURCE_DIR} + "/tests/data/rfc2876/kea.vec"};
    std::string line;
    auto take = [&](const std::string& name, Bytes& dst) {
      if (line.rfind(name + " = ", 0) == 0 && dst.empty()) dst = hex(line.substr(name.size() + 3));
    };
    while (std::getline(in, line)) {
      take("p", d.p), take("q", d.q), take("g", d.g), take("xa", xa), take("xb", xb),
          take("ra", ra);
    }
  }
};
const Fixture& fx() {
  static const Fixture f;
  return f;
}

void Kea_ModExpSecret(benchmark::State& state) {
  auto p = sipcred::crypto::ModP::create(fx().d.p);
  for (auto _ : state) benchmark::DoNotOptimize(p->exp_secret(fx().d.g, fx().xa, fx().d.q));
}

void Kea_ModExpPublic(benchmark::State& state) {
  auto p = sipcred::crypto::ModP::create(fx().d.p);
  for (auto _ : state) benchmark::DoNotOptimize(p->exp_public(fx().d.g, fx().xa));
}

void Cryptopp_ModExp(benchmark::State& state) {
  const CryptoPP::Integer p(fx().d.p.data(), fx().d.p.size()), g(fx().d.g.data(), fx().d.g.size()),
      x(fx().xa.data(), fx().xa.size());
  for (auto _ : state) benchmark::DoNotOptimize(a_exp_b_mod_c(g, x, p));
}

void Kea_PublicValueCheck(benchmark::State& state) {
  auto a = r::kea_key_pair_from_private(fx().d, fx().xa);
  for (auto _ : state) benchmark::DoNotOptimize(r::check_kea_public_value(fx().d, a->y));
}

// The whole recipient side: checks of Y_A and R_A, two secret exponentiations, key formation.
void Kea_EmailRecipientAgreement(benchmark::State& state) {
  auto a = r::kea_key_pair_from_private(fx().d, fx().xa);
  auto ra = r::kea_key_pair_from_private(fx().d, fx().ra);
  auto b = r::kea_key_pair_from_private(fx().d, fx().xb);
  for (auto _ : state) benchmark::DoNotOptimize(r::kea_email_recipient(fx().d, *b, a->y, ra->y));
}

void Kea_KeyPairGeneration(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(r::generate_kea_key_pair(fx().d));
}

void Kea_TekFromW(benchmark::State& state) {
  Bytes w(128, 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(r::kea_tek_from_w(w));
}

BENCHMARK(Kea_ModExpSecret)->Unit(benchmark::kMicrosecond);
BENCHMARK(Kea_ModExpPublic)->Unit(benchmark::kMicrosecond);
BENCHMARK(Cryptopp_ModExp)->Unit(benchmark::kMicrosecond);
BENCHMARK(Kea_PublicValueCheck)->Unit(benchmark::kMicrosecond);
BENCHMARK(Kea_EmailRecipientAgreement)->Unit(benchmark::kMicrosecond);
BENCHMARK(Kea_KeyPairGeneration)->Unit(benchmark::kMicrosecond);
BENCHMARK(Kea_TekFromW)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
