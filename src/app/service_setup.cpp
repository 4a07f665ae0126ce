#include "app/service_setup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/log.hpp"
#include "crypto/hash.hpp"
#include "crypto/server_certificate.hpp"
#include "identity/identity.hpp"

namespace sipcred::app {

Result<std::unique_ptr<store::Store>> open_store(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return fail(Errc::io, "cannot create data directory " + data_dir + ": " + ec.message());
  store::SqliteOptions opts;
  opts.path = (std::filesystem::path{data_dir} / "sipcred.db").string();
  // RFC 3903 §4.1 entity tags must be unguessable: the system's CSPRNG through OpenSSL.
  opts.etag_generator = [] {
    auto b = crypto::random_bytes(16);
    return b ? crypto::to_hex(*b) : std::string{};
  };
  return store::open_sqlite(opts);
}

Result<std::vector<uint8_t>> digest_secret(const std::string& data_dir) {
  auto path = std::filesystem::path{data_dir} / "digest.key";
  std::ifstream in{path, std::ios::binary};
  if (in) {
    std::vector<uint8_t> key((std::istreambuf_iterator<char>(in)), {});
    if (key.size() < 16) return fail(Errc::config, path.string() + " is shorter than 16 octets");
    return key;
  }
  auto key = crypto::random_bytes(32);
  if (!key) return Unexpected{key.error()};
  std::string tmp = path.string() + ".tmp";
  {
    std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
    ::chmod(tmp.c_str(), 0600);
    out.write(reinterpret_cast<const char*>(key->data()),
              static_cast<std::streamsize>(key->size()));
    if (!out) return fail(Errc::io, "cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(Errc::io, "cannot write " + path.string() + ": " + ec.message());
  return *key;
}

namespace {

constexpr const char* kDevDomain = "localhost";

// Written to a temporary file with its final mode from the start, synced, then renamed over
// `path`, so that a crash leaves the old file or the new one, and a key is never readable by
// others even for a moment.
Result<void> write_atomically(const std::filesystem::path& path, std::string_view bytes,
                              mode_t mode) {
  std::string tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return fail(Errc::io, "cannot write " + tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bool ok = done == bytes.size() && ::fsync(fd) == 0;
  if (::close(fd) != 0 || !ok) return fail(Errc::io, "cannot write " + tmp);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(Errc::io, "cannot write " + path.string() + ": " + ec.message());
  return {};
}

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

namespace {

// A self-signed certificate and its key kept under data_dir/`subdir` as NAME.pem / NAME.key:
// reused while readable, matching and more than a day from expiry, made again otherwise.
Result<DevIdentity> dev_certificate(const std::string& data_dir, const std::string& subdir,
                                    const std::string& name, crypto::KeyType type,
                                    const crypto::ServerCertificateRequest& req, WallTime now) {
  // Absolute, so that the path logged can be pasted into a client's configuration.
  std::error_code ec;
  auto dir = std::filesystem::absolute(std::filesystem::path{data_dir} / subdir, ec);
  if (ec) return fail(Errc::io, "cannot resolve " + data_dir + ": " + ec.message());
  DevIdentity out;
  out.identity = {kDevDomain, (dir / (name + ".pem")).string(), (dir / (name + ".key")).string()};
  auto cert_text = read_text(out.identity.certificate_file);
  auto key_text = read_text(out.identity.key_file);
  if (cert_text && key_text) {
    auto cert = crypto::Certificate::from_pem(*cert_text);
    auto key = crypto::PrivateKey::from_pem(*key_text);
    if (cert && key && key->matches(cert->public_key()) &&
        (type == crypto::KeyType::ec_p256) == (key->algorithm() == "EC") &&
        cert->not_after() > now + std::chrono::hours{24}) {
      out.sha256 = crypto::to_colon_hex(cert->fingerprint(crypto::HashAlg::sha256));
      out.not_after = cert->not_after();
      return out;
    }
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);  // 0700
  if (ec) return fail(Errc::io, "cannot restrict " + dir.string() + ": " + ec.message());
  auto key = crypto::PrivateKey::generate(type);
  if (!key) return Unexpected{key.error()};
  auto cert = crypto::make_self_signed_server(*key, req, now);
  if (!cert) return Unexpected{cert.error()};
  // The key first: a certificate on disk always has its key beside it.
  if (auto r = write_atomically(out.identity.key_file, crypto::private_key_pem(*key), 0600); !r)
    return Unexpected{r.error()};
  if (auto r =
          write_atomically(out.identity.certificate_file, crypto::certificate_pem(*cert), 0644);
      !r)
    return Unexpected{r.error()};
  out.sha256 = crypto::to_colon_hex(cert->fingerprint(crypto::HashAlg::sha256));
  out.not_after = cert->not_after();
  out.created = true;
  return out;
}

}  // namespace

Result<DevIdentity> dev_identity(const std::string& data_dir, WallTime now) {
  crypto::ServerCertificateRequest req;
  req.common_name = kDevDomain;
  req.dns = {kDevDomain};
  req.ips = {"127.0.0.1"};
  req.days = 365;
  return dev_certificate(data_dir, "dev-tls", "localhost", crypto::KeyType::ec_p256, req, now);
}

Result<IdentitySetup> setup_identity(Config& c, WallTime now) {
  IdentitySetup out;
  out.service = std::make_unique<identity::AuthenticationService>();
  auto scheme = identity::parse_scheme(c.identity_scheme);
  auto alg = identity::parse_alg(c.identity_alg);
  if (!scheme || !alg) return fail(Errc::config, "identity.scheme or identity.alg is not valid");
  const bool ec = *scheme == identity::Scheme::rfc8224;
  std::string dev_trust;  // the development domain's identity certificate (PEM), for clients
  // The development domain (added by setup_dev_domain when it is in use) signs with a key of its
  // own unless one is configured.
  if (c.dev && std::find(c.domains.begin(), c.domains.end(), kDevDomain) != c.domains.end()) {
    bool configured = false;
    for (const auto& d : c.identity_domains) configured = configured || d.domain == kDevDomain;
    if (!configured) {
      // The development domain signs with a key made here, like its TLS identity.
      crypto::ServerCertificateRequest req;
      req.common_name = kDevDomain;
      req.dns = {kDevDomain};
      req.days = 365;
      auto dev =
          dev_certificate(c.data_dir, "dev-identity", ec ? "localhost-ec" : "localhost-rsa",
                          ec ? crypto::KeyType::ec_p256 : crypto::KeyType::rsa2048, req, now);
      if (!dev) return Unexpected{dev.error()};
      if (c.https_listen.empty()) c.https_listen.push_back({"127.0.0.1", 8443});
      c.identity_domains.push_back(
          {kDevDomain, dev->identity.key_file, dev->identity.certificate_file, ""});
      log::info(
          "development domain {}: NOTIFYs signed ({}) with {}; trust it as the identity "
          "anchor of clients",
          kDevDomain, c.identity_scheme, dev->identity.certificate_file);
    }
  }
  for (const auto& d : c.identity_domains) {
    auto key_text = read_text(d.key_file);
    auto cert_bytes = read_text(d.certificate_file);
    if (!key_text || !cert_bytes) {
      return fail(Errc::config, "identity of " + d.domain + ": cannot read " +
                                    (key_text ? d.certificate_file : d.key_file));
    }
    auto key = crypto::PrivateKey::from_pem(*key_text);
    if (!key) return fail(Errc::config, "identity key of " + d.domain + ": " + key.error().detail);
    auto cert = crypto::Certificate::from_bytes(crypto::as_bytes(*cert_bytes));
    if (!cert) {
      return fail(Errc::config, "identity certificate of " + d.domain + ": " + cert.error().detail);
    }
    std::string url = d.url;
    if (url.empty()) {
      if (c.https_listen.empty()) {
        return fail(Errc::config, "identity of " + d.domain +
                                      ": set its url, or an [https] listen address to serve it");
      }
      uint16_t port = c.https_listen.front().port;
      url = "https://" + d.domain + (port == 443 ? "" : ":" + std::to_string(port)) + "/identity/" +
            d.domain + ".cer";
    }
    identity::DomainKey k{d.domain, *key, *cert, url, *scheme, *alg, c.identity_body_claim};
    if (auto r = out.service->add(k); !r) return Unexpected{r.error()};
    out.served.push_back({url, cert->der()});
    // What an operator checks first when a verifier says 437: which certificate, which URL.
    log::info(
        "identity: NOTIFYs from {} signed {} {} with its {}-bit {} key ({}), Identity-Info {}",
        d.domain, identity::to_string(*scheme), identity::to_string(*alg), key->bits(),
        key->algorithm(), d.key_file, url);
    if (c.dev && d.domain == kDevDomain) dev_trust += crypto::certificate_pem(*cert);
  }
  if (!dev_trust.empty()) {
    // What a development client trusts in one file (--ca): the TLS certificate of the domain,
    // which also serves the HTTPS endpoint, and the certificate its NOTIFYs are signed with.
    std::string tls;
    for (const auto& t : c.tls_identities) {
      if (t.domain == kDevDomain) tls += read_text(t.certificate_file).value_or("");
    }
    auto path = std::filesystem::path{c.data_dir} / "dev-trust.pem";
    if (auto r = write_atomically(path, tls + dev_trust, 0644); !r) return Unexpected{r.error()};
    log::info("development domain {}: clients trust {} (TLS and identity certificates)", kDevDomain,
              std::filesystem::absolute(path).string());
  }
  return out;
}

Result<void> setup_dev_domain(Config& c, WallTime now) {
  if (!c.dev || !c.tls_identities.empty()) return {};
  auto dev = dev_identity(c.data_dir, now);
  if (!dev) return Unexpected{dev.error()};
  c.tls_identities.push_back(dev->identity);
  if (c.tls_listen.empty()) c.tls_listen.push_back({"127.0.0.1", 5061});
  if (std::find(c.domains.begin(), c.domains.end(), kDevDomain) == c.domains.end()) {
    c.domains.push_back(kDevDomain);
  }
  // The one line a developer needs: where the certificate is, to make a client trust it.
  log::info(
      "development domain {}: TLS on {} with the self-signed certificate {} ({}; SHA-256 {}, "
      "valid until {}): trust that file in clients",
      kDevDomain, c.tls_listen.front().to_string(), dev->identity.certificate_file,
      dev->created ? "made now" : "kept from an earlier start", dev->sha256,
      to_iso8601(dev->not_after));
  return {};
}

}  // namespace sipcred::app
