#include "app/client_cmd.hpp"

#include <cstdio>
#include <iostream>

#include "app/files.hpp"
#include "crypto/certificate.hpp"
#include "crypto/hash.hpp"
#include "identity/verifier.hpp"
#include "mime/multipart.hpp"
#include "net/http/fetch.hpp"
#include "net/sip_client.hpp"
#include "net/sip_transport.hpp"
#include "pki/validate.hpp"
#include "sip/headers.hpp"
#include "sip/name_addr.hpp"

namespace sipcred::app {
namespace {

int usage(const char* cmd, const std::string& why) {
  std::fprintf(stderr, "sipcred %s: %s\n", cmd, why.c_str());
  return 2;
}

struct Prepared {
  pki::Aor aor;
  net::ClientTarget target;
  std::optional<auth::ClientCredentials> creds;
};

Result<Prepared> prepare(const ClientFlags& f, bool need_password) {
  Prepared p;
  auto aor = pki::parse_aor(f.aor);
  if (!aor) return Unexpected{aor.error()};
  p.aor = *aor;
  if (f.server.empty()) {
    // RFC 3263: the domain's SIP servers from DNS (the AOR's domain as a SIP URI).
    p.target.locate = "sip:" + aor->host;
    p.target.dns_servers = f.dns;
  } else {
    auto where = net::parse_listen_address(f.server);
    if (!where) return fail(Errc::invalid_argument, "--server must be HOST:PORT");
    p.target.host = where->host;
    p.target.port = where->port;
  }
  std::string t;
  for (char c : f.transport) t.push_back(static_cast<char>(std::toupper(c)));
  if (t != "UDP" && t != "TCP" && t != "TLS") {
    return fail(Errc::invalid_argument, "--transport must be udp, tcp or tls");
  }
  p.target.transport = t;
  p.target.server_name = f.server_name.empty() ? aor->host : f.server_name;
  p.target.ca_file = f.ca_file;
  p.target.timeout = std::chrono::seconds{f.timeout};
  if (need_password) {
    if (f.password_file.empty()) return fail(Errc::invalid_argument, "--password-file is needed");
    auto pw = first_line(f.password_file);
    if (!pw) return Unexpected{pw.error()};
    p.creds = auth::ClientCredentials{f.user.empty() ? aor->user : f.user, *pw, {}};
  }
  return p;
}

// Runs the exchange; prints why it failed. 0 done, 1 refused by the server, 2 could not talk.
int run(const char* cmd, ua::Exchange& ex, const net::ClientTarget& target) {
  auto r = net::run_exchange(ex, target);
  if (!r) {
    std::fprintf(stderr, "sipcred %s: %s\n", cmd, r.error().message().c_str());
    return 2;
  }
  if (ex.state() != ua::Exchange::State::done) {
    std::fprintf(stderr, "sipcred %s: %s\n", cmd, ex.error().c_str());
    return ex.response() ? 1 : 2;
  }
  return 0;
}

// TRUST-2: a NOTIFY counts only when its From is the AOR subscribed to and its Identity proves
// that the AOR's domain sent it unaltered (the signer's certificate fetched from Identity-Info,
// chained to the identity trust anchors, covering the domain; the body covered). Returns why
// not, or nothing when it does.
// The trust anchors for domain certificates (--identity-ca, default --ca).
Result<std::vector<crypto::Certificate>> identity_anchors(const FetchFlags& f) {
  std::vector<std::string> files = f.identity_ca;
  if (files.empty() && !f.ca_file.empty()) files.push_back(f.ca_file);
  std::vector<crypto::Certificate> out;
  for (const auto& file : files) {
    auto text = read_file(file);
    auto anchors = text ? crypto::certificates_from_pem_bundle(*text)
                        : Result<std::vector<crypto::Certificate>>{Unexpected{text.error()}};
    if (!anchors) return fail(Errc::config, file + ": " + anchors.error().detail);
    out.insert(out.end(), anchors->begin(), anchors->end());
  }
  return out;
}

// TRUST-1: a certificate issued by a trusted CA with a SubjectAltName equal to the URI asked for
// may be used for that URI, whatever carried it.
bool issued_for(const crypto::Certificate& cert, const pki::Aor& aor, const FetchFlags& f,
                WallTime now) {
  auto anchors = identity_anchors(f);
  if (!anchors || anchors->empty() || cert.self_signed()) return false;
  if (!crypto::verify_chain(cert, *anchors, {}, now)) return false;
  for (const auto& u : cert.san_uris()) {
    auto a = pki::parse_aor(u);
    if (a && a->text() == aor.text()) return true;
  }
  return false;
}

// TRUST-3: the cache file of an AOR, named by the SHA-256 of the AOR (never by other names the
// certificate carries).
std::filesystem::path cache_file(const FetchFlags& f, const pki::Aor& aor) {
  return std::filesystem::path{f.cache_dir} /
         (crypto::to_hex(crypto::hash(crypto::HashAlg::sha256, aor.text())) + ".der");
}

std::optional<std::string> untrusted(const sip::Message& n, const pki::Aor& aor,
                                     const FetchFlags& f) {
  auto from = n.first(sip::HeaderId::from);
  auto na = from ? sip::parse_name_addr(*from) : Result<sip::NameAddr>{fail(Errc::parse, "")};
  auto from_aor = na ? pki::parse_aor(na->uri.text) : Result<pki::Aor>{fail(Errc::parse, "")};
  if (!from_aor || from_aor->text() != aor.text()) {
    return "the NOTIFY's From is " + std::string{from.value_or("missing")} + ", not " + aor.text();
  }
  identity::VerifierConfig c;
  auto anchors = identity_anchors(f);
  if (!anchors) return anchors.error().detail;
  c.anchors = std::move(*anchors);
  if (f.identity_window > 0) {
    c.window_rfc4474 = c.window_rfc8224 = std::chrono::seconds{f.identity_window};
  }
  c.require_body_claim = true;  // an RFC 8224 signature must cover the certificate
  identity::Verifier v{c};
  SystemClock clock;
  auto step = v.begin(n, clock.wall_now());
  identity::Outcome o;
  if (auto* done = std::get_if<identity::Outcome>(&step)) {
    o = *done;
  } else {
    net::FetchOptions opts;
    opts.ca_file = f.ca_file;
    opts.allowed_hosts = f.identity_hosts;
    auto got = net::fetch_blocking(std::get<identity::NeedCertificate>(step).url, opts);
    o = v.finish(n,
                 got ? Result<std::string>{std::move(got->body)}
                     : Result<std::string>{Unexpected{got.error()}},
                 clock.wall_now());
  }
  if (!o.valid()) return "Identity: " + o.text();
  auto asserted = pki::parse_aor(o.asserted);
  if (!asserted || asserted->text() != aor.text()) {
    return "the Identity asserts " + o.asserted + ", not " + aor.text();
  }
  return std::nullopt;
}

// The body of the last NOTIFY, with its Content-Type and Event.
const sip::Message* last_notify(const ua::Exchange& ex) {
  return ex.notifies().empty() ? nullptr : &ex.notifies().back();
}

}  // namespace

int publish(const PublishFlags& f) {
  auto p = prepare(f, true);
  if (!p) return usage("publish", p.error().message());
  ua::RequestSpec spec;
  spec.method = "PUBLISH";
  spec.request_uri = p->aor.text();
  spec.event = "credential";
  spec.credentials = p->creds;
  if (!f.if_match.empty()) spec.headers.emplace_back(sip::HeaderId::sip_if_match, f.if_match);
  if (f.expires >= 0) spec.headers.emplace_back(sip::HeaderId::expires, std::to_string(f.expires));
  if (f.revoke) {
    if (!f.cert.empty()) return usage("publish", "--revoke takes no --cert");
  } else {
    if (f.cert.empty()) return usage("publish", "--cert is needed (or --revoke)");
    auto bytes = read_file(f.cert);
    if (!bytes) return usage("publish", bytes.error().message());
    auto cert = crypto::Certificate::from_bytes(
        std::span{reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()});
    if (!cert) return usage("publish", f.cert + ": " + cert.error().detail);
    std::vector<uint8_t> key;
    if (!f.key.empty()) {
      auto k = read_file(f.key);
      if (!k) return usage("publish", k.error().message());
      key.assign(k->begin(), k->end());
    }
    // REQ-PART PUB-2: a bare certificate, or the multipart with the key.
    if (key.empty()) {
      spec.content_type = "application/pkix-cert";
      spec.body.assign(cert->der().begin(), cert->der().end());
    } else {
      spec.body = mime::build_credential_body(cert->der(), key, spec.content_type);
    }
  }
  ua::Exchange ex{std::move(spec), {}};
  int rc = run("publish", ex, p->target);
  if (rc != 0) return rc;
  auto etag = ex.response()->first(sip::HeaderId::sip_etag);
  std::cout << (f.revoke ? "revoked " : "published ") << p->aor.text() << "\n";
  if (etag) std::cout << "SIP-ETag: " << *etag << "\n";
  return 0;
}

namespace {

// Prints what a caller needs to know of a certificate and applies HTTP-5/HTTP-6 and TRUST-2's
// validity part; writes it to --out when it passes. 0 when it may be used.
int use_certificate(const crypto::Certificate& cert, const pki::Aor& aor, const FetchFlags& f,
                    WallTime now, std::string_view how) {
  auto v = pki::check_caller(cert, aor, now);
  std::cout << "certificate of " << aor.text() << " (" << how << ")\n"
            << "  subject " << cert.subject() << "\n"
            << "  SHA-256 " << crypto::to_hex(cert.fingerprint(crypto::HashAlg::sha256)) << "\n"
            << "  valid " << to_iso8601(cert.not_before()) << " to " << to_iso8601(cert.not_after())
            << "\n";
  if (!v.ok()) {
    std::cout << "discarded: " << v.reason() << "\n";
    return 1;
  }
  if (!f.out.empty()) {
    if (auto w = write_file(f.out, cert.der(), false); !w)
      return usage("fetch", w.error().message());
  }
  return 0;
}

}  // namespace

int fetch(const FetchFlags& f) {
  auto p = prepare(f, false);
  if (!p) return usage("fetch", p.error().message());
  SystemClock clock;
  const WallTime now = clock.wall_now();
  // REQ TRUST-3: a certificate verified for this AOR earlier, still within --cache-seconds.
  if (!f.cache_dir.empty() && f.cache_seconds > 0) {
    std::error_code ec;
    auto file = cache_file(f, p->aor);
    auto written = std::filesystem::last_write_time(file, ec);
    if (!ec) {
      auto age = std::chrono::file_clock::to_sys(std::filesystem::file_time_type::clock::now()) -
                 std::chrono::file_clock::to_sys(written);
      auto bytes = read_file(file.string());
      auto cert = bytes ? crypto::Certificate::from_der(crypto::as_bytes(*bytes))
                        : Result<crypto::Certificate>{Unexpected{bytes.error()}};
      if (cert && age < std::chrono::seconds{f.cache_seconds}) {
        return use_certificate(*cert, p->aor, f, now, "cached");
      }
    }
  }
  ua::RequestSpec spec;
  spec.method = "SUBSCRIBE";
  spec.request_uri = p->aor.text();
  spec.event = "certificate";
  spec.headers.emplace_back(sip::HeaderId::accept, "application/pkix-cert");
  spec.headers.emplace_back(sip::HeaderId::expires, "0");  // RFC 6665 §4.1.2.4: a fetch
  ua::Exchange ex{std::move(spec), {}};
  int rc = run("fetch", ex, p->target);
  if (rc != 0) return rc;
  const sip::Message* n = last_notify(ex);
  if (n == nullptr) {
    std::cout << "no NOTIFY for " << p->aor.text() << "\n";
    return 1;
  }
  std::optional<crypto::Certificate> cert;
  if (!n->body().empty()) {
    auto c = crypto::Certificate::from_der(crypto::as_bytes(n->body()));
    if (!c) {
      std::cout << "discarded: not a DER certificate: " << c.error().detail << "\n";
      return 1;
    }
    cert = std::move(*c);
  }
  // REQ TRUST-2: a NOTIFY whose Identity fails, or that speaks for another AOR, is discarded,
  // REQ TRUST-1: unless it carries a certificate a trusted CA issued for this very AOR.
  std::string how = "NOTIFY signed by " + p->aor.host;
  if (auto why = untrusted(*n, p->aor, f)) {
    if (!cert || !issued_for(*cert, p->aor, f, now)) {
      std::cout << "discarded: " << *why << "\n";
      return 1;
    }
    how = "issued by a trusted CA; the NOTIFY itself: " + *why;
  }
  if (!cert) {
    std::cout << "no certificate for " << p->aor.text() << "\n";  // CERT-3's empty NOTIFY
    return 1;
  }
  rc = use_certificate(*cert, p->aor, f, now, how);
  if (rc == 0 && !f.cache_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(f.cache_dir, ec);
    // Indexed by the AOR asked for and asserted, not by the certificate's other names (TRUST-3).
    if (auto w = write_file(cache_file(f, p->aor), cert->der(), false); !w) {
      std::fprintf(stderr, "sipcred fetch: cache: %s\n", w.error().message().c_str());
    }
  }
  return rc;
}

int fetch_credential(const FetchFlags& f) {
  auto p = prepare(f, true);
  if (!p) return usage("fetch-credential", p.error().message());
  if (f.out.empty()) return usage("fetch-credential", "--out DIR is needed");
  ua::RequestSpec spec;
  spec.method = "SUBSCRIBE";
  spec.request_uri = p->aor.text();
  spec.event = "credential";
  spec.credentials = p->creds;
  spec.headers.emplace_back(sip::HeaderId::expires, "0");
  ua::Exchange ex{std::move(spec), {}};
  int rc = run("fetch-credential", ex, p->target);
  if (rc != 0) return rc;
  const sip::Message* n = last_notify(ex);
  if (n == nullptr || n->body().empty()) {
    std::cout << "no credential for " << p->aor.text() << "\n";
    return 1;
  }
  auto parts =
      mime::parse_credential_body(n->body(), n->first(sip::HeaderId::content_type).value_or(""));
  if (!parts) {
    std::cout << "discarded: " << parts.error().detail << "\n";
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(f.out, ec);
  auto dir = std::filesystem::path{f.out};
  if (auto w = write_file(dir / "cert.der", parts->cert_der, false); !w) {
    return usage("fetch-credential", w.error().message());
  }
  if (parts->pkcs8_der) {
    if (auto w = write_file(dir / "key.p8", *parts->pkcs8_der, true); !w) {
      return usage("fetch-credential", w.error().message());
    }
  }
  auto event = sip::parse_event(n->first(sip::HeaderId::event).value_or(""));
  std::cout << "credential of " << p->aor.text() << " written to " << f.out << "\n";
  if (event) {
    if (auto etag = event->params.value("etag")) std::cout << "etag: " << *etag << "\n";
  }
  return 0;
}

}  // namespace sipcred::app
