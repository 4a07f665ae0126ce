// The sipcred binary: `serve` runs a domain's service; the other subcommands are tools for users
// and operators. Exceptions are caught here only (start-up, STYLE.md §2).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "app/admin_cmd.hpp"
#include "app/client_cmd.hpp"
#include "app/cms_cmd.hpp"
#include "app/config.hpp"
#include "app/credential_cmd.hpp"
#include "app/fetch_url_cmd.hpp"
#include "app/identity_cmd.hpp"
#include "app/service_setup.hpp"
#include "auth/digest.hpp"
#include "core/log.hpp"
#include "http/router.hpp"
#include "http/url.hpp"
#include "net/http/https_server.hpp"
#include "net/sip_transport.hpp"
#include "service/credential_service.hpp"
#include "service/endpoint.hpp"

namespace sipcred::app {
namespace {

struct ServeFlags {
  std::string config_file;
  std::string data_dir;
  std::vector<std::string> sip_listen;
  std::vector<std::string> tls_listen;
  std::vector<std::string> https_listen;
  std::string log_level;
  std::string log_format;
  bool dev = false;
};

Result<std::vector<net::ListenAddress>> addresses(const std::vector<std::string>& texts) {
  std::vector<net::ListenAddress> out;
  for (const auto& t : texts) {
    auto a = net::parse_listen_address(t);
    if (!a) return Unexpected{a.error()};
    out.push_back(*a);
  }
  return out;
}

// Flags override the file, each replacing the whole setting.
Result<Config> resolve(const ServeFlags& f) {
  Config c;
  if (!f.config_file.empty()) {
    auto loaded = load_config(f.config_file);
    if (!loaded) return loaded;
    c = *loaded;
  }
  if (!f.data_dir.empty()) c.data_dir = f.data_dir;
  if (!f.log_level.empty()) c.log_level = f.log_level;
  if (!f.log_format.empty()) c.log_format = f.log_format;
  if (f.dev) c.dev = true;
  for (auto [texts, target] :
       {std::pair{&f.sip_listen, &c.sip_listen}, std::pair{&f.tls_listen, &c.tls_listen},
        std::pair{&f.https_listen, &c.https_listen}}) {
    if (texts->empty()) continue;
    auto a = addresses(*texts);
    if (!a) return Unexpected{a.error()};
    *target = *a;
  }
  if (c.log_format != "text" && c.log_format != "json") {
    return fail(Errc::config, "log format must be text or json");
  }
  return c;
}

int serve(const ServeFlags& flags) {
  auto cfg = resolve(flags);
  if (!cfg) {
    std::fprintf(stderr, "sipcred serve: %s\n", cfg.error().message().c_str());
    return 2;
  }
  if (auto r = log::init(cfg->log_level,
                         cfg->log_format == "json" ? log::Format::json : log::Format::text);
      !r) {
    std::fprintf(stderr, "sipcred serve: %s\n", r.error().message().c_str());
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(cfg->data_dir, ec);
  if (ec) {
    log::error("cannot create data directory {}: {}", cfg->data_dir, ec.message());
    return 1;
  }
  // --dev: a `localhost` domain over TLS with a self-signed certificate, when none is configured.
  if (auto r = setup_dev_domain(*cfg, SystemClock{}.wall_now()); !r) {
    log::error("development domain: {}", r.error().message());
    return 1;
  }
  // NOTIFYs signed by their domain (ID-1); must come before HTTPS is set up (it may add the
  // development listener).
  auto ident = setup_identity(*cfg, SystemClock{}.wall_now());
  if (!ident) {
    log::error("identity: {}", ident.error().message());
    return 1;
  }
  // A peer that closes its connection must not kill the service with SIGPIPE; the write fails
  // with EPIPE and the connection is dropped instead.
  std::signal(SIGPIPE, SIG_IGN);
  auto st = open_store(cfg->data_dir);
  if (!st) {
    log::error("{}", st.error().message());
    return 1;
  }
  auto secret = digest_secret(cfg->data_dir);
  if (!secret) {
    log::error("{}", secret.error().message());
    return 1;
  }
  std::optional<crypto::TlsServerContext> tls;
  if (!cfg->tls_listen.empty() || !cfg->https_listen.empty()) {
    auto t = crypto::TlsServerContext::create(cfg->tls_identities, cfg->tls_options);
    if (!t) {
      log::error("TLS: {}", t.error().message());
      return 1;
    }
    tls = std::move(*t);
  }
  // What the HTTPS endpoint serves, for every domain of `tls` (SNI, TLS-3); routes join here
  // before the server starts (the domain certificates of Identity-Info, RFC 4474 §6).
  http::Router router;
  router.add_static("*", "/health", "text/plain; charset=utf-8", "ok");
  // REQ-PART ID-1: each signing domain's certificate at the URL its NOTIFYs name (DER,
  // application/pkix-cert as RFC 4474 §6 and RFC 8224 §7.4 expect).
  for (const auto& served : ident->served) {
    auto u = http::parse_https_url(served.url);
    if (!u) {
      log::error("identity url {}: {}", served.url, u.error().message());
      return 1;
    }
    router.add_static(u->host, u->target.substr(0, u->target.find('?')), "application/pkix-cert",
                      std::string{served.der.begin(), served.der.end()});
  }

  service::CredentialServiceConfig scfg_svc;
  for (const auto& d : cfg->domains) scfg_svc.domains.push_back({d, ""});
  scfg_svc.deployment_style = cfg->deployment_style;
  scfg_svc.probation = cfg->probation;
  scfg_svc.digest.secret = std::move(*secret);
  if (!cfg->digest_algorithms.empty()) {
    scfg_svc.digest.algorithms.clear();
    for (const auto& a : cfg->digest_algorithms) {
      scfg_svc.digest.algorithms.push_back(*auth::parse_algorithm(a));
    }
  }
  scfg_svc.identity = ident->service->size() > 0 ? ident->service.get() : nullptr;
  auto& n = scfg_svc.notifier;
  n.min_interval = std::chrono::seconds{cfg->min_notify_interval};
  n.udp_mtu = static_cast<size_t>(cfg->udp_mtu);
  n.user_agent = std::string{"sipcred/"} + SIPCRED_VERSION;
  if (!cfg->sip_listen.empty()) n.sent_by_udp = n.sent_by_tcp = cfg->sip_listen.front().to_string();
  if (!cfg->tls_listen.empty()) n.sent_by_tls = cfg->tls_listen.front().to_string();
  auto svc = service::CredentialService::create(scfg_svc, **st);
  if (!svc) {
    log::error("{}", svc.error().message());
    return 1;
  }

  service::EndpointConfig ecfg;
  ecfg.server = std::string{"sipcred/"} + SIPCRED_VERSION;
  ecfg.allow = {"OPTIONS", "SUBSCRIBE", "PUBLISH"};
  ecfg.source_burst = cfg->source_burst;
  ecfg.source_rate = cfg->source_rate;
  service::Endpoint endpoint{ecfg, svc->get()};
  net::ServerConfig scfg{cfg->sip_listen, cfg->tls_listen, cfg->limits};
  scfg.sign_threads = cfg->sign_on_io_thread   ? 0
                      : cfg->sign_threads != 0 ? cfg->sign_threads
                                               : std::max(1u, std::thread::hardware_concurrency());
  net::Server server{scfg, endpoint, st->get(), tls ? &*tls : nullptr};
  if (auto r = server.start(); !r) {
    log::error("{}", r.error().message());
    return 1;
  }
  // On a thread of its own: net::Server keeps its io_context to itself.
  std::optional<net::HttpsServer> https;
  if (!cfg->https_listen.empty()) {
    net::HttpsServerConfig hcfg;
    hcfg.listen = cfg->https_listen;
    hcfg.server = std::string{"sipcred/"} + SIPCRED_VERSION;
    https.emplace(hcfg, router, *tls);
    if (auto r = https->start(); !r) {
      log::error("{}", r.error().message());
      return 1;
    }
  }
  log::info("sipcred {} ready (data directory {})", SIPCRED_VERSION, cfg->data_dir);
  server.run();
  if (https) https->stop();
  (*st)->flush();  // every acknowledged change is on disk before the process ends
  log::info("stopped");
  return 0;
}

}  // namespace
}  // namespace sipcred::app

int main(int argc, char** argv) {
  using namespace sipcred::app;
  CLI::App app{"sipcred: certificates and credentials for end-to-end security in SIP"};
  app.require_subcommand(1);

  ServeFlags serve_flags;
  auto* serve_cmd = app.add_subcommand("serve", "Run the credential service of a domain");
  serve_cmd->add_option("--config", serve_flags.config_file, "TOML configuration file")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--data-dir", serve_flags.data_dir, "Directory for the store and keys");
  serve_cmd->add_option("--sip-listen", serve_flags.sip_listen,
                        "HOST:PORT for SIP over UDP and TCP (repeatable)");
  serve_cmd->add_option("--tls-listen", serve_flags.tls_listen, "HOST:PORT for SIP over TLS");
  serve_cmd->add_option("--https-listen", serve_flags.https_listen, "HOST:PORT for HTTPS");
  serve_cmd->add_option("--log-level", serve_flags.log_level,
                        "trace, debug, info, warn, error or off");
  serve_cmd->add_option("--log-format", serve_flags.log_format, "text or json");
  serve_cmd->add_flag("--dev", serve_flags.dev,
                      "With no TLS identity configured, serve `localhost` over TLS with a "
                      "self-signed certificate made under the data directory");

  auto* version_cmd = app.add_subcommand("version", "Print the version");

  KeygenFlags kg;
  auto* keygen_cmd = app.add_subcommand(
      "keygen", "Make a user credential: a key pair and a self-signed certificate for an AOR");
  keygen_cmd->add_option("--aor", kg.aor, "The address of record, e.g. sip:bob@example.com")
      ->required();
  keygen_cmd->add_option("--uri", kg.extra_uris, "A further SubjectAltName URI (sips:, im:, ...)");
  keygen_cmd->add_option("--key", kg.key, "rsa2048 (default), rsa3072, rsa4096 or ec-p256");
  keygen_cmd->add_option("--days", kg.days, "Validity in days, at most 366 (default 365)");
  keygen_cmd->add_option("--passphrase-file", kg.passphrase_file,
                         "Encrypt key.p8 with the passphrase on the file's first line");
  keygen_cmd->add_flag("--sha1", kg.sha1, "Sign with sha1WithRSAEncryption (default SHA-256)");
  keygen_cmd->add_flag("--seed-pbes2", kg.seed_pbes2,
                       "Encrypt with PBKDF2-HMAC-SHA1 + DES-EDE3-CBC instead of SHA-256 + AES-256");
  keygen_cmd->add_option("--iterations", kg.iterations, "PBKDF2 iterations (default 600000)");
  keygen_cmd->add_option("--out", kg.out_dir, "Directory for cert.der and key.p8")->required();

  InspectFlags in;
  auto* inspect_cmd = app.add_subcommand(
      "inspect",
      "Show what a certificate, PKCS#8 key or credential body holds and what each rule says");
  inspect_cmd
      ->add_option("file", in.file,
                   "DER or PEM certificate, PKCS#8 key, or multipart credential body")
      ->required();
  inspect_cmd->add_option("--passphrase-file", in.passphrase_file,
                          "Passphrase of an encrypted key");
  inspect_cmd->add_option("--aor", in.aor,
                          "Check the rules for this AOR (default: the certificate's)");
  inspect_cmd->add_flag("--json", in.json, "Machine-readable output");

  AdminCli admin{app};  // user add|passwd|disable|enable|list, credential list|show|revoke

  // The minimal client (issue 5): publish, fetch, fetch-credential.
  auto client_options = [](CLI::App* cmd, ClientFlags& f, bool password) {
    cmd->add_option("--aor", f.aor, "The AOR, e.g. sip:alice@example.com")->required();
    cmd->add_option("--server", f.server,
                    "HOST:PORT of the credential service (default: RFC 3263 DNS location)");
    cmd->add_option("--dns", f.dns, "DNS server IP[:PORT] for that location (repeatable)");
    cmd->add_option("--transport", f.transport, "tls (default), tcp or udp");
    cmd->add_option("--server-name", f.server_name,
                    "Name the server's certificate must carry (default: the AOR's domain)");
    cmd->add_option("--ca", f.ca_file, "PEM trust anchors (default: the system store)");
    cmd->add_option("--timeout", f.timeout, "Seconds before giving up (default 40)");
    if (password) {
      cmd->add_option("--user", f.user, "Digest username (default: the AOR's user)");
      cmd->add_option("--password-file", f.password_file, "File whose first line is the password")
          ->required();
    }
  };
  PublishFlags pub;
  auto* publish_cmd =
      app.add_subcommand("publish", "PUBLISH a credential (certificate and key) over TLS");
  client_options(publish_cmd, pub, true);
  publish_cmd->add_option("--cert", pub.cert, "The certificate (DER or PEM)");
  publish_cmd->add_option("--key", pub.key, "The PKCS#8 key (DER), normally encrypted");
  publish_cmd->add_option("--if-match", pub.if_match, "SIP-If-Match: the current entity tag");
  publish_cmd->add_option("--expires", pub.expires, "Publication lifetime in seconds");
  publish_cmd->add_flag("--revoke", pub.revoke, "Revoke the credential (empty PUBLISH)");
  FetchFlags fetch_flags;
  auto* fetch_cmd =
      app.add_subcommand("fetch", "Fetch an AOR's certificate (SUBSCRIBE certificate)");
  client_options(fetch_cmd, fetch_flags, false);
  fetch_cmd->add_option("--out", fetch_flags.out, "Write the DER certificate here");
  fetch_cmd->add_option("--identity-ca", fetch_flags.identity_ca,
                        "PEM trust anchors for the NOTIFY's Identity (default: --ca)");
  fetch_cmd->add_option("--identity-host", fetch_flags.identity_hosts,
                        "Hosts Identity-Info may name (repeatable; default: any)");
  fetch_cmd->add_option("--identity-window", fetch_flags.identity_window,
                        "Seconds a signature stays fresh (default: the RFC's)");
  fetch_cmd->add_option("--cache-dir", fetch_flags.cache_dir,
                        "Keep verified certificates here, by AOR (TRUST-3)");
  fetch_cmd->add_option("--cache-seconds", fetch_flags.cache_seconds,
                        "How long a cached certificate is used without asking (default 0)");
  FetchFlags fc;
  auto* fetch_cred_cmd = app.add_subcommand(
      "fetch-credential", "Fetch your own credential (SUBSCRIBE credential, digest, TLS)");
  client_options(fetch_cred_cmd, fc, true);
  fetch_cred_cmd->add_option("--out", fc.out, "Directory for cert.der and key.p8")->required();
  auto run_cms = add_cms_commands(app);
  auto run_identity = add_identity_commands(app);
  FetchUrlFlags fu;
  auto* fetch_url_cmd = app.add_subcommand(
      "fetch-url", "HTTPS GET of a URL with the service's checks; the body goes to stdout");
  fetch_url_cmd->add_option("url", fu.url, "https://HOST[:PORT]/PATH")->required();
  fetch_url_cmd->add_option("--ca", fu.ca_file, "PEM trust anchors (default: the system store)");
  fetch_url_cmd->add_option("--timeout", fu.timeout, "Seconds for the whole fetch (default 5)");
  fetch_url_cmd->add_option("--max-bytes", fu.max_bytes, "Largest body accepted (default 16384)");
  fetch_url_cmd->add_option("--allow-host", fu.allow_hosts,
                            "Only this host may be fetched from (repeatable; default: any)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is success; any usage error is status 2
  }
  if (auto status = admin.run()) return *status;
  if (publish_cmd->parsed()) return publish(pub);
  if (fetch_cmd->parsed()) return fetch(fetch_flags);
  if (fetch_cred_cmd->parsed()) return fetch_credential(fc);
  if (fetch_url_cmd->parsed()) return fetch_url(fu);
  if (version_cmd->parsed()) {
    std::cout << "sipcred " << SIPCRED_VERSION << "\n";
    return 0;
  }
  if (serve_cmd->parsed()) return serve(serve_flags);
  if (keygen_cmd->parsed()) return keygen(kg);
  if (inspect_cmd->parsed()) return inspect(in);
  if (auto rc = run_cms()) return *rc;
  if (auto rc = run_identity()) return *rc;
  return 0;
}
