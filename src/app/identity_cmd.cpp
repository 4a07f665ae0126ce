#include "app/identity_cmd.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "app/files.hpp"
#include "core/clock.hpp"
#include "identity/identity.hpp"
#include "identity/verifier.hpp"
#include "net/http/fetch.hpp"
#include "sip/headers.hpp"
#include "sip/parser.hpp"

namespace sipcred::app {

namespace {

Result<std::string> read_input(const std::string& in) {
  if (in.empty() || in == "-") {
    return std::string{std::istreambuf_iterator<char>{std::cin}, std::istreambuf_iterator<char>{}};
  }
  auto bytes = read_file(in);
  if (!bytes) return Unexpected{bytes.error()};
  return std::string{bytes->begin(), bytes->end()};
}

// A request typed or saved with bare LF line ends gets CRLF in its header section (RFC 3261
// §7), so that a file written by hand works; the body is left as it is.
std::string with_crlf(std::string text) {
  if (text.find("\r\n") != std::string::npos) return text;
  size_t end = text.find("\n\n");
  std::string head = text.substr(0, end == std::string::npos ? text.size() : end + 2);
  std::string out;
  for (char c : head) {
    if (c == '\n') out += '\r';
    out += c;
  }
  if (end != std::string::npos) out += text.substr(end + 2);
  return out;
}

Result<sip::Message> read_request(const std::string& in) {
  auto text = read_input(in);
  if (!text) return Unexpected{text.error()};
  auto m = sip::parse_datagram(with_crlf(std::move(*text)));
  if (!m) return fail(Errc::parse, "not a SIP message: " + m.error().detail);
  if (!m->is_request()) return fail(Errc::parse, "not a SIP request");
  return m;
}

}  // namespace

int identity_sign(const IdentitySignFlags& f) {
  auto m = read_request(f.in);
  if (!m) {
    std::fprintf(stderr, "sipcred identity sign: %s\n", m.error().message().c_str());
    return 1;
  }
  auto fields = identity::request_fields(*m);
  auto key_text = read_file(f.key);
  auto scheme = identity::parse_scheme(f.scheme);
  auto alg = identity::parse_alg(f.alg);
  if (!fields || !key_text || !scheme || !alg) {
    std::fprintf(stderr, "sipcred identity sign: %s\n",
                 (!fields     ? fields.error()
                  : !key_text ? key_text.error()
                  : !scheme   ? scheme.error()
                              : alg.error())
                     .message()
                     .c_str());
    return 1;
  }
  auto key = crypto::PrivateKey::from_pem(*key_text);
  if (!key) {
    std::fprintf(stderr, "sipcred identity sign: %s: %s\n", f.key.c_str(),
                 key.error().message().c_str());
    return 1;
  }
  identity::DomainKey k{fields->from_host, *key, std::nullopt, f.info, *scheme, *alg, f.body_claim};
  if (!f.cert.empty()) {
    auto bytes = read_file(f.cert);
    auto cert = bytes ? crypto::Certificate::from_bytes(crypto::as_bytes(*bytes))
                      : Result<crypto::Certificate>{Unexpected{bytes.error()}};
    if (!cert) {
      std::fprintf(stderr, "sipcred identity sign: %s: %s\n", f.cert.c_str(),
                   cert.error().message().c_str());
      return 1;
    }
    k.certificate = *cert;
  }
  identity::AuthenticationService as;
  if (auto r = as.add(k); !r) {
    std::fprintf(stderr, "sipcred identity sign: %s\n", r.error().message().c_str());
    return 1;
  }
  WallTime now = SystemClock{}.wall_now();
  if (!f.date.empty()) {
    auto d = sip::parse_date(f.date);
    if (!d) {
      std::fprintf(stderr, "sipcred identity sign: --date: %s\n", d.error().message().c_str());
      return 1;
    }
    now = *d;
  }
  if (auto r = as.sign_message(*m, now); !r) {
    std::fprintf(stderr, "sipcred identity sign: %s\n", r.error().message().c_str());
    return 1;
  }
  std::string out = m->serialize();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int identity_verify(const IdentityVerifyFlags& f) {
  auto m = read_request(f.in);
  if (!m) {
    std::fprintf(stderr, "sipcred identity verify: %s\n", m.error().message().c_str());
    return 2;
  }
  identity::VerifierConfig c;
  for (const auto& file : f.ca) {
    auto bytes = read_file(file);
    auto anchors = bytes ? crypto::certificates_from_pem_bundle(*bytes)
                         : Result<std::vector<crypto::Certificate>>{Unexpected{bytes.error()}};
    if (!anchors) {
      std::fprintf(stderr, "sipcred identity verify: %s: %s\n", file.c_str(),
                   anchors.error().message().c_str());
      return 2;
    }
    c.anchors.insert(c.anchors.end(), anchors->begin(), anchors->end());
  }
  if (f.window > 0) c.window_rfc4474 = c.window_rfc8224 = std::chrono::seconds{f.window};
  c.require_body_claim = f.require_body_claim;
  identity::Verifier v{c};
  WallTime now = SystemClock{}.wall_now();
  auto step = v.begin(*m, now);
  identity::Outcome o;
  if (auto* done = std::get_if<identity::Outcome>(&step)) {
    o = *done;
  } else {
    const std::string& url = std::get<identity::NeedCertificate>(step).url;
    Result<std::string> cert = fail(Errc::not_found, "");
    if (!f.cert.empty()) {
      auto bytes = read_file(f.cert);
      cert = std::move(bytes);
    } else {
      net::FetchOptions opts;
      opts.timeout = std::chrono::milliseconds{static_cast<int64_t>(f.timeout * 1000)};
      opts.ca_file = !f.tls_ca.empty() ? f.tls_ca : f.ca.empty() ? "" : f.ca.front();
      opts.allowed_hosts = f.allow_hosts;
      auto r = net::fetch_blocking(url, opts);
      cert =
          r ? Result<std::string>{std::move(r->body)} : Result<std::string>{Unexpected{r.error()}};
    }
    o = v.finish(*m, cert, SystemClock{}.wall_now());
  }
  std::printf("%s\n", o.text().c_str());
  return o.valid() ? 0 : 1;
}

std::function<std::optional<int>()> add_identity_commands(CLI::App& app) {
  auto* id = app.add_subcommand("identity",
                                "Sign or verify a SIP request's Identity (RFC 4474, "
                                "RFC 8224)");
  id->require_subcommand(1);
  auto sf = std::make_shared<IdentitySignFlags>();
  auto* sign = id->add_subcommand("sign",
                                  "Sign a request as the authentication service of its "
                                  "From's domain; prints the signed request");
  sign->add_option("--key", sf->key, "PEM private key of the domain")->required();
  sign->add_option("--info", sf->info, "https URL of the domain's certificate")->required();
  sign->add_option("--cert", sf->cert, "the certificate (checked against the key)");
  sign->add_option("--scheme", sf->scheme, "rfc4474 (default) or rfc8224");
  sign->add_option("--alg", sf->alg, "rfc4474: rsa-sha1 (default) or rsa-sha256");
  sign->add_flag("--body-claim", sf->body_claim,
                 "rfc8224: add sipcred's body claim (ppt sipcred-body)");
  sign->add_option("--in", sf->in, "request file (default: stdin)");
  sign->add_option("--date", sf->date, "Date to add when absent (RFC 1123; default now)");

  auto vf = std::make_shared<IdentityVerifyFlags>();
  auto* verify = id->add_subcommand(
      "verify",
      "Verify a request's Identity; prints 'valid ...' (exit 0) or the response a UAS "
      "would give (exit 1)");
  verify->add_option("--in", vf->in, "request file (default: stdin)");
  verify->add_option("--ca", vf->ca, "PEM trust anchors (repeatable)");
  verify->add_option("--tls-ca", vf->tls_ca, "PEM trust anchors for the HTTPS fetch");
  verify->add_option("--allow-host", vf->allow_hosts, "hosts certificates may come from");
  verify->add_option("--cert", vf->cert, "the signer's certificate instead of fetching it");
  verify->add_option("--window", vf->window, "freshness window in seconds");
  verify->add_option("--timeout", vf->timeout, "certificate fetch timeout in seconds");
  verify->add_flag("--require-body-claim", vf->require_body_claim,
                   "RFC 8224: the body must be covered");

  return [sign, verify, sf, vf]() -> std::optional<int> {
    if (*sign) return identity_sign(*sf);
    if (*verify) return identity_verify(*vf);
    return std::nullopt;
  };
}

}  // namespace sipcred::app
