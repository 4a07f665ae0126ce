// SKIPJACK throughput (RFC 2876 content encryption): ours against Crypto++ 8.7, the yardstick
// of shared/reference/peers.md, in the same binary and run so the figures compare. 64 KiB buffers,
// FORTEZZA byte order on both sides (Crypto++ uses it, facts §1.6).
// Targets: CBC encryption >= 1.5x Crypto++'s, CBC decryption >= 3x Crypto++'s.
//   taskset -c 0 ./build/release/bench/skipjack_bench
#include <benchmark/benchmark.h>
#include <cryptopp/modes.h>
#include <cryptopp/skipjack.h>

#include <cstdint>
#include <vector>

#include "cms/rfc2876/skipjack.hpp"

namespace {

namespace sj = sipcred::cms::rfc2876;

constexpr size_t kBufferSize = 64 * 1024;
const sj::SkipjackKey kKey = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0x00};
const sj::SkipjackBlock kIv = {0xaa, 0xbb, 0xcc, 0xdd, 0x00, 0x11, 0x22, 0x33};

std::vector<uint8_t> buffer() {
  std::vector<uint8_t> b(kBufferSize);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * 131 + 7);
  return b;
}

void done(benchmark::State& state) {
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kBufferSize));
}

void Ours_EcbEncrypt(benchmark::State& state) {
  const sj::Skipjack cipher{kKey};
  auto in = buffer();
  std::vector<uint8_t> out(in.size());
  for (auto _ : state) {
    (void)cipher.ecb_encrypt(in, out);
    benchmark::DoNotOptimize(out.data());
  }
  done(state);
}

void Ours_CbcEncrypt(benchmark::State& state) {
  const sj::Skipjack cipher{kKey};
  auto in = buffer();
  std::vector<uint8_t> out(in.size());
  for (auto _ : state) {
    (void)cipher.cbc_encrypt(kIv, in, out);
    benchmark::DoNotOptimize(out.data());
  }
  done(state);
}

void Ours_CbcDecrypt(benchmark::State& state) {
  const sj::Skipjack cipher{kKey};
  auto in = buffer();
  std::vector<uint8_t> out(in.size());
  for (auto _ : state) {
    (void)cipher.cbc_decrypt(kIv, in, out);
    benchmark::DoNotOptimize(out.data());
  }
  done(state);
}

void Cryptopp_EcbEncrypt(benchmark::State& state) {
  CryptoPP::ECB_Mode<CryptoPP::SKIPJACK>::Encryption cipher{kKey.data(), kKey.size()};
  auto in = buffer();
  std::vector<uint8_t> out(in.size());
  for (auto _ : state) {
    cipher.ProcessData(out.data(), in.data(), in.size());
    benchmark::DoNotOptimize(out.data());
  }
  done(state);
}

void Cryptopp_CbcEncrypt(benchmark::State& state) {
  CryptoPP::CBC_Mode<CryptoPP::SKIPJACK>::Encryption cipher{kKey.data(), kKey.size(), kIv.data()};
  auto in = buffer();
  std::vector<uint8_t> out(in.size());
  for (auto _ : state) {
    cipher.Resynchronize(kIv.data());
    cipher.ProcessData(out.data(), in.data(), in.size());
    benchmark::DoNotOptimize(out.data());
  }
  done(state);
}

void Cryptopp_CbcDecrypt(benchmark::State& state) {
  CryptoPP::CBC_Mode<CryptoPP::SKIPJACK>::Decryption cipher{kKey.data(), kKey.size(), kIv.data()};
  auto in = buffer();
  std::vector<uint8_t> out(in.size());
  for (auto _ : state) {
    cipher.Resynchronize(kIv.data());
    cipher.ProcessData(out.data(), in.data(), in.size());
    benchmark::DoNotOptimize(out.data());
  }
  done(state);
}

BENCHMARK(Ours_EcbEncrypt);
BENCHMARK(Cryptopp_EcbEncrypt);
BENCHMARK(Ours_CbcEncrypt);
BENCHMARK(Cryptopp_CbcEncrypt);
BENCHMARK(Ours_CbcDecrypt);
BENCHMARK(Cryptopp_CbcDecrypt);

}  // namespace

BENCHMARK_MAIN();
