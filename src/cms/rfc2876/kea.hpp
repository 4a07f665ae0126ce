// KEA, the Key Exchange Algorithm (NSA/NIST "SKIPJACK and KEA Algorithm Specifications" v2.0
// §II.C–D, restated in the facts sheet §2): a Diffie-Hellman variant over a 1024-bit p with a
// 160-bit subgroup order q in which each side contributes a static and an ephemeral key, and the
// sum of the two shared values is turned into an 80-bit SKIPJACK key (the TEK). RFC 2876 uses
// the e-mail (one-pass) mode, where the recipient's static key stands in for its ephemeral one.
//
// The big-number work happens in src/crypto/kea.hpp (constant-time for secret exponents); this
// file holds the protocol: parameter and public-value checks, key pairs and the TEK formation.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "cms/rfc2876/skipjack.hpp"
#include "core/result.hpp"

namespace sipcred::cms::rfc2876 {

using Bytes = std::vector<uint8_t>;

// FORTEZZA sizes (facts §2.1: CI_P_SIZE, CI_Q_SIZE, CI_Y_SIZE, CI_X_SIZE, CI_RA_SIZE).
inline constexpr size_t kKeaPSize = 128;
inline constexpr size_t kKeaQSize = 20;
inline constexpr size_t kKeaPublicSize = 128;  // Y and R, also the CMS UKM (RFC 2876 §4.2.1.1)
inline constexpr size_t kKeaPrivateSize = 20;

using KeaDomainId = std::array<uint8_t, 10>;

// p, q, g as unsigned big-endian numbers (leading zeros allowed on input, stored minimal).
struct KeaDomain {
  Bytes p, q, g;
  friend bool operator==(const KeaDomain&, const KeaDomain&) = default;
};

// Checks the domain parameters (facts §2.1): p a 1024-bit probable prime, q a 160-bit probable
// prime dividing p - 1, 1 < g < p and g^q mod p = 1. Errc::crypto naming the first failed check.
// About 20 ms (two primality tests); callers keep a validated domain.
Result<void> validate_kea_domain(const KeaDomain& d);

// Fresh domain parameters by OpenSSL's FIPS 186 DSA generator (p 1024, q 160 bits).
Result<KeaDomain> generate_kea_domain();

// Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER } (RFC 3279 §2.3.2), DER.
Bytes dss_parms_der(const KeaDomain& d);
// Reads Dss-Parms DER (strict, nothing after it).
Result<KeaDomain> parse_dss_parms(std::span<const uint8_t> der);

// RFC 2528 §3.1.1 / RFC 3279 §2.3.4 domain identifier (facts §3): SHA-1 over the Dss-Parms DER,
// then the high 80 bits XOR the low 80 bits.
KeaDomainId kea_domain_identifier(const KeaDomain& d);

// A KEA key pair: x in [1, q-1] (20 octets), Y = g^x mod p (128 octets). Used for the static pair
// (certified) and the ephemeral one (r, R = the CMS UKM). The private half is wiped on
// destruction.
struct KeaKeyPair {
  Bytes x;  // kKeaPrivateSize octets, big-endian
  Bytes y;  // kKeaPublicSize octets, big-endian
  KeaKeyPair() = default;
  KeaKeyPair(Bytes priv, Bytes pub) : x(std::move(priv)), y(std::move(pub)) {}
  KeaKeyPair(const KeaKeyPair&) = default;
  KeaKeyPair& operator=(const KeaKeyPair&) = default;
  KeaKeyPair(KeaKeyPair&&) noexcept = default;
  KeaKeyPair& operator=(KeaKeyPair&&) noexcept = default;
  ~KeaKeyPair();
};

// Precondition for everything below: `d` passed validate_kea_domain (callers validate once).

// A fresh pair from the DRBG.
Result<KeaKeyPair> generate_kea_key_pair(const KeaDomain& d);
// The pair of a given private value (0 < x < q), e.g. one read from a key file.
Result<KeaKeyPair> kea_key_pair_from_private(const KeaDomain& d, std::span<const uint8_t> x);

// Facts §2.2: every received public value V (a static Y or an ephemeral R) must satisfy
// 1 < V < p and V^q mod p = 1. Errc::crypto "KEA public value out of range" / "... not in the
// order-q subgroup"; Errc::parse when V is longer than 128 octets.
Result<void> check_kea_public_value(const KeaDomain& d, std::span<const uint8_t> v);

// Facts §2.4: the 80-bit TEK from w, a 128-octet big-endian number. v1 = octets 0..9,
// v2 = octets 10..19; kv = v1 XOR 72 f1 a8 7e 92 82 41 98 ab 0b; TEK = the 10-octet FORTEZZA wrap
// core of v2 under kv, with FORTEZZA byte order (which reproduces the NSA annex, facts §2.6.1).
// Errc::invalid_argument unless w has 128 octets.
Result<SkipjackKey> kea_tek_from_w(std::span<const uint8_t> w);

// Two-pass KEA (facts §2.3), the same formula on either side:
// w = (Y_peer^r_self + R_peer^x_self) mod p, after checking Y_peer and R_peer (§2.2) and that
// w != 0. Errors: those of check_kea_public_value, Errc::crypto "KEA: w is zero".
Result<SkipjackKey> kea_agree(const KeaDomain& d, const KeaKeyPair& self_static,
                              const KeaKeyPair& self_ephemeral, std::span<const uint8_t> peer_y,
                              std::span<const uint8_t> peer_r);

// E-mail (one-pass) KEA, what RFC 2876 §4.2.1 uses ("Rb = 1" in the FORTEZZA interface): the
// recipient's static key stands in for its ephemeral one.
// Sender A: w = Y_B^r_A + Y_B^x_A. Recipient B: w = R_A^x_B + Y_A^x_B.
Result<SkipjackKey> kea_email_originator(const KeaDomain& d, const KeaKeyPair& originator_static,
                                         const KeaKeyPair& originator_ephemeral,
                                         std::span<const uint8_t> recipient_y);
Result<SkipjackKey> kea_email_recipient(const KeaDomain& d, const KeaKeyPair& recipient_static,
                                        std::span<const uint8_t> originator_y,
                                        std::span<const uint8_t> originator_r);

// The 128-octet fixed-length form of a public value (left-padded), as FORTEZZA and RFC 2876
// carry Y and R. Errc::parse when it is longer than 128 octets after leading zeros.
Result<Bytes> kea_fixed_public(std::span<const uint8_t> v);

}  // namespace sipcred::cms::rfc2876
