// Modular arithmetic for KEA (NSA/NIST "SKIPJACK and KEA Algorithm Specifications" v2.0 §II.C;
// facts sheet §2) on OpenSSL's BIGNUM, behind plain big-endian byte strings so that the protocol
// logic (src/cms/rfc2876/kea.hpp) never sees an OpenSSL type (STYLE.md §3).
//
// Secret exponents go through BN_mod_exp_mont_consttime with BN_FLG_CONSTTIME set on the
// exponent, and are first stretched to a fixed bit length (x + q or x + 2q, the technique OpenSSL
// uses for DSA) so that neither the running time nor the exponent's length tells anything about x.
// That is sound because every base raised to a secret lies in the order-q subgroup (g, or a public
// value that passed the V^q = 1 check of facts §2.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace sipcred::crypto {

using Bytes = std::vector<uint8_t>;
using BigView = std::span<const uint8_t>;  // unsigned, big-endian, leading zeros allowed

// Compares two unsigned big-endian numbers (leading zeros ignored): <0, 0, >0. Not constant-time;
// for public values.
int big_compare(BigView a, BigView b);
// Number of significant bits (0 for zero).
size_t big_bits(BigView a);
// The minimal big-endian encoding (no leading zero octets; empty for zero).
Bytes big_trim(BigView a);

// Miller-Rabin with OpenSSL's iteration count for the size (BN_check_prime). Error: Errc::crypto
// when OpenSSL fails.
Result<bool> big_is_probable_prime(BigView n);
// (a mod m) == 0. Errc::invalid_argument for m == 0.
Result<bool> big_divides(BigView m, BigView a);
// a - 1, for a >= 1.
Bytes big_minus_one(BigView a);

// A uniformly random integer in [1, bound - 1], `fixed_len` octets big-endian (OpenSSL's private
// DRBG, BN_priv_rand_range). Errc::invalid_argument when bound < 2 or it does not fit.
Result<Bytes> big_random_below(BigView bound, size_t fixed_len);

// FIPS 186 domain parameters as OpenSSL's DSA parameter generator makes them (FIPS 186-4 A.1.1.2
// probable primes; g by A.2.1). For KEA p is 1024 and q 160 bits (facts §2.1).
struct DomainParams {
  Bytes p, q, g;  // minimal big-endian
};
Result<DomainParams> generate_dsa_domain(int p_bits, int q_bits);

// Arithmetic modulo a fixed odd modulus p with a cached Montgomery context; results are left-padded
// to the octet length of p. Immutable after creation, so concurrent use is safe.
class ModP {
 public:
  // Errc::invalid_argument when p is even or below 3.
  static Result<ModP> create(BigView p);
  ~ModP();
  ModP(ModP&&) noexcept;
  ModP& operator=(ModP&&) noexcept;

  size_t size() const { return size_; }  // octets of p

  // base^exponent mod p for a SECRET exponent, constant-time: the exponent is replaced by
  // exponent + q (or + 2q) of fixed bit length |q| + 1, which gives the same result for bases of
  // order q. Preconditions: 0 <= exponent < q, base in the order-q subgroup; the caller checks.
  // Errc::invalid_argument when exponent >= q; Errc::crypto when OpenSSL fails.
  Result<Bytes> exp_secret(BigView base, BigView exponent, BigView q) const;
  // base^exponent mod p for a public exponent (the V^q = 1 check). Errc::crypto on failure.
  Result<Bytes> exp_public(BigView base, BigView exponent) const;
  // (a + b) mod p, for a, b < p.
  Result<Bytes> add(BigView a, BigView b) const;

 private:
  struct Impl;
  explicit ModP(std::unique_ptr<Impl> impl, size_t size);
  std::unique_ptr<Impl> impl_;
  size_t size_ = 0;
};

}  // namespace sipcred::crypto
