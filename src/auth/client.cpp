#include "auth/client.hpp"

#include <array>
#include <cstdio>

#include "auth/auth_params.hpp"
#include "core/text.hpp"
#include "crypto/hash.hpp"

namespace sipcred::auth {

namespace {

// qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT   (RFC 7616 §3.3)
bool qop_offers(std::string_view list, std::string_view want) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, want)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// A name goes out as a quoted-string; control characters have no representation there.
bool sendable(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) return false;
  }
  return true;
}

// What we echo from a challenge stays small, so that our credentials always fit the limits our
// own parser (and a sane server's) applies.
constexpr size_t kMaxEcho = 1024;

struct Offer {
  Algorithm alg;
  Qop qop = Qop::auth;
  bool stale = false, userhash = false;
  std::string realm, nonce;
  std::optional<std::string> opaque;
};

}  // namespace

std::optional<std::string> ClientAuth::ha1_for(crypto::HashAlg hash) const {
  if (creds_.password) return ha1(hash, creds_.username, realm_, *creds_.password);
  for (const auto& [h, value] : creds_.ha1) {
    if (h == hash && is_digest_hex(value, hash)) return value;
  }
  return std::nullopt;
}

ClientAuth::Action ClientAuth::on_challenge(std::span<const std::string_view> values) {
  std::optional<Offer> best;
  for (std::string_view value : values) {
    auto fields = parse_challenges(value);
    if (!fields) continue;  // one broken value does not spoil the others
    for (const auto& f : *fields) {
      if (!f.is_scheme("Digest")) continue;
      Offer o;
      auto realm = f.value("realm");
      auto nonce = f.value("nonce");
      if (!realm || !nonce || nonce->empty()) continue;
      if (realm->size() > kMaxEcho || nonce->size() > kMaxEcho) continue;
      o.realm = std::string{*realm};
      o.nonce = std::string{*nonce};
      auto alg = f.value("algorithm");
      auto parsed = alg ? parse_algorithm(*alg) : std::optional<Algorithm>{kMd5};
      if (!parsed) continue;  // an algorithm we do not implement
      o.alg = *parsed;
      if (auto qop = f.value("qop")) {
        if (qop_offers(*qop, "auth")) {
          o.qop = Qop::auth;
        } else if (qop_offers(*qop, "auth-int")) {
          o.qop = Qop::auth_int;
        } else {
          continue;
        }
      } else {
        o.qop = Qop::none;  // an RFC 2069 server
      }
      if (auto s = f.value("stale")) o.stale = iequals(*s, "true");
      if (auto u = f.value("userhash")) o.userhash = iequals(*u, "true");
      if (auto op = f.value("opaque")) {
        if (op->size() > kMaxEcho) continue;
        o.opaque = std::string{*op};
      }
      if (!creds_.password) {
        bool have = false;
        for (const auto& [h, v] : creds_.ha1) have = have || (h == o.alg.hash);
        if (!have) continue;
      }
      if (!best || strength(o.alg) > strength(best->alg)) best = std::move(o);
    }
  }
  if (!best) return Action::unsupported;
  // RFC 3261 §22.1 / RFC 7616 §3.3: a new challenge without stale=true after we answered in the
  // same realm says the credentials are wrong; retrying them would only count more failures.
  if (have_challenge_ && answered_ && !best->stale && best->realm == realm_) {
    return Action::rejected;
  }
  have_challenge_ = true;
  answered_ = false;
  alg_ = best->alg;
  qop_ = best->qop;
  userhash_ = best->userhash;
  realm_ = std::move(best->realm);
  nonce_ = std::move(best->nonce);
  opaque_ = std::move(best->opaque);
  nc_ = 0;
  return Action::retry;
}

std::optional<std::string> ClientAuth::authorize(std::string_view method, std::string_view uri,
                                                 std::span<const uint8_t> body) {
  if (!have_challenge_ || nc_ == UINT32_MAX) return std::nullopt;
  if (!sendable(creds_.username) || !sendable(uri)) return std::nullopt;
  auto key = ha1_for(alg_.hash);
  if (!key) return std::nullopt;

  std::string cnonce;
  std::array<char, 9> nc{};
  if (qop_ != Qop::none) {
    std::array<uint8_t, 16> rnd{};
    crypto::random_fill(rnd);
    cnonce = crypto::to_hex(rnd);
    std::snprintf(nc.data(), nc.size(), "%08x", static_cast<unsigned>(nc_ + 1));
  }
  const std::string resp = response(ResponseInput{
      .algorithm = alg_,
      .ha1 = *key,
      .nonce = nonce_,
      .nc = std::string_view{nc.data(), qop_ == Qop::none ? 0u : 8u},
      .cnonce = cnonce,
      .qop = qop_,
      .method = method,
      .uri = uri,
      .body = body,
  });
  ++nc_;
  answered_ = true;

  const std::string name =
      userhash_ ? userhash(alg_.hash, creds_.username, realm_) : creds_.username;
  std::string v = "Digest username=" + quote(name);
  v += ", realm=" + quote(realm_);
  v += ", uri=" + quote(uri);
  v += ", algorithm=" + to_string(alg_);
  v += ", nonce=" + quote(nonce_);
  if (qop_ != Qop::none) {
    v += ", nc=";
    v += nc.data();
    v += ", cnonce=\"" + cnonce + "\"";
    v += ", qop=";
    v += to_string(qop_);
  }
  v += ", response=\"" + resp + "\"";
  if (opaque_) v += ", opaque=" + quote(*opaque_);
  if (userhash_) v += ", userhash=true";
  return v;
}

}  // namespace sipcred::auth
