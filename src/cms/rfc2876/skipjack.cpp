#include "cms/rfc2876/skipjack.hpp"

#include <bit>
#include <cassert>
#include <cstring>
#include <string>
#include <utility>

#include "cms/rfc2876/padding.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

// The F-table, spec §II.B / facts §1.5 (identical in six independent code bases there; the unit
// test checks it is a permutation with the SHA-256 the facts sheet gives).
constexpr std::array<uint8_t, 256> kF = {
    0xa3, 0xd7, 0x09, 0x83, 0xf8, 0x48, 0xf6, 0xf4, 0xb3, 0x21, 0x15, 0x78, 0x99, 0xb1, 0xaf, 0xf9,
    0xe7, 0x2d, 0x4d, 0x8a, 0xce, 0x4c, 0xca, 0x2e, 0x52, 0x95, 0xd9, 0x1e, 0x4e, 0x38, 0x44, 0x28,
    0x0a, 0xdf, 0x02, 0xa0, 0x17, 0xf1, 0x60, 0x68, 0x12, 0xb7, 0x7a, 0xc3, 0xe9, 0xfa, 0x3d, 0x53,
    0x96, 0x84, 0x6b, 0xba, 0xf2, 0x63, 0x9a, 0x19, 0x7c, 0xae, 0xe5, 0xf5, 0xf7, 0x16, 0x6a, 0xa2,
    0x39, 0xb6, 0x7b, 0x0f, 0xc1, 0x93, 0x81, 0x1b, 0xee, 0xb4, 0x1a, 0xea, 0xd0, 0x91, 0x2f, 0xb8,
    0x55, 0xb9, 0xda, 0x85, 0x3f, 0x41, 0xbf, 0xe0, 0x5a, 0x58, 0x80, 0x5f, 0x66, 0x0b, 0xd8, 0x90,
    0x35, 0xd5, 0xc0, 0xa7, 0x33, 0x06, 0x65, 0x69, 0x45, 0x00, 0x94, 0x56, 0x6d, 0x98, 0x9b, 0x76,
    0x97, 0xfc, 0xb2, 0xc2, 0xb0, 0xfe, 0xdb, 0x20, 0xe1, 0xeb, 0xd6, 0xe4, 0xdd, 0x47, 0x4a, 0x1d,
    0x42, 0xed, 0x9e, 0x6e, 0x49, 0x3c, 0xcd, 0x43, 0x27, 0xd2, 0x07, 0xd4, 0xde, 0xc7, 0x67, 0x18,
    0x89, 0xcb, 0x30, 0x1f, 0x8d, 0xc6, 0x8f, 0xaa, 0xc8, 0x74, 0xdc, 0xc9, 0x5d, 0x5c, 0x31, 0xa4,
    0x70, 0x88, 0x61, 0x2c, 0x9f, 0x0d, 0x2b, 0x87, 0x50, 0x82, 0x54, 0x64, 0x26, 0x7d, 0x03, 0x40,
    0x34, 0x4b, 0x1c, 0x73, 0xd1, 0xc4, 0xfd, 0x3b, 0xcc, 0xfb, 0x7f, 0xab, 0xe6, 0x3e, 0x5b, 0xa5,
    0xad, 0x04, 0x23, 0x9c, 0x14, 0x51, 0x22, 0xf0, 0x29, 0x79, 0x71, 0x7e, 0xff, 0x8c, 0x0e, 0xe2,
    0x0c, 0xef, 0xbc, 0x72, 0x75, 0x6f, 0x37, 0xa1, 0xec, 0xd3, 0x8e, 0x62, 0x8b, 0x86, 0x10, 0xe8,
    0x08, 0x77, 0x11, 0xbe, 0x92, 0x4f, 0x24, 0xc5, 0x32, 0x36, 0x9d, 0xcf, 0xf3, 0xa6, 0xbb, 0xac,
    0x5e, 0x6c, 0xa9, 0x13, 0x57, 0x25, 0xb5, 0xe3, 0xbd, 0xa8, 0x3a, 0x01, 0x05, 0x59, 0x2a, 0x46,
};

// The ten tables T_i = F[x ^ cv_i] back to back: T_i[x] is t[256 * i + x].
using Tables = const uint8_t*;

// Bytes of the state live in full-width registers: a table index then needs no zero-extension
// move between the XOR that produces it and the load that uses it (that move sits on the critical
// path of every look-up).
using Byte = uint64_t;

// Hides a value's origin from the optimiser, so that it does not re-associate an XOR chain that
// was ordered for latency (GCC 12 moved the late operand to the front).
template <class T>
[[gnu::always_inline]] inline T opaque(T v) {
#if defined(__GNUC__)
  asm("" : "+r"(v));
#endif
  return v;
}

// The cipher state of N independent blocks, one byte per variable: hi[i][j] / lo[i][j] are the
// high and low bytes of word w(i+1) of lane j. Keeping bytes apart means G needs no shifts or masks
// on its critical path; with the steps fully unrolled the word rotation of every step costs
// nothing (it is only renaming of registers or, with several lanes, of spill slots).
template <size_t N>
struct State {
  Byte hi[4][N];
  Byte lo[4][N];
};

// Step k (0..31) of encryption, facts §1.3, with the counter ctr = k+1. G^k uses key bytes
// cv[4k..4k+3 mod 10] (facts §1.2), here the tables T_i = F[x ^ cv_i].
//   Rule A: w1' = G(w1) ^ w4 ^ ctr; w2' = G(w1); w3' = w2; w4' = w3.
//   Rule B: w1' = w4; w2' = G(w1); w3' = w1 ^ w2 ^ ctr; w4' = w3.
// In rule A the next G starts from the low byte of w1', so that byte is formed as
// T[g5] ^ (g4 ^ w4.lo ^ ctr): the bracket is ready early and only one XOR follows the look-up.
template <int K, size_t N>
[[gnu::always_inline]] inline void encrypt_step(Tables t, State<N>& s) {
  constexpr Byte ctr = K + 1;
  const uint8_t* t0 = t + 256 * ((4 * K) % 10);
  const uint8_t* t1 = t + 256 * ((4 * K + 1) % 10);
  const uint8_t* t2 = t + 256 * ((4 * K + 2) % 10);
  const uint8_t* t3 = t + 256 * ((4 * K + 3) % 10);
  constexpr bool rule_a = (K / 8) % 2 == 0;  // 8×A, 8×B, 8×A, 8×B
#pragma GCC unroll 16
  for (size_t j = 0; j < N; ++j) {
    const Byte g1 = s.hi[0][j], g2 = s.lo[0][j];
    const Byte g3 = t0[g2] ^ g1;
    const Byte g4 = t1[g3] ^ g2;
    const Byte g5 = t2[g4] ^ g3;
    const Byte f = t3[g5];
    const Byte g6 = f ^ g4;
    if constexpr (rule_a) {
      const Byte h1 = g5 ^ s.hi[3][j];
      const Byte l1 = f ^ opaque(g4 ^ s.lo[3][j] ^ ctr);
      s.hi[3][j] = s.hi[2][j], s.lo[3][j] = s.lo[2][j];
      s.hi[2][j] = s.hi[1][j], s.lo[2][j] = s.lo[1][j];
      s.hi[1][j] = g5, s.lo[1][j] = g6;
      s.hi[0][j] = h1, s.lo[0][j] = l1;
    } else {
      const Byte h3 = g1 ^ s.hi[1][j];
      const Byte l3 = g2 ^ s.lo[1][j] ^ ctr;
      s.hi[0][j] = s.hi[3][j], s.lo[0][j] = s.lo[3][j];
      s.hi[3][j] = s.hi[2][j], s.lo[3][j] = s.lo[2][j];
      s.hi[2][j] = h3, s.lo[2][j] = l3;
      s.hi[1][j] = g5, s.lo[1][j] = g6;
    }
  }
}

// Step k of decryption, facts §1.4, k from 31 down to 0:
//   Rule A^-1: w1' = G^-1(w2); w2' = w3; w3' = w4; w4' = w1 ^ w2 ^ ctr.
//   Rule B^-1: w1' = G^-1(w2); w2' = G^-1(w2) ^ w3 ^ ctr; w3' = w4; w4' = w1.
// G^-1 runs the Feistel backwards from the high byte; in B^-1 the next step starts from the high
// byte of w2', formed as T[g2] ^ (g3 ^ w3.hi) for the same reason as above.
template <int K, size_t N>
[[gnu::always_inline]] inline void decrypt_step(Tables t, State<N>& s) {
  constexpr Byte ctr = K + 1;
  const uint8_t* t0 = t + 256 * ((4 * K) % 10);
  const uint8_t* t1 = t + 256 * ((4 * K + 1) % 10);
  const uint8_t* t2 = t + 256 * ((4 * K + 2) % 10);
  const uint8_t* t3 = t + 256 * ((4 * K + 3) % 10);
  constexpr bool rule_a = (K / 8) % 2 == 0;
#pragma GCC unroll 16
  for (size_t j = 0; j < N; ++j) {
    const Byte g5 = s.hi[1][j], g6 = s.lo[1][j];
    const Byte g4 = t3[g5] ^ g6;
    const Byte g3 = t2[g4] ^ g5;
    const Byte g2 = t1[g3] ^ g4;
    const Byte f = t0[g2];
    const Byte g1 = f ^ g3;
    if constexpr (rule_a) {
      const Byte h4 = s.hi[0][j] ^ g5;
      const Byte l4 = s.lo[0][j] ^ g6 ^ ctr;
      s.hi[1][j] = s.hi[2][j], s.lo[1][j] = s.lo[2][j];
      s.hi[2][j] = s.hi[3][j], s.lo[2][j] = s.lo[3][j];
      s.hi[3][j] = h4, s.lo[3][j] = l4;
      s.hi[0][j] = g1, s.lo[0][j] = g2;
    } else {
      const Byte h2 = f ^ opaque(g3 ^ s.hi[2][j]);
      const Byte l2 = g2 ^ s.lo[2][j] ^ ctr;
      const Byte h4 = s.hi[0][j], l4 = s.lo[0][j];
      s.hi[2][j] = s.hi[3][j], s.lo[2][j] = s.lo[3][j];
      s.hi[3][j] = h4, s.lo[3][j] = l4;
      s.hi[1][j] = h2, s.lo[1][j] = l2;
      s.hi[0][j] = g1, s.lo[0][j] = g2;
    }
  }
}

// All 32 steps, unrolled (K counts up for encryption, down for decryption).
template <int K = 0, size_t N>
[[gnu::always_inline]] inline void encrypt_state(Tables t, State<N>& s) {
  encrypt_step<K>(t, s);
  if constexpr (K < 31) encrypt_state<K + 1>(t, s);
}

template <int K = 31, size_t N>
[[gnu::always_inline]] inline void decrypt_state(Tables t, State<N>& s) {
  decrypt_step<K>(t, s);
  if constexpr (K > 0) decrypt_state<K - 1>(t, s);
}

// CBC encryption allows no interleaving: its speed is the latency of one block, 128 dependent
// look-ups. A load whose address is a single register is a cycle faster than one that adds a
// base and an index (measured here: about 5 against 6 cycles with the XOR), so this variant carries
// each table index as a ready address: with the ten tables in one 4096-aligned block, the address
// of T_i[x] is B ^ (i << 8) ^ x, and the XOR that makes the next index also makes the next address.
// Values off the critical path pay for it with one more XOR each.
inline uint8_t at(uintptr_t address) {
  return *reinterpret_cast<const uint8_t*>(address);
}

template <int K>
[[gnu::always_inline]] inline void encrypt_step_low_latency(uintptr_t base, State<1>& s) {
  constexpr Byte ctr = K + 1;
  constexpr uintptr_t k0 = ((4 * K) % 10) << 8, k1 = ((4 * K + 1) % 10) << 8;
  constexpr uintptr_t k2 = ((4 * K + 2) % 10) << 8, k3 = ((4 * K + 3) % 10) << 8;
  constexpr bool rule_a = (K / 8) % 2 == 0;
  const Byte g1 = s.hi[0][0], g2 = s.lo[0][0];
  const uintptr_t p2 = g2 ^ (base ^ k0);
  const uintptr_t p3 = at(p2) ^ opaque(g1 ^ (base ^ k1));
  const uintptr_t p4 = at(p3) ^ opaque(g2 ^ (base ^ k2));
  const uintptr_t p5 = at(p4) ^ opaque(p3 ^ (k1 ^ k3));
  const Byte f = at(p5);
  const Byte g4 = p4 ^ (base ^ k2), g5 = p5 ^ (base ^ k3);
  const Byte g6 = f ^ g4;
  if constexpr (rule_a) {
    // The next step's first address, T_{k0'}[w1'.lo], straight from this step's last look-up.
    constexpr uintptr_t next = K < 31 ? ((4 * (K + 1)) % 10) << 8 : 0;
    const uintptr_t p_next = f ^ opaque(g4 ^ s.lo[3][0] ^ ctr ^ (base ^ next));
    const Byte h1 = g5 ^ s.hi[3][0];
    const Byte l1 = p_next ^ (base ^ next);
    s.hi[3][0] = s.hi[2][0], s.lo[3][0] = s.lo[2][0];
    s.hi[2][0] = s.hi[1][0], s.lo[2][0] = s.lo[1][0];
    s.hi[1][0] = g5, s.lo[1][0] = g6;
    s.hi[0][0] = h1, s.lo[0][0] = l1;
  } else {
    const Byte h3 = g1 ^ s.hi[1][0];
    const Byte l3 = g2 ^ s.lo[1][0] ^ ctr;
    s.hi[0][0] = s.hi[3][0], s.lo[0][0] = s.lo[3][0];
    s.hi[3][0] = s.hi[2][0], s.lo[3][0] = s.lo[2][0];
    s.hi[2][0] = h3, s.lo[2][0] = l3;
    s.hi[1][0] = g5, s.lo[1][0] = g6;
  }
}

template <int K = 0>
[[gnu::always_inline]] inline void encrypt_state_low_latency(uintptr_t base, State<1>& s) {
  encrypt_step_low_latency<K>(base, s);
  if constexpr (K < 31) encrypt_state_low_latency<K + 1>(base, s);
}

// A block as one 64-bit value in the spec's word order: w1 in bits 63..48, ..., w4 in 15..0.
// FORTEZZA order is the block read little-endian, spec order the block read big-endian
// (facts §1.6 table). CBC's XOR is byte-wise, so it may be applied to these values directly.
template <ByteOrder O>
[[gnu::always_inline]] inline uint64_t load(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  constexpr bool want_little = O == ByteOrder::fortezza;
  if constexpr (want_little != (std::endian::native == std::endian::little)) {
    v = __builtin_bswap64(v);
  }
  return v;
}

template <ByteOrder O>
[[gnu::always_inline]] inline void store(uint64_t v, uint8_t* p) {
  constexpr bool want_little = O == ByteOrder::fortezza;
  if constexpr (want_little != (std::endian::native == std::endian::little)) {
    v = __builtin_bswap64(v);
  }
  std::memcpy(p, &v, 8);
}

template <size_t N>
[[gnu::always_inline]] inline void set_lane(State<N>& s, size_t j, uint64_t v) {
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    s.hi[i][j] = (v >> (56 - 16 * i)) & 0xff;
    s.lo[i][j] = (v >> (48 - 16 * i)) & 0xff;
  }
}

template <size_t N>
[[gnu::always_inline]] inline uint64_t get_lane(const State<N>& s, size_t j) {
  uint64_t v = 0;
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    v |= s.hi[i][j] << (56 - 16 * i);
    v |= s.lo[i][j] << (48 - 16 * i);
  }
  return v;
}

// The cipher on blocks given as values in the spec's word order, in place. Kept out of line and
// independent of the byte order, so that one copy of each unrolled body serves every mode.
template <size_t N>
[[gnu::noinline]] void encrypt_values(Tables t, uint64_t* v) {
  State<N> s;
#pragma GCC unroll 16
  for (size_t j = 0; j < N; ++j) set_lane(s, j, v[j]);
  encrypt_state(t, s);
#pragma GCC unroll 16
  for (size_t j = 0; j < N; ++j) v[j] = get_lane(s, j);
}

template <size_t N>
[[gnu::noinline]] void decrypt_values(Tables t, uint64_t* v) {
  State<N> s;
#pragma GCC unroll 16
  for (size_t j = 0; j < N; ++j) set_lane(s, j, v[j]);
  decrypt_state(t, s);
#pragma GCC unroll 16
  for (size_t j = 0; j < N; ++j) v[j] = get_lane(s, j);
}

[[gnu::noinline]] uint64_t encrypt_value_low_latency(Tables t, uint64_t v) {
  State<1> s;
  set_lane(s, 0, v);
  encrypt_state_low_latency(reinterpret_cast<uintptr_t>(t), s);
  return get_lane(s, 0);
}

// Blocks that do not depend on each other (ECB both ways, CBC decryption) go through the cipher
// kLanes at a time: one block's 32 steps are a long chain of dependent table look-ups, and
// interleaving independent chains keeps the load ports busy instead of waiting on latency.
// Measured (ECB, MiB/s, encrypt / decrypt): 4 lanes 187 / 176, 6 lanes 235 / 218, 8 lanes
// 233 / 126 (GCC 12's decryption body degrades), 16 lanes 72 (the state goes to memory).
constexpr size_t kLanes = 6;

template <ByteOrder O, bool Encrypt>
void ecb(Tables t, const uint8_t* in, uint8_t* out, size_t blocks) {
  uint64_t v[kLanes];
  for (size_t b = 0; b < blocks;) {
    const size_t n = blocks - b >= kLanes ? kLanes : 1;
    for (size_t j = 0; j < n; ++j) v[j] = load<O>(in + 8 * (b + j));
    if (n == kLanes) {
      Encrypt ? encrypt_values<kLanes>(t, v) : decrypt_values<kLanes>(t, v);
    } else {
      Encrypt ? encrypt_values<1>(t, v) : decrypt_values<1>(t, v);
    }
    for (size_t j = 0; j < n; ++j) store<O>(v[j], out + 8 * (b + j));
    b += n;
  }
}

// CBC encryption is one chain through every block; nothing to interleave.
template <ByteOrder O>
void cbc_enc(Tables t, const uint8_t* iv, const uint8_t* in, uint8_t* out, size_t blocks) {
  uint64_t chain = load<O>(iv);
  for (size_t b = 0; b < blocks; ++b) {
    chain = encrypt_value_low_latency(t, load<O>(in + 8 * b) ^ chain);
    store<O>(chain, out + 8 * b);
  }
}

// CBC decryption: P_i = D(C_i) ^ C_{i-1}; the D(C_i) are independent. All inputs of a group are
// read before any output is written, so in == out works.
template <ByteOrder O>
void cbc_dec(Tables t, const uint8_t* iv, const uint8_t* in, uint8_t* out, size_t blocks) {
  uint64_t chain = load<O>(iv);
  uint64_t c[kLanes], v[kLanes];
  for (size_t b = 0; b < blocks;) {
    const size_t n = blocks - b >= kLanes ? kLanes : 1;
    for (size_t j = 0; j < n; ++j) v[j] = c[j] = load<O>(in + 8 * (b + j));
    n == kLanes ? decrypt_values<kLanes>(t, v) : decrypt_values<1>(t, v);
    for (size_t j = 0; j < n; ++j) {
      store<O>(v[j] ^ chain, out + 8 * (b + j));
      chain = c[j];
    }
    b += n;
  }
}

Result<void> check_sizes(std::span<const uint8_t> in, std::span<uint8_t> out) {
  if (in.size() % kSkipjackBlockSize != 0) {
    return fail(Errc::invalid_argument, "SKIPJACK input is not a whole number of 8-octet blocks");
  }
  if (out.size() != in.size()) {
    return fail(Errc::invalid_argument, "SKIPJACK output buffer size differs from the input");
  }
  // In place is fine; a partial overlap would let a write clobber input not yet read.
  assert(out.data() == in.data() || out.data() + out.size() <= in.data() ||
         in.data() + in.size() <= out.data());
  return {};
}

}  // namespace

void secure_wipe(void* p, size_t n) {
  volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) v[i] = 0;
}

Skipjack::Skipjack(KeyView key, ByteOrder order) : order_(order) {
  // encrypt_value_low_latency relies on it (alignas in the header).
  assert((reinterpret_cast<uintptr_t>(&t_[0][0]) & 4095) == 0);
  for (size_t i = 0; i < kSkipjackKeySize; ++i) {
    const uint8_t cv = order == ByteOrder::fortezza ? key[kSkipjackKeySize - 1 - i] : key[i];
    for (size_t x = 0; x < 256; ++x) t_[i][x] = kF[x ^ cv];
  }
}

Skipjack::~Skipjack() {
  secure_wipe(t_, sizeof t_);
}

void Skipjack::encrypt_block(BlockView in, std::span<uint8_t, kSkipjackBlockSize> out) const {
  if (order_ == ByteOrder::fortezza) {
    ecb<ByteOrder::fortezza, true>(&t_[0][0], in.data(), out.data(), 1);
  } else {
    ecb<ByteOrder::spec, true>(&t_[0][0], in.data(), out.data(), 1);
  }
}

void Skipjack::decrypt_block(BlockView in, std::span<uint8_t, kSkipjackBlockSize> out) const {
  if (order_ == ByteOrder::fortezza) {
    ecb<ByteOrder::fortezza, false>(&t_[0][0], in.data(), out.data(), 1);
  } else {
    ecb<ByteOrder::spec, false>(&t_[0][0], in.data(), out.data(), 1);
  }
}

SkipjackBlock Skipjack::encrypt_block(BlockView in) const {
  SkipjackBlock out;
  encrypt_block(in, out);
  return out;
}

SkipjackBlock Skipjack::decrypt_block(BlockView in) const {
  SkipjackBlock out;
  decrypt_block(in, out);
  return out;
}

Result<void> Skipjack::ecb_encrypt(std::span<const uint8_t> in, std::span<uint8_t> out) const {
  if (auto ok = check_sizes(in, out); !ok) return ok;
  const size_t blocks = in.size() / kSkipjackBlockSize;
  if (order_ == ByteOrder::fortezza) {
    ecb<ByteOrder::fortezza, true>(&t_[0][0], in.data(), out.data(), blocks);
  } else {
    ecb<ByteOrder::spec, true>(&t_[0][0], in.data(), out.data(), blocks);
  }
  return {};
}

Result<void> Skipjack::ecb_decrypt(std::span<const uint8_t> in, std::span<uint8_t> out) const {
  if (auto ok = check_sizes(in, out); !ok) return ok;
  const size_t blocks = in.size() / kSkipjackBlockSize;
  if (order_ == ByteOrder::fortezza) {
    ecb<ByteOrder::fortezza, false>(&t_[0][0], in.data(), out.data(), blocks);
  } else {
    ecb<ByteOrder::spec, false>(&t_[0][0], in.data(), out.data(), blocks);
  }
  return {};
}

Result<void> Skipjack::cbc_encrypt(BlockView iv, std::span<const uint8_t> in,
                                   std::span<uint8_t> out) const {
  if (auto ok = check_sizes(in, out); !ok) return ok;
  const size_t blocks = in.size() / kSkipjackBlockSize;
  if (order_ == ByteOrder::fortezza) {
    cbc_enc<ByteOrder::fortezza>(&t_[0][0], iv.data(), in.data(), out.data(), blocks);
  } else {
    cbc_enc<ByteOrder::spec>(&t_[0][0], iv.data(), in.data(), out.data(), blocks);
  }
  return {};
}

Result<void> Skipjack::cbc_decrypt(BlockView iv, std::span<const uint8_t> in,
                                   std::span<uint8_t> out) const {
  if (auto ok = check_sizes(in, out); !ok) return ok;
  const size_t blocks = in.size() / kSkipjackBlockSize;
  if (order_ == ByteOrder::fortezza) {
    cbc_dec<ByteOrder::fortezza>(&t_[0][0], iv.data(), in.data(), out.data(), blocks);
  } else {
    cbc_dec<ByteOrder::spec>(&t_[0][0], iv.data(), in.data(), out.data(), blocks);
  }
  return {};
}

std::span<const uint8_t, 256> skipjack_f_table() {
  return kF;
}

std::vector<uint8_t> skipjack_cbc_encrypt(KeyView cek, BlockView iv,
                                          std::span<const uint8_t> plaintext, ByteOrder order) {
  std::vector<uint8_t> data = cms_pad(plaintext, kSkipjackBlockSize);
  const Skipjack cipher{cek, order};
  // Sizes are right by construction (padding makes whole blocks).
  (void)cipher.cbc_encrypt(iv, data, data);
  return data;
}

Result<std::vector<uint8_t>> skipjack_cbc_decrypt(KeyView cek, BlockView iv,
                                                  std::span<const uint8_t> ciphertext,
                                                  ByteOrder order) {
  if (ciphertext.empty() || ciphertext.size() % kSkipjackBlockSize != 0) {
    return fail(Errc::crypto, std::string{kDecryptionFailed});
  }
  std::vector<uint8_t> data(ciphertext.size());
  {
    const Skipjack cipher{cek, order};
    (void)cipher.cbc_decrypt(iv, ciphertext, data);
  }
  auto size = cms_unpadded_size(data, kSkipjackBlockSize);
  if (!size) {
    secure_wipe(data.data(), data.size());
    return Unexpected{size.error()};
  }
  // The padding octets are no secret, but leave nothing behind the content either.
  secure_wipe(data.data() + *size, data.size() - *size);
  data.resize(*size);
  return data;
}

}  // namespace sipcred::cms::rfc2876
