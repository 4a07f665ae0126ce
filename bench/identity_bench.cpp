// SIP Identity signing in-process (issue 7): what one signed NOTIFY costs in our code, beside
// the bare private-key operation that `openssl speed rsa2048 ecdsap256` measures (BENCHMARKS.md
// "SIP Identity: signed NOTIFY throughput"; bench/identity_load.sh measures the whole server).
//   KeySign/rsa2048-sha1, KeySign/p256-sha256
//       crypto::PrivateKey::sign over a digest-string / PASSporT signing input of the bench's
//       size: openssl speed's operation plus what our wrapper adds per call (a fresh
//       EVP_MD_CTX and EVP_DigestSignInit each time).
//   AuthSign/rsa-sha1, AuthSign/rsa-sha256, AuthSign/es256
//       identity::AuthenticationService::sign on a SignJob of the bench's NOTIFY: what runs on
//       the signing pool (digest-string or PASSporT with the body claim, signature, encoding).
//   Prepare    request_fields + key lookup of the NOTIFY (on the I/O thread, before signing)
//   Apply/signed:0|1  a copy of the NOTIFY serialized without / with the signed headers put in
//              first (apply(), on the I/O thread after signing)
// The NOTIFY is the one `sipcred serve` sends in bench/identity_load.sh: alice's certificate
// (tests/data/certs/good.der, 838 bytes) as the body, From/To/Contact as the notifier writes them.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "identity/identity.hpp"
#include "sip/message.hpp"

namespace {

using namespace sipcred;

std::string read_file(const std::string& name) {
  std::ifstream in{std::filesystem::path{SIPCRED_SOURCE_DIR} / "tests" / "data" / "certs" / name,
                   std::ios::binary};
  return {std::istreambuf_iterator<char>(in), {}};
}

// The NOTIFY of the load run (src/service/notifier.cpp build_notify, in_dialog_request).
sip::Message notify() {
  sip::Message m = sip::Message::request("NOTIFY", "sip:watcher@127.0.0.1:5070");
  m.add(sip::HeaderId::via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK0123456789abcdef0123");
  m.add(sip::HeaderId::max_forwards, "70");
  m.add(sip::HeaderId::from, "<sip:alice@example.com>;tag=0123456789abcdef");
  m.add(sip::HeaderId::to, "<sip:watcher@127.0.0.1>;tag=12345SIPpTag001");
  m.add(sip::HeaderId::call_id, "1-12345@127.0.0.1");
  m.add(sip::HeaderId::cseq, "12346 NOTIFY");
  m.add(sip::HeaderId::contact, "<sip:127.0.0.1:5060>");
  m.add(sip::HeaderId::event, "certificate;etag=0123456789abcdef");
  m.add(sip::HeaderId::subscription_state, "active;expires=600");
  m.add(sip::HeaderId::user_agent, "sipcred");
  m.add(sip::HeaderId::content_type, "application/pkix-cert");
  m.add(sip::HeaderId::content_disposition, "signal");
  m.set_body(read_file("good.der"));
  return m;
}

struct Keys {
  crypto::PrivateKey rsa = *crypto::PrivateKey::generate(crypto::KeyType::rsa2048);
  crypto::PrivateKey p256 = *crypto::PrivateKey::generate(crypto::KeyType::ec_p256);
};
const Keys& keys() {
  static const Keys k;
  return k;
}

identity::AuthenticationService service(identity::Scheme scheme, identity::Alg alg) {
  identity::AuthenticationService s;
  identity::DomainKey k{"example.com", alg == identity::Alg::es256 ? keys().p256 : keys().rsa,
                        std::nullopt,  "https://example.com/identity/example.com.der",
                        scheme,        alg,
                        true};
  if (auto r = s.add(std::move(k)); !r) throw std::runtime_error(r.error().detail);
  return s;
}

void KeySign(benchmark::State& state, bool ec) {
  // The sizes signed in the load run: the RFC 4474 digest-string of the NOTIFY (~1.1 kB) and an
  // RFC 8225 signing input with the body claim (~500 bytes).
  std::string data(ec ? 500 : 1100, 'x');
  const crypto::PrivateKey& k = ec ? keys().p256 : keys().rsa;
  for (auto _ : state) {
    auto sig = ec ? k.sign_raw_ecdsa(crypto::HashAlg::sha256, crypto::as_bytes(data))
                  : k.sign(crypto::HashAlg::sha1, crypto::as_bytes(data));
    if (!sig) state.SkipWithError("sign failed");
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK_CAPTURE(KeySign, rsa2048 - sha1, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(KeySign, p256 - sha256, true)->Unit(benchmark::kMicrosecond);

void AuthSign(benchmark::State& state, identity::Scheme scheme, identity::Alg alg) {
  auto s = service(scheme, alg);
  auto job = s.prepare(notify());
  if (!job) {
    state.SkipWithError("prepare failed");
    return;
  }
  const WallTime now{std::chrono::seconds{1'790'000'000}};
  for (auto _ : state) {
    auto h = identity::AuthenticationService::sign(*job, now);
    if (!h) state.SkipWithError("sign failed");
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK_CAPTURE(AuthSign, rsa - sha1, identity::Scheme::rfc4474, identity::Alg::rsa_sha1)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(AuthSign, rsa - sha256, identity::Scheme::rfc4474, identity::Alg::rsa_sha256)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(AuthSign, es256, identity::Scheme::rfc8224, identity::Alg::es256)
    ->Unit(benchmark::kMicrosecond);

void Prepare(benchmark::State& state) {
  auto s = service(identity::Scheme::rfc4474, identity::Alg::rsa_sha1);
  const sip::Message m = notify();
  for (auto _ : state) {
    auto job = s.prepare(m);
    benchmark::DoNotOptimize(job);
  }
}
BENCHMARK(Prepare);

// A copy of the NOTIFY (the cost the notifier does not have: it moves its own), the signed headers
// put in (`signed` = 1) or not, and serialization: the difference of the two is apply().
void Apply(benchmark::State& state) {
  auto s = service(identity::Scheme::rfc4474, identity::Alg::rsa_sha1);
  const sip::Message m = notify();
  auto h = identity::AuthenticationService::sign(*s.prepare(m),
                                                 WallTime{std::chrono::seconds{1'790'000'000}});
  for (auto _ : state) {
    sip::Message copy = m;
    if (state.range(0) != 0) identity::AuthenticationService::apply(copy, *h);
    std::string bytes = copy.serialize();
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(Apply)->ArgName("signed")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
