#include "identity/identity.hpp"

#include <charconv>

#include "core/text.hpp"
#include "crypto/hash.hpp"
#include "identity/passport.hpp"
#include "mime/base64.hpp"
#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/scanner.hpp"

namespace sipcred::identity {

std::string_view to_string(Scheme s) {
  return s == Scheme::rfc4474 ? "rfc4474" : "rfc8224";
}

std::string_view to_string(Alg a) {
  switch (a) {
    case Alg::rsa_sha1:
      return "rsa-sha1";
    case Alg::rsa_sha256:
      return "rsa-sha256";
    case Alg::es256:
      return "ES256";
  }
  return "?";
}

Result<Alg> parse_alg(std::string_view text) {
  // RFC 4474 §9 alg tokens compare case-insensitively (token); JWS "alg" is case-sensitive.
  if (iequals(text, "rsa-sha1")) return Alg::rsa_sha1;
  if (iequals(text, "rsa-sha256")) return Alg::rsa_sha256;
  if (text == "ES256") return Alg::es256;
  return fail(Errc::parse, "unsupported alg \"" + std::string{text} + "\"");
}

Result<Scheme> parse_scheme(std::string_view text) {
  if (text == "rfc4474") return Scheme::rfc4474;
  if (text == "rfc8224") return Scheme::rfc8224;
  return fail(Errc::invalid_argument, "identity scheme must be rfc4474 or rfc8224");
}

Result<RequestFields> request_fields(const sip::Message& m) {
  RequestFields f;
  auto addr = [&](sip::HeaderId id, std::string_view name) -> Result<sip::NameAddr> {
    auto v = m.first(id);
    if (!v) return fail(Errc::parse, "no " + std::string{name} + " header");
    auto na = sip::parse_name_addr(*v);
    if (!na) return fail(Errc::parse, "malformed " + std::string{name} + " header");
    return na;
  };
  auto from = addr(sip::HeaderId::from, "From");
  if (!from) return Unexpected{from.error()};
  auto to = addr(sip::HeaderId::to, "To");
  if (!to) return Unexpected{to.error()};
  f.from_uri = std::string{from->uri.text};
  f.from_host = ascii_lowercase(from->uri.host.text);
  f.from_tag = std::string{from->tag()};
  f.to_uri = std::string{to->uri.text};
  auto call_id = m.first(sip::HeaderId::call_id);
  auto cid = call_id ? sip::parse_call_id(*call_id) : fail(Errc::parse, "");
  if (!cid) return fail(Errc::parse, "no valid Call-ID header");
  f.call_id = std::string{*cid};
  auto cseq_text = m.first(sip::HeaderId::cseq);
  auto cseq = cseq_text ? sip::parse_cseq(*cseq_text) : fail(Errc::parse, "");
  if (!cseq) return fail(Errc::parse, "no valid CSeq header");
  f.cseq = cseq->number;
  f.method = std::string{cseq->method};
  if (auto d = m.first(sip::HeaderId::date)) f.date = std::string{sip::trim(*d)};
  if (m.first(sip::HeaderId::contact)) {
    auto contact = addr(sip::HeaderId::contact, "Contact");
    // "Contact: *" has no addr-spec: the digest-string's optional part stays empty.
    if (contact) f.contact_uri = std::string{contact->uri.text};
  }
  f.body = std::string{m.body()};
  return f;
}

std::string digest_string(const RequestFields& f, std::string_view date) {
  std::string s;
  s.reserve(f.from_uri.size() + f.to_uri.size() + f.call_id.size() + date.size() +
            f.contact_uri.size() + f.body.size() + 32);
  s += f.from_uri;
  s += '|';
  s += f.to_uri;
  s += '|';
  s += f.call_id;
  s += '|';
  char cseq[16];
  auto [end, ec] = std::to_chars(cseq, cseq + sizeof cseq, f.cseq);
  s.append(cseq, end);
  s += ' ';
  s += f.method;
  s += '|';
  s += date;
  s += '|';
  s += f.contact_uri;
  s += '|';
  s += f.body;
  return s;
}

PassportClaims passport_claims(const RequestFields& f, int64_t iat, bool body_claim) {
  PassportClaims c;
  c.orig_uri = f.from_uri;
  c.dest_uri = {f.to_uri};
  c.iat = iat;
  if (body_claim) {
    crypto::Bytes h = crypto::hash(crypto::HashAlg::sha256, f.body);
    c.body_sha256 = base64url_encode({reinterpret_cast<const char*>(h.data()), h.size()});
  }
  return c;
}

Result<void> AuthenticationService::add(DomainKey k) {
  if (k.certificate && !k.key.matches(k.certificate->public_key())) {
    return fail(Errc::config, "identity key of " + k.domain + " does not match its certificate");
  }
  const bool ec = k.key.algorithm() == "EC";
  if (k.scheme == Scheme::rfc8224) k.alg = Alg::es256;
  if (k.alg == Alg::es256 && (!ec || k.key.public_key().curve() != "P-256")) {
    return fail(Errc::config, "ES256 needs a P-256 key (" + k.domain + ")");
  }
  if (k.alg != Alg::es256 && k.key.algorithm() != "RSA") {
    return fail(Errc::config,
                std::string{to_string(k.alg)} + " needs an RSA key (" + k.domain + ")");
  }
  if (k.scheme == Scheme::rfc4474 && k.alg == Alg::es256) {
    return fail(Errc::config, "RFC 4474 signs with rsa-sha1 or rsa-sha256 (" + k.domain + ")");
  }
  if (!istarts_with(k.info_url, "https://")) {
    return fail(Errc::config, "identity info_url of " + k.domain + " must be an https URL");
  }
  k.domain = ascii_lowercase(k.domain);
  std::string domain = k.domain;
  keys_[std::move(domain)] = std::make_shared<const DomainKey>(std::move(k));
  return {};
}

std::shared_ptr<const DomainKey> AuthenticationService::find(std::string_view domain) const {
  auto it = keys_.find(ascii_lowercase(domain));
  return it == keys_.end() ? nullptr : it->second;
}

Result<SignJob> AuthenticationService::prepare(const sip::Message& m) const {
  auto f = request_fields(m);
  if (!f) return Unexpected{f.error()};
  auto key = find(f->from_host);
  if (!key) return fail(Errc::not_found, "not an identity for " + f->from_host);
  return SignJob{std::move(key), std::move(*f)};
}

size_t AuthenticationService::overhead(const SignJob& job) {
  const DomainKey& k = *job.key;
  const size_t url = k.info_url.size();
  constexpr size_t kDate = 37;  // "Date: " + rfc1123-date + CRLF
  if (k.scheme == Scheme::rfc4474) {
    // Identity: "base64(signature)" and Identity-Info: <url>;alg=rsa-sha256, each with CRLF.
    size_t sig = static_cast<size_t>(k.key.bits() + 7) / 8;
    return 14 + (sig + 2) / 3 * 4 + 17 + url + 16 + kDate;
  }
  // A full-form PASSporT: header and payload in base64url (x5u, orig and dest URIs, iat and the
  // body hash), the 86-character ES256 signature, then the parameters repeating the URL.
  size_t json = 60 + url + 60 + 2 * 100 + 60;
  return 12 + json * 4 / 3 + 1 + 86 + 8 + url + 30 + kDate;
}

Result<IdentityHeaders> AuthenticationService::sign(const SignJob& job, WallTime now) {
  const DomainKey& k = *job.key;
  IdentityHeaders out;
  if (!job.fields.date) out.date = to_rfc1123(now);
  const std::string_view date = job.fields.date ? *job.fields.date : *out.date;
  if (k.scheme == Scheme::rfc4474) {
    std::string ds = digest_string(job.fields, date);
    auto hash = k.alg == Alg::rsa_sha1 ? crypto::HashAlg::sha1 : crypto::HashAlg::sha256;
    auto sig = k.key.sign(hash, crypto::as_bytes(ds));
    if (!sig) return Unexpected{sig.error()};
    // RFC 4474 §9: Identity = "Identity" HCOLON signed-identity-digest; a quoted base64 string.
    // Built in place: this runs once per NOTIFY (issue 7's load), no temporaries.
    std::string b64 =
        mime::base64_encode({reinterpret_cast<const char*>(sig->data()), sig->size()}, 0);
    out.identity.reserve(b64.size() + 2);
    out.identity.append(1, '"').append(b64).append(1, '"');
    std::string_view alg = to_string(k.alg);
    out.identity_info.reserve(k.info_url.size() + alg.size() + 7);
    out.identity_info.append(1, '<').append(k.info_url).append(">;alg=").append(alg);
    return out;
  }
  // RFC 8224 §4.1: iat is the Date's time when the request carries one.
  WallTime at = now;
  if (job.fields.date) {
    if (auto d = sip::parse_date(*job.fields.date)) at = *d;
  }
  PassportHeader h;
  h.x5u = k.info_url;
  if (k.body_claim) h.ppt = std::string{kBodyPpt};
  auto claims = passport_claims(job.fields, at.time_since_epoch().count(), k.body_claim);
  std::string input = passport_signing_input(h, claims);
  auto sig = k.key.sign_raw_ecdsa(crypto::HashAlg::sha256, crypto::as_bytes(input));
  if (!sig) return Unexpected{sig.error()};
  std::string sig64 = base64url_encode({reinterpret_cast<const char*>(sig->data()), sig->size()});
  out.identity.reserve(input.size() + sig64.size() + k.info_url.size() + kBodyPpt.size() + 30);
  out.identity.append(input).append(1, '.').append(sig64);
  out.identity.append(";info=<").append(k.info_url).append(">;alg=ES256");
  if (k.body_claim) out.identity.append(";ppt=").append(kBodyPpt);
  return out;
}

void AuthenticationService::apply(sip::Message& m, const IdentityHeaders& h) {
  if (h.date) m.set(sip::HeaderId::date, *h.date);
  m.set(sip::HeaderId::identity, h.identity);
  if (!h.identity_info.empty()) {
    m.set(sip::HeaderId::identity_info, h.identity_info);
  } else {
    m.remove(sip::HeaderId::identity_info);
  }
}

Result<void> AuthenticationService::sign_message(sip::Message& m, WallTime now) const {
  auto job = prepare(m);
  if (!job) return Unexpected{job.error()};
  auto h = sign(*job, now);
  if (!h) return Unexpected{h.error()};
  apply(m, *h);
  return {};
}

}  // namespace sipcred::identity
