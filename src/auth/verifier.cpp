#include "auth/verifier.hpp"

#include <algorithm>

#include "auth/auth_params.hpp"
#include "core/text.hpp"
#include "crypto/hash.hpp"

namespace sipcred::auth {

namespace {

// Bounds on the directives we keep; the auth-param parser has already bounded the whole value.
constexpr size_t kMaxName = 256;   // username, realm
constexpr size_t kMaxNonce = 256;  // nonce, cnonce, opaque

std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The directives of a digest-response (RFC 7616 §3.4), after the grammar checks that make a
// malformed value a 400 rather than a challenge.
struct DigestResponse {
  std::string username;
  bool userhash = false;
  std::string realm, nonce, uri, response, cnonce, nc;
  std::optional<std::string> opaque;
  std::optional<Algorithm> algorithm;  // nullopt: named but not one we implement
  Qop qop = Qop::none;
  uint32_t nc_value = 0;
};

bool parse_nc(std::string_view s, uint32_t& out) {
  // nc-value = 8LHEX (RFC 7616 §3.4); upper-case hex is accepted as RFC 2617 clients send it.
  if (s.size() != 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  out = v;
  return v != 0;  // the first request with a nonce counts 1
}

std::optional<DigestResponse> read_response(const AuthField& f) {
  DigestResponse d;
  auto required = [&f](std::string_view name, std::string& out, size_t max) {
    auto v = f.value(name);
    if (!v || v->empty() || v->size() > max) return false;
    out = std::string{*v};
    return true;
  };
  // RFC 7616 §3.4: username or username* (an RFC 8187 ext-value), never both; username* is not
  // combined with userhash.
  if (auto uh = f.value("userhash")) {
    if (iequals(*uh, "true")) {
      d.userhash = true;
    } else if (!iequals(*uh, "false")) {
      return std::nullopt;
    }
  }
  auto plain = f.value("username");
  auto ext = f.value("username*");
  if (plain && ext) return std::nullopt;
  if (ext) {
    if (d.userhash) return std::nullopt;
    auto decoded = decode_ext_value(*ext);
    if (!decoded || decoded->empty() || decoded->size() > kMaxName) return std::nullopt;
    d.username = std::move(*decoded);
  } else if (!required("username", d.username, kMaxName)) {
    return std::nullopt;
  }
  if (!required("realm", d.realm, kMaxName) || !required("nonce", d.nonce, kMaxNonce) ||
      !required("uri", d.uri, SIZE_MAX) || !required("response", d.response, 2 * 64)) {
    return std::nullopt;
  }
  if (auto o = f.value("opaque")) {
    if (o->size() > kMaxNonce) return std::nullopt;
    d.opaque = std::string{*o};
  }
  // RFC 7616 §3.4: without the directive the algorithm is MD5.
  auto alg = f.value("algorithm");
  d.algorithm = alg ? parse_algorithm(*alg) : kMd5;

  auto qop = f.value("qop");
  auto cnonce = f.value("cnonce");
  auto nc = f.value("nc");
  if (qop) {
    if (iequals(*qop, "auth")) {
      d.qop = Qop::auth;
    } else if (iequals(*qop, "auth-int")) {
      d.qop = Qop::auth_int;
    } else {
      return std::nullopt;
    }
    // RFC 7616 §3.4: cnonce and nc MUST be sent with a qop.
    if (!required("cnonce", d.cnonce, kMaxNonce) || !nc || !parse_nc(*nc, d.nc_value)) {
      return std::nullopt;
    }
    d.nc = std::string{*nc};
  } else if (cnonce || nc) {
    return std::nullopt;  // RFC 2617 §3.2.2: cnonce and nc only with a qop
  }
  if (d.algorithm && !is_digest_hex(d.response, d.algorithm->hash)) return std::nullopt;
  return d;
}

}  // namespace

std::string_view to_string(Reason reason) {
  switch (reason) {
    case Reason::authenticated:
      return "authenticated";
    case Reason::no_credentials:
      return "credentials required";
    case Reason::malformed:
      return "malformed credentials";
    case Reason::scheme_not_digest:
      return "authentication scheme not supported";
    case Reason::realm_mismatch:
      return "credentials for another realm";
    case Reason::algorithm_not_offered:
      return "algorithm not offered";
    case Reason::qop_not_offered:
      return "qop not offered";
    case Reason::qop_required:
      return "qop required";
    case Reason::uri_mismatch:
      return "digest uri does not match the request";
    case Reason::nonce_invalid:
      return "nonce not valid";
    case Reason::opaque_mismatch:
      return "opaque does not match";
    case Reason::nonce_expired:
      return "nonce expired";
    case Reason::nonce_forgotten:
      return "nonce no longer tracked";
    case Reason::nc_replayed:
      return "nonce-count replayed";
    case Reason::bad_credentials:
      return "credentials do not match";
    case Reason::rate_limited:
      return "too many failed attempts";
  }
  return "?";
}

Result<Verifier> Verifier::create(VerifierConfig config) {
  if (config.secret.size() < 16) return fail(Errc::config, "digest nonce secret under 16 octets");
  if (config.nonce_lifetime <= std::chrono::seconds{0})
    return fail(Errc::config, "digest nonce lifetime must be positive");
  if (config.algorithms.empty()) return fail(Errc::config, "no digest algorithm offered");
  for (const auto& a : config.algorithms) {
    if (a.sess || strength(a) == 0)
      return fail(Errc::config, "digest algorithm not offerable: " + to_string(a));
  }
  return Verifier{std::move(config)};
}

Verifier::Verifier(VerifierConfig config)
    : config_(std::move(config)),
      codec_(config_.secret, config_.nonce_lifetime),
      counts_(config_.nonce_table_capacity),
      by_user_(config_.per_user),
      by_source_(config_.per_source) {}

std::vector<std::string> Verifier::challenges(std::string_view realm, WallTime now, bool stale) {
  std::vector<std::string> out;
  const std::string opaque = codec_.opaque(realm);
  for (const auto& alg : config_.algorithms) {
    std::string v = "Digest realm=" + quote(realm);
    v += config_.auth_int ? ", qop=\"auth,auth-int\"" : ", qop=\"auth\"";
    v += ", algorithm=" + to_string(alg);
    v += ", nonce=\"" + codec_.issue(realm, now) + "\"";
    v += ", opaque=\"" + opaque + "\"";
    if (config_.userhash) v += ", userhash=true";
    if (stale) v += ", stale=true";
    out.push_back(std::move(v));
  }
  return out;
}

Outcome Verifier::refuse(Verdict v, Reason r, std::string_view realm, WallTime now) {
  Outcome o;
  o.verdict = v;
  o.reason = r;
  if (v == Verdict::challenge || v == Verdict::stale) {
    o.challenges = challenges(realm, now, v == Verdict::stale);
  }
  return o;
}

Outcome Verifier::check(const Request& req, std::string_view credentials, std::string_view realm,
                        WallTime now, const CredentialLookup& lookup) {
  if (auto wait = by_source_.blocked_for(req.source, now); wait.count() > 0) {
    Outcome o = refuse(Verdict::too_many, Reason::rate_limited, realm, now);
    o.retry_after = wait;
    return o;
  }
  if (credentials.empty()) return refuse(Verdict::challenge, Reason::no_credentials, realm, now);

  auto field = parse_credentials(credentials);
  if (!field) {
    by_source_.record_failure(req.source, now);
    return refuse(Verdict::bad_request, Reason::malformed, realm, now);
  }
  if (!field->is_scheme("Digest")) {
    return refuse(Verdict::challenge, Reason::scheme_not_digest, realm, now);
  }
  auto d = read_response(*field);
  if (!d) {
    by_source_.record_failure(req.source, now);
    return refuse(Verdict::bad_request, Reason::malformed, realm, now);
  }
  if (d->realm != realm) return refuse(Verdict::challenge, Reason::realm_mismatch, realm, now);
  if (!d->algorithm) return refuse(Verdict::challenge, Reason::algorithm_not_offered, realm, now);
  // -sess variants of what we offer are accepted: their A1 derives from the same HA1.
  const Algorithm base{d->algorithm->hash, false};
  if (std::find(config_.algorithms.begin(), config_.algorithms.end(), base) ==
      config_.algorithms.end()) {
    return refuse(Verdict::challenge, Reason::algorithm_not_offered, realm, now);
  }
  if (d->qop == Qop::none && !config_.allow_rfc2069) {
    return refuse(Verdict::forbidden, Reason::qop_required, realm, now);
  }
  if (d->qop == Qop::auth_int && !config_.auth_int) {
    // RFC 7616 §3.4: the qop MUST be one the server offered.
    return refuse(Verdict::bad_request, Reason::qop_not_offered, realm, now);
  }
  // RFC 2617 §3.2.2.5 (kept by RFC 7616): the uri directive names the resource of the request,
  // else 400.
  if (d->uri != req.uri) return refuse(Verdict::bad_request, Reason::uri_mismatch, realm, now);

  auto nonce = codec_.check(d->nonce, realm, now);
  if (nonce.state == NonceCodec::State::invalid) {
    by_source_.record_failure(req.source, now);
    return refuse(Verdict::challenge, Reason::nonce_invalid, realm, now);
  }
  if (d->opaque && *d->opaque != codec_.opaque(realm)) {
    by_source_.record_failure(req.source, now);
    return refuse(Verdict::challenge, Reason::opaque_mismatch, realm, now);
  }

  const std::string asked = d->userhash ? lower(d->username) : d->username;
  auto stored = lookup ? lookup(CredentialQuery{asked, d->userhash, base.hash, realm})
                       : std::optional<StoredCredential>{};
  // Failures count per user as the store names them, so that userhash and plain requests for
  // one user share a limit.
  std::string user_key{realm};
  user_key += '\n';
  user_key += stored ? stored->user : asked;
  if (auto wait = by_user_.blocked_for(user_key, now); wait.count() > 0) {
    Outcome o = refuse(Verdict::too_many, Reason::rate_limited, realm, now);
    o.retry_after = wait;
    return o;
  }

  // An unknown user costs the same hashing as a known one and is answered alike.
  // RFC 7616 §3.4.2 hashes HA1 as lower-case hex; a store may keep it in upper case.
  const std::string key =
      stored ? lower(stored->ha1) : std::string(2 * crypto::digest_size(base.hash), '0');
  const std::string expected = response(ResponseInput{
      .algorithm = *d->algorithm,
      .ha1 = key,
      .nonce = d->nonce,
      .nc = d->nc,
      .cnonce = d->cnonce,
      .qop = d->qop,
      .method = req.method,
      .uri = d->uri,
      .body = req.body,
  });
  const bool match = crypto::equal_ct(expected, lower(d->response));
  if (!stored || !match) {
    by_user_.record_failure(user_key, now);
    by_source_.record_failure(req.source, now);
    return refuse(Verdict::challenge, Reason::bad_credentials, realm, now);
  }
  // RFC 7616 §3.3: stale=true only when the response was right for a nonce no longer valid, so
  // the client retries with the new nonce without asking the user again.
  if (nonce.state == NonceCodec::State::stale) {
    return refuse(Verdict::stale, Reason::nonce_expired, realm, now);
  }
  if (d->qop != Qop::none) {
    switch (counts_.use(nonce.key, nonce.issued, d->nc_value, now, config_.nonce_lifetime)) {
      case NonceCountTable::Use::fresh:
        break;
      // A replayed nc with a right response is a captured request or a client that reordered
      // its requests; either way a fresh nonce costs the honest client one round trip and
      // gives a replayer nothing.
      case NonceCountTable::Use::replay:
        return refuse(Verdict::stale, Reason::nc_replayed, realm, now);
      case NonceCountTable::Use::forgotten:
        return refuse(Verdict::stale, Reason::nonce_forgotten, realm, now);
    }
  }
  Outcome o;
  o.verdict = Verdict::ok;
  o.reason = Reason::authenticated;
  o.user = stored->user;
  return o;
}

Outcome Verifier::check(const Request& req, std::span<const std::string_view> credentials,
                        std::string_view realm, WallTime now, const CredentialLookup& lookup) {
  for (std::string_view c : credentials) {
    auto f = parse_credentials(c);
    if (f && f->is_scheme("Digest") && f->value("realm") == realm) {
      return check(req, c, realm, now, lookup);
    }
  }
  return check(req, credentials.empty() ? std::string_view{} : credentials.front(), realm, now,
               lookup);
}

void CredentialTable::add(std::string_view user, std::string_view realm,
                          std::string_view password) {
  for (auto hash : {crypto::HashAlg::md5, crypto::HashAlg::sha256, crypto::HashAlg::sha512_256}) {
    add_ha1(user, realm, hash, ha1(hash, user, realm, password));
  }
}

void CredentialTable::add_ha1(std::string_view user, std::string_view realm, crypto::HashAlg hash,
                              std::string_view ha1_hex) {
  ha1_[Key{std::string{realm}, std::string{user}, hash}] = lower(ha1_hex);
  by_userhash_[Key{std::string{realm}, userhash(hash, user, realm), hash}] = std::string{user};
}

std::optional<StoredCredential> CredentialTable::find(const CredentialQuery& q) const {
  std::string user{q.username};
  if (q.userhash) {
    auto u = by_userhash_.find(Key{std::string{q.realm}, lower(q.username), q.hash});
    if (u == by_userhash_.end()) return std::nullopt;
    user = u->second;
  }
  auto it = ha1_.find(Key{std::string{q.realm}, user, q.hash});
  if (it == ha1_.end()) return std::nullopt;
  return StoredCredential{user, it->second};
}

}  // namespace sipcred::auth
