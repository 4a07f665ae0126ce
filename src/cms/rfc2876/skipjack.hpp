// SKIPJACK (NSA/NIST "SKIPJACK and KEA Algorithm Specifications" v2.0, 1998; facts sheet §1):
// 80-bit key, 64-bit block, 32 steps on four 16-bit words. RFC 2876 §2–3 uses it in 64-bit CBC
// mode for CMS content encryption; the FORTEZZA key wrap (fortezza_wrap.hpp) and KEA's key
// formation use single blocks.
//
// The spec defines the cipher on words w1..w4 and key bytes cv0..cv9; how a byte string maps onto
// them is not in the spec, and two incompatible conventions are in use (facts §1.6). Both are
// offered; FORTEZZA is the default because RFC 2876 is a FORTEZZA-card protocol, the only public
// card emulation (NSS swfort) uses it, and NIST's SP 800-17 KATs and the spec's own KEA annex only
// come out under it.
//
// Table-driven: every F look-up indexes with key-dependent data, so timing may leak through the
// cache (facts §1.7.6). Acceptable for this legacy profile; say so wherever it is offered.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace sipcred::cms::rfc2876 {

inline constexpr size_t kSkipjackKeySize = 10;   // 80-bit cryptovariable
inline constexpr size_t kSkipjackBlockSize = 8;  // 64-bit block

using SkipjackKey = std::array<uint8_t, kSkipjackKeySize>;
using SkipjackBlock = std::array<uint8_t, kSkipjackBlockSize>;
using KeyView = std::span<const uint8_t, kSkipjackKeySize>;
using BlockView = std::span<const uint8_t, kSkipjackBlockSize>;

// How byte strings map onto the spec's cv0..cv9 and w1..w4 (facts §1.6).
enum class ByteOrder {
  // cv_i = K[9-i]; w1 = B7·256+B6, ..., w4 = B1·256+B0. NSS swfort, Crypto++, SP 800-17 KATs.
  fortezza,
  // cv_i = K[i]; w1 = B0·256+B1, ..., w4 = B6·256+B7. The spec's printed notation; Bouncy
  // Castle, libtomcrypt, OpenBSD.
  spec,
};

// The spec's F-table (facts §1.5), for tests that check it against published properties.
std::span<const uint8_t, 256> skipjack_f_table();

// Overwrites memory in a way the optimiser may not drop (key schedules, keys, plaintext).
void secure_wipe(void* p, size_t n);

// One keyed SKIPJACK instance: ten key-byte-XORed copies of the F-table (T_i[x] = F[x ^ cv_i],
// facts §1.2), built once per key and wiped on destruction. Not copyable, so key material exists
// once. Thread-safe for concurrent const use.
class Skipjack {
 public:
  explicit Skipjack(KeyView key, ByteOrder order = ByteOrder::fortezza);
  ~Skipjack();
  Skipjack(const Skipjack&) = delete;
  Skipjack& operator=(const Skipjack&) = delete;

  ByteOrder byte_order() const { return order_; }

  void encrypt_block(BlockView in, std::span<uint8_t, kSkipjackBlockSize> out) const;
  void decrypt_block(BlockView in, std::span<uint8_t, kSkipjackBlockSize> out) const;
  SkipjackBlock encrypt_block(BlockView in) const;
  SkipjackBlock decrypt_block(BlockView in) const;

  // Whole-buffer modes without padding. `in` must be a whole number of blocks and `out` exactly
  // as long; `out` may be `in` itself (in place) but must not overlap it otherwise.
  // Error: Errc::invalid_argument when the sizes do not fit.
  Result<void> ecb_encrypt(std::span<const uint8_t> in, std::span<uint8_t> out) const;
  Result<void> ecb_decrypt(std::span<const uint8_t> in, std::span<uint8_t> out) const;
  // 64-bit CBC (FIPS 81), the mode RFC 2876 §2 prescribes.
  Result<void> cbc_encrypt(BlockView iv, std::span<const uint8_t> in, std::span<uint8_t> out) const;
  Result<void> cbc_decrypt(BlockView iv, std::span<const uint8_t> in, std::span<uint8_t> out) const;

 private:
  // 4096-aligned so that B ^ (i << 8) ^ x addresses T_i[x] (see skipjack.cpp).
  alignas(4096) uint8_t t_[kSkipjackKeySize][256];
  ByteOrder order_;
};

// RFC 2876 §2 content encryption: CMS padding (RFC 5652 §6.3, padding.hpp), then SKIPJACK-CBC
// under the CEK and IV, the whole content as one string. REQ CMS-1
std::vector<uint8_t> skipjack_cbc_encrypt(KeyView cek, BlockView iv,
                                          std::span<const uint8_t> plaintext,
                                          ByteOrder order = ByteOrder::fortezza);

// RFC 2876 §3 content decryption: SKIPJACK-CBC, then remove and check the padding. Every failure
// (length not a positive multiple of 8, bad padding) is the same Errc::crypto "decryption failed",
// so that the answer is no padding oracle. REQ CMS-2
Result<std::vector<uint8_t>> skipjack_cbc_decrypt(KeyView cek, BlockView iv,
                                                  std::span<const uint8_t> ciphertext,
                                                  ByteOrder order = ByteOrder::fortezza);

}  // namespace sipcred::cms::rfc2876
