#include "auth/digest.hpp"

namespace sipcred::auth {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string hex_hash(crypto::Hasher& h) {
  return crypto::to_hex(h.finish());
}

}  // namespace

std::optional<Algorithm> parse_algorithm(std::string_view token) {
  constexpr std::string_view kSess = "-sess";
  bool sess = false;
  if (token.size() > kSess.size() && iequal(token.substr(token.size() - kSess.size()), kSess)) {
    sess = true;
    token.remove_suffix(kSess.size());
  }
  if (iequal(token, "MD5")) return Algorithm{crypto::HashAlg::md5, sess};
  if (iequal(token, "SHA-256")) return Algorithm{crypto::HashAlg::sha256, sess};
  if (iequal(token, "SHA-512-256")) return Algorithm{crypto::HashAlg::sha512_256, sess};
  return std::nullopt;
}

std::string to_string(Algorithm alg) {
  std::string out{crypto::to_string(alg.hash)};  // "MD5", "SHA-256", "SHA-512-256"
  if (alg.sess) out += "-sess";
  return out;
}

int strength(Algorithm alg) {
  int base = 0;
  switch (alg.hash) {
    case crypto::HashAlg::md5:
      base = 10;
      break;
    case crypto::HashAlg::sha256:
      base = 20;
      break;
    case crypto::HashAlg::sha512_256:
      base = 30;
      break;
    default:
      return 0;  // not a digest algorithm
  }
  return alg.sess ? base - 1 : base;
}

std::string_view to_string(Qop qop) {
  switch (qop) {
    case Qop::auth:
      return "auth";
    case Qop::auth_int:
      return "auth-int";
    case Qop::none:
      break;
  }
  return "";
}

std::string ha1(crypto::HashAlg hash, std::string_view username, std::string_view realm,
                std::string_view password) {
  crypto::Hasher h{hash};
  h.update(username).update(":").update(realm).update(":").update(password);
  return hex_hash(h);
}

std::string userhash(crypto::HashAlg hash, std::string_view username, std::string_view realm) {
  crypto::Hasher h{hash};
  h.update(username).update(":").update(realm);
  return hex_hash(h);
}

std::string response(const ResponseInput& in) {
  const crypto::HashAlg hash = in.algorithm.hash;
  std::string ha1_hex{in.ha1};
  if (in.algorithm.sess) {
    crypto::Hasher h{hash};
    h.update(in.ha1).update(":").update(in.nonce).update(":").update(in.cnonce);
    ha1_hex = hex_hash(h);
  }
  crypto::Hasher a2{hash};
  a2.update(in.method).update(":").update(in.uri);
  if (in.qop == Qop::auth_int) {
    a2.update(":").update(crypto::to_hex(crypto::hash(hash, in.body)));
  }
  const std::string ha2 = hex_hash(a2);

  crypto::Hasher kd{hash};
  kd.update(ha1_hex).update(":").update(in.nonce).update(":");
  if (in.qop != Qop::none) {
    kd.update(in.nc)
        .update(":")
        .update(in.cnonce)
        .update(":")
        .update(to_string(in.qop))
        .update(":");
  }
  kd.update(ha2);
  return hex_hash(kd);
}

bool is_digest_hex(std::string_view s, crypto::HashAlg hash) {
  if (s.size() != 2 * crypto::digest_size(hash)) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) return false;
  }
  return true;
}

}  // namespace sipcred::auth
