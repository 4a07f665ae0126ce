// Digest computations of RFC 7616 §3.4 with the algorithms of its §3.2 and §6.1 registry, which
// RFC 8760 brings to SIP: MD5, SHA-256, SHA-512-256 and their -sess variants. Pure functions of
// their inputs; the server (verifier.hpp) and the client (client.hpp) share them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/hash.hpp"

namespace sipcred::auth {

// algorithm = "algorithm" EQUAL ( "MD5" / "MD5-sess" / "SHA-256" / "SHA-256-sess" /
//             "SHA-512-256" / "SHA-512-256-sess" / token )   (RFC 7616 §3.3, RFC 8760 §2)
struct Algorithm {
  crypto::HashAlg hash = crypto::HashAlg::md5;
  bool sess = false;
  friend bool operator==(const Algorithm&, const Algorithm&) = default;
};

inline constexpr Algorithm kMd5{crypto::HashAlg::md5, false};
inline constexpr Algorithm kSha256{crypto::HashAlg::sha256, false};
inline constexpr Algorithm kSha512_256{crypto::HashAlg::sha512_256, false};
// What a server offers by default, strongest first (RFC 7616 §3.7: a server lists its challenges
// in order of preference; RFC 8760 §2 for SIP).
inline constexpr std::array<Algorithm, 3> kStrongestFirst{kSha512_256, kSha256, kMd5};

// Case-insensitive, as tokens are; nullopt for algorithms we do not implement (SHA-1 is not a
// digest algorithm). The directive's absence means MD5 (RFC 7616 §3.3) and is the caller's call.
std::optional<Algorithm> parse_algorithm(std::string_view token);
std::string to_string(Algorithm alg);
// Larger is stronger: SHA-512-256 > SHA-256 > MD5; a -sess variant ranks just below its base.
int strength(Algorithm alg);

// qop-value (RFC 7616 §3.3); `none` is the RFC 2069 form without qop, nc and cnonce.
enum class Qop { none, auth, auth_int };
std::string_view to_string(Qop qop);

// H(unq(username) ":" unq(realm) ":" passwd) in lower-case hex (RFC 7616 §3.4.2): what a store
// keeps per algorithm instead of the password.
std::string ha1(crypto::HashAlg hash, std::string_view username, std::string_view realm,
                std::string_view password);

// H(unq(username) ":" unq(realm)), the username a client sends with userhash=true (§3.4.4).
std::string userhash(crypto::HashAlg hash, std::string_view username, std::string_view realm);

struct ResponseInput {
  Algorithm algorithm;
  std::string_view ha1;  // hex H(username:realm:password) for algorithm.hash (not the -sess one)
  std::string_view nonce;
  std::string_view nc;  // 8LHEX as sent; empty with Qop::none
  std::string_view cnonce;
  Qop qop = Qop::auth;
  std::string_view method;
  std::string_view uri;           // the digest-uri as sent in the credentials
  std::span<const uint8_t> body;  // auth-int only: the entity body (RFC 7616 §3.4.3)
};

// request-digest in lower-case hex (RFC 7616 §3.4.1):
//   qop present: KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))
//   qop absent (RFC 2069): KD(H(A1), nonce ":" H(A2))
// with A1 of §3.4.2 (for -sess: H(user:realm:pass) ":" nonce ":" cnonce, taking this request's
// nonce and cnonce) and A2 of §3.4.3.
std::string response(const ResponseInput& in);

// True when `s` is lower- or upper-case hex of exactly the digest length of `hash`.
bool is_digest_hex(std::string_view s, crypto::HashAlg hash);

}  // namespace sipcred::auth
