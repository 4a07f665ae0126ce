// Cost of making a user credential (key pair + self-signed certificate, PKI-1..3) and of opening
// an encrypted PKCS#8 at the default PBKDF2 iteration count (PKI-4). Issue 4's figures.
#include <benchmark/benchmark.h>

#include "core/clock.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"

namespace {

using namespace sipcred;

void MakeCredential(benchmark::State& state, crypto::KeyType type) {
  crypto::CertificateRequest req;
  req.uris = {"sip:bob@example.com"};
  WallTime now{std::chrono::seconds{1'800'000'000}};
  for (auto _ : state) {
    auto key = crypto::PrivateKey::generate(type);
    auto cert = crypto::make_self_signed(*key, req, now);
    benchmark::DoNotOptimize(cert);
  }
  state.SetItemsProcessed(state.iterations());
}

void OpenPkcs8(benchmark::State& state, crypto::Pbes2 params) {
  auto key = crypto::PrivateKey::generate(crypto::KeyType::ec_p256);
  auto der = key->to_encrypted_pkcs8("a passphrase only the user knows", params);
  for (auto _ : state) {
    auto k = crypto::PrivateKey::from_encrypted_pkcs8(*der, "a passphrase only the user knows");
    benchmark::DoNotOptimize(k);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(MakeCredential, rsa2048, crypto::KeyType::rsa2048)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(MakeCredential, ec_p256, crypto::KeyType::ec_p256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(OpenPkcs8, default_aes256_sha256_600k, crypto::Pbes2{})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(OpenPkcs8, seed_des3_sha1_600k, crypto::Pbes2::seed_mandatory())
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
