#include "identity/verifier.hpp"

#include <optional>

#include "core/text.hpp"
#include "crypto/hash.hpp"
#include "identity/passport.hpp"
#include "mime/base64.hpp"
#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/scanner.hpp"
#include "sip/uri.hpp"

namespace sipcred::identity {

std::string Outcome::text() const {
  if (valid()) return "valid " + std::string{to_string(scheme)} + " " + asserted;
  return std::to_string(status) + " " + reason + ": " + detail;
}

namespace {

Outcome reject(int status, std::string detail, Scheme scheme) {
  Outcome o;
  o.status = status;
  o.scheme = scheme;
  o.detail = std::move(detail);
  const bool r8224 = scheme == Scheme::rfc8224;
  switch (status) {
    case 428:
      o.reason = "Use Identity Header";
      break;
    case 436:
      o.reason = r8224 ? "Bad Identity Info" : "Bad Identity-Info";
      break;
    case 437:
      o.reason = r8224 ? "Unsupported Credential" : "Unsupported Certificate";
      break;
    case 438:
      o.reason = "Invalid Identity Header";
      break;
    default:
      o.reason = "Stale Date";
      break;
  }
  return o;
}

// Everything both steps need, read from the request.
struct Parsed {
  Scheme scheme = Scheme::rfc4474;
  Alg alg = Alg::rsa_sha1;
  std::string url;
  RequestFields fields;
  std::string signature;      // raw signature bytes
  std::string signing_input;  // RFC 8224: what the JWS signature covers
  WallTime signed_at{};       // Date (RFC 4474) or iat (RFC 8224)
  bool body_claim = false;    // RFC 8224: the token carries our body claim
};

bool is_https(std::string_view url) {
  return istarts_with(url, "https://") && url.size() > 8;
}

// RFC 8224 §8.3: a telephone number compares by its digits alone.
std::string digits(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

// Does the PASSporT's URI or number name the SIP URI `sip_uri` (From for orig, To for dest)?
bool names(std::string_view claim_uri, std::string_view claim_tn, std::string_view sip_uri) {
  auto u = sip::parse_uri(sip_uri);
  if (!claim_uri.empty()) {
    auto c = sip::parse_uri(claim_uri);
    if (u && c) return sip::uri_equivalent(*u, *c);
    return claim_uri == sip_uri;
  }
  if (!u) return false;
  std::string_view number = u->scheme == sip::Scheme::tel ? u->number : u->user;
  std::string d = digits(number);
  return !d.empty() && d == digits(claim_tn);
}

Result<Parsed> parse(const sip::Message& m, Outcome& failure) {
  Parsed p;
  auto value = m.first(sip::HeaderId::identity);
  if (!value) {
    failure = reject(428, "the request has no Identity header", Scheme::rfc4474);
    return fail(Errc::not_found, "");
  }
  auto id = sip::parse_identity(*value);
  auto fields = request_fields(m);
  if (!id || !fields) {
    failure = reject(438, id ? fields.error().detail : "malformed Identity header",
                     id && id->rfc8224 ? Scheme::rfc8224 : Scheme::rfc4474);
    return fail(Errc::parse, "");
  }
  p.fields = std::move(*fields);
  if (!id->rfc8224) {
    p.scheme = Scheme::rfc4474;
    auto info_text = m.first(sip::HeaderId::identity_info);
    if (!info_text) {
      failure = reject(436, "no Identity-Info header", p.scheme);
      return fail(Errc::parse, "");
    }
    auto info = sip::parse_identity_info(*info_text);
    if (!info || !is_https(info->uri)) {
      failure = reject(436, "Identity-Info is not an https URI", p.scheme);
      return fail(Errc::parse, "");
    }
    p.url = std::string{info->uri};
    // RFC 4474 §9: alg defaults to rsa-sha1.
    auto alg = parse_alg(info->params.value("alg").value_or("rsa-sha1"));
    if (!alg || *alg == Alg::es256) {
      failure = reject(437, "Identity-Info alg is not rsa-sha1 or rsa-sha256", p.scheme);
      return fail(Errc::parse, "");
    }
    p.alg = *alg;
    auto sig = mime::base64_decode(id->signature);
    if (!sig || sig->empty()) {
      failure = reject(438, "Identity is not base64", p.scheme);
      return fail(Errc::parse, "");
    }
    p.signature = std::move(*sig);
    if (!p.fields.date) {
      failure = reject(403, "no Date header (RFC 4474 §6)", p.scheme);
      return fail(Errc::parse, "");
    }
    auto date = sip::parse_date(*p.fields.date);
    if (!date) {
      failure = reject(403, "malformed Date header", p.scheme);
      return fail(Errc::parse, "");
    }
    p.signed_at = *date;
    return p;
  }

  p.scheme = Scheme::rfc8224;
  p.alg = Alg::es256;
  if (auto alg = id->params.value("alg"); alg && *alg != "ES256") {
    failure = reject(438, "alg " + std::string{*alg} + " is not supported (ES256 only)", p.scheme);
    return fail(Errc::parse, "");
  }
  auto pp = parse_passport(id->signature);
  if (!pp) {
    failure = reject(438, pp.error().detail, p.scheme);
    return fail(Errc::parse, "");
  }
  std::string url = std::string{id->info_uri};
  if (url.empty()) url = pp->header.x5u;
  if (!is_https(url)) {
    failure = reject(436, "info is not an https URI", p.scheme);
    return fail(Errc::parse, "");
  }
  if (!pp->header.x5u.empty() && pp->header.x5u != url) {
    failure = reject(436, "x5u and info name different certificates", p.scheme);
    return fail(Errc::parse, "");
  }
  if (pp->header.alg != "ES256" || (!pp->header.typ.empty() && pp->header.typ != "passport")) {
    failure = reject(438, "PASSporT header must say alg ES256, typ passport", p.scheme);
    return fail(Errc::parse, "");
  }
  std::string ppt{id->params.value("ppt").value_or("")};
  if (ppt.size() >= 2 && ppt.front() == '"') ppt = ppt.substr(1, ppt.size() - 2);
  if (ppt != pp->header.ppt) {
    failure = reject(438, "ppt parameter and PASSporT header disagree", p.scheme);
    return fail(Errc::parse, "");
  }
  // RFC 8224 §6.2.4: an extension the verifier does not know cannot be vouched for; "shaken"
  // (RFC 8588) adds claims about the caller's number that do not change what is checked here.
  if (!ppt.empty() && ppt != kBodyPpt && ppt != "shaken") {
    failure = reject(438, "PASSporT extension \"" + ppt + "\" is not supported", p.scheme);
    return fail(Errc::parse, "");
  }
  if (!names(pp->claims.orig_uri, pp->claims.orig_tn, p.fields.from_uri)) {
    failure = reject(438, "PASSporT orig does not match From", p.scheme);
    return fail(Errc::parse, "");
  }
  bool dest_ok = false;
  for (const auto& u : pp->claims.dest_uri) dest_ok = dest_ok || names(u, "", p.fields.to_uri);
  for (const auto& t : pp->claims.dest_tn) dest_ok = dest_ok || names("", t, p.fields.to_uri);
  if (!dest_ok) {
    failure = reject(438, "PASSporT dest does not match To", p.scheme);
    return fail(Errc::parse, "");
  }
  if (!pp->claims.body_sha256.empty()) {
    crypto::Bytes h = crypto::hash(crypto::HashAlg::sha256, p.fields.body);
    if (pp->claims.body_sha256 !=
        base64url_encode({reinterpret_cast<const char*>(h.data()), h.size()})) {
      failure = reject(438, "the body does not match the PASSporT's body claim", p.scheme);
      return fail(Errc::parse, "");
    }
  }
  p.signed_at = WallTime{std::chrono::seconds{pp->claims.iat}};
  p.body_claim = !pp->claims.body_sha256.empty();
  p.url = std::move(url);
  p.signature = std::move(pp->signature);
  p.signing_input = std::move(pp->signing_input);
  return p;
}

std::chrono::seconds window(const VerifierConfig& c, Scheme s) {
  return s == Scheme::rfc4474 ? c.window_rfc4474 : c.window_rfc8224;
}

// Does the certificate speak for `host`? A dNSName equal to it, or a SIP URI naming the domain
// alone (RFC 4474 §6 step 2, RFC 8224 §6.2.3: the domain of the From).
bool covers(const crypto::Certificate& cert, std::string_view host) {
  for (const auto& d : cert.san_dns()) {
    if (iequals(d, host)) return true;
  }
  for (const auto& u : cert.san_uris()) {
    auto uri = sip::parse_uri(u);
    if (uri && uri->is_sip() && !uri->has_user && iequals(uri->host.text, host)) return true;
  }
  return false;
}

// parse() and the freshness check (RFC 4474 §6 step 4, RFC 8224 §6.2.2): what both steps start
// with. A failure comes back in `failure`.
std::optional<Parsed> checked(const sip::Message& m, const VerifierConfig& c, WallTime now,
                              Outcome& failure) {
  auto p = parse(m, failure);
  if (!p) return std::nullopt;
  auto age = now - p->signed_at;
  auto w = window(c, p->scheme);
  if (age > w || -age > w) {
    std::string when = age.count() >= 0 ? std::to_string(age.count()) + " s ago"
                                        : std::to_string(-age.count()) + " s in the future";
    failure = reject(403, "signed " + when + "; the window is " + std::to_string(w.count()) + " s",
                     p->scheme);
    return std::nullopt;
  }
  return std::move(*p);
}

}  // namespace

std::variant<Outcome, NeedCertificate> Verifier::begin(const sip::Message& m, WallTime now) const {
  Outcome failure;
  auto p = checked(m, config_, now, failure);
  if (!p) return failure;
  return NeedCertificate{p->url};
}

Outcome Verifier::finish(const sip::Message& m, const Result<std::string>& certificate,
                         WallTime now) {
  Outcome failure;
  auto p = checked(m, config_, now, failure);
  if (!p) return failure;
  const Scheme s = p->scheme;
  if (!certificate) return reject(436, p->url + ": " + certificate.error().detail, s);
  auto cert = crypto::Certificate::from_bytes(crypto::as_bytes(*certificate));
  if (!cert) return reject(436, p->url + " did not give a certificate", s);
  if (auto chain = crypto::verify_chain(*cert, config_.anchors, {}, now); !chain) {
    return reject(437, chain.error().detail, s);
  }
  if (!covers(*cert, p->fields.from_host)) {
    return reject(437, "the certificate does not cover " + p->fields.from_host, s);
  }
  crypto::PublicKey key = cert->public_key();
  bool ok = false;
  if (s == Scheme::rfc4474) {
    if (key.algorithm() != "RSA") return reject(437, "an RSA certificate is needed", s);
    std::string ds = digest_string(p->fields, *p->fields.date);
    auto hash = p->alg == Alg::rsa_sha1 ? crypto::HashAlg::sha1 : crypto::HashAlg::sha256;
    ok = key.verify(hash, crypto::as_bytes(ds), crypto::as_bytes(p->signature));
  } else {
    if (key.algorithm() != "EC" || key.curve() != "P-256") {
      return reject(437, "a P-256 certificate is needed for ES256", s);
    }
    ok = key.verify_raw_ecdsa(crypto::HashAlg::sha256, crypto::as_bytes(p->signing_input),
                              crypto::as_bytes(p->signature));
  }
  if (!ok) return reject(438, "the signature does not verify", s);
  if (s == Scheme::rfc8224 && config_.require_body_claim && !p->fields.body.empty() &&
      !p->body_claim) {
    return reject(438, "the body is not covered by the PASSporT (no body claim)", s);
  }
  // RFC 4474 §6 step 4 / RFC 8224 §12.1: the same request seen twice within the window.
  std::string key_text = p->fields.call_id + '\n' + p->fields.from_tag + '\n' +
                         std::to_string(p->fields.cseq) + ' ' + p->fields.method;
  if (replayed(key_text, now, p->signed_at + window(config_, s))) {
    return reject(403, "a request with this Call-ID, From tag and CSeq was already seen", s);
  }
  Outcome o;
  o.scheme = s;
  o.asserted = p->fields.from_uri;
  return o;
}

bool Verifier::replayed(const std::string& key, WallTime now, WallTime expires) {
  // Forget what has left the window.
  while (!seen_by_expiry_.empty() && seen_by_expiry_.begin()->first < now) {
    seen_.erase(seen_by_expiry_.begin()->second);
    seen_by_expiry_.erase(seen_by_expiry_.begin());
  }
  if (auto it = seen_.find(key); it != seen_.end()) return true;
  if (seen_.size() >= config_.replay_capacity && !seen_by_expiry_.empty()) {
    // Full: the entry closest to leaving the window goes first.
    seen_.erase(seen_by_expiry_.begin()->second);
    seen_by_expiry_.erase(seen_by_expiry_.begin());
  }
  seen_.emplace(key, expires);
  seen_by_expiry_.emplace(expires, key);
  return false;
}

const std::string* CertificateCache::get(const std::string& url, WallTime now) {
  auto it = entries_.find(url);
  if (it == entries_.end()) return nullptr;
  if (it->second.expires <= now) {
    entries_.erase(it);
    return nullptr;
  }
  return &it->second.bytes;
}

void CertificateCache::put(const std::string& url, std::string bytes, WallTime now) {
  if (lifetime_.count() <= 0) return;
  if (entries_.size() >= capacity_) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second.expires <= now ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
  }
  entries_[url] = Entry{std::move(bytes), now + lifetime_};
}

}  // namespace sipcred::identity
