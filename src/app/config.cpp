#include "app/config.hpp"

#include <toml++/toml.h>
#include <set>

#include "auth/digest.hpp"

namespace sipcred::app {
namespace {

Result<void> check_keys(const toml::table& t, const std::set<std::string>& known,
                        const std::string& where) {
  for (const auto& [key, value] : t) {
    if (!known.count(std::string{key.str()})) {
      return fail(Errc::config, "unknown key '" + where + std::string{key.str()} + "'");
    }
  }
  return {};
}

// `where``key` when present: TOML true or false only (toml++'s value<bool>() also takes 0 and 1).
Result<void> read_bool(const toml::table& t, const std::string& key, const std::string& where,
                       bool& out) {
  if (!t.contains(key)) return {};
  const auto* v = t[key].as_boolean();
  if (v == nullptr) return fail(Errc::config, where + key + " must be true or false");
  out = v->get();
  return {};
}

Result<std::vector<net::ListenAddress>> listen_list(const toml::node_view<const toml::node>& node,
                                                    const std::string& key) {
  std::vector<net::ListenAddress> out;
  const auto* arr = node.as_array();
  if (arr == nullptr) return fail(Errc::config, key + " must be an array of \"HOST:PORT\" strings");
  for (const auto& el : *arr) {
    auto s = el.value<std::string>();
    if (!s) return fail(Errc::config, key + " must be an array of \"HOST:PORT\" strings");
    auto addr = net::parse_listen_address(*s);
    if (!addr) return fail(Errc::config, key + ": " + addr.error().detail);
    out.push_back(*addr);
  }
  return out;
}

Result<size_t> positive(const toml::node_view<const toml::node>& node, const std::string& key,
                        size_t fallback) {
  if (!node) return fallback;
  auto v = node.value<int64_t>();
  if (!v || *v <= 0) return fail(Errc::config, key + " must be a positive integer");
  return static_cast<size_t>(*v);
}

}  // namespace

Result<Config> load_config(const std::string& path) {
  Config c;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return fail(Errc::config, path + ": " + std::string{e.description()});
  }
  const toml::table& t = root;
  if (auto r = check_keys(t, {"data_dir", "log", "sip", "https", "service", "tls", "identity"}, "");
      !r)
    return Unexpected{r.error()};
  if (auto v = t["data_dir"].value<std::string>()) c.data_dir = *v;
  if (const auto* log = t["log"].as_table()) {
    if (auto r = check_keys(*log, {"level", "format"}, "log."); !r) return Unexpected{r.error()};
    if (auto v = (*log)["level"].value<std::string>()) c.log_level = *v;
    if (auto v = (*log)["format"].value<std::string>()) c.log_format = *v;
  }
  if (const auto* sip = t["sip"].as_table()) {
    if (auto r = check_keys(*sip, {"listen", "tls_listen", "limits"}, "sip."); !r) {
      return Unexpected{r.error()};
    }
    if (sip->contains("listen")) {
      auto l = listen_list(t["sip"]["listen"], "sip.listen");
      if (!l) return Unexpected{l.error()};
      c.sip_listen = *l;
    }
    if (sip->contains("tls_listen")) {
      auto l = listen_list(t["sip"]["tls_listen"], "sip.tls_listen");
      if (!l) return Unexpected{l.error()};
      c.tls_listen = *l;
    }
    if (const auto* lim = (*sip)["limits"].as_table()) {
      if (auto r = check_keys(*lim,
                              {"max_header_bytes", "max_headers", "max_body", "max_line",
                               "source_burst", "source_rate"},
                              "sip.limits.");
          !r) {
        return Unexpected{r.error()};
      }
      auto node = t["sip"]["limits"];
      auto hb = positive(node["max_header_bytes"], "sip.limits.max_header_bytes",
                         c.limits.max_header_bytes);
      auto hn = positive(node["max_headers"], "sip.limits.max_headers", c.limits.max_headers);
      auto mb = positive(node["max_body"], "sip.limits.max_body", c.limits.max_body);
      auto ml = positive(node["max_line"], "sip.limits.max_line", c.limits.max_line);
      for (const auto* r : {&hb, &hn, &mb, &ml}) {
        if (!*r) return Unexpected{r->error()};
      }
      c.limits = sip::ParserLimits{*hb, *hn, *mb, *ml};
      for (auto [key, target] :
           {std::pair{"source_burst", &c.source_burst}, std::pair{"source_rate", &c.source_rate}}) {
        if (auto v = node[key].value<int64_t>()) {
          if (*v < 0 || *v > 10'000'000) {
            return fail(Errc::config, std::string{"sip.limits."} + key + " must be 0..10000000");
          }
          *target = static_cast<unsigned>(*v);
        }
      }
    }
  }
  if (const auto* https = t["https"].as_table()) {
    if (auto r = check_keys(*https, {"listen"}, "https."); !r) return Unexpected{r.error()};
    if (https->contains("listen")) {
      auto l = listen_list(t["https"]["listen"], "https.listen");
      if (!l) return Unexpected{l.error()};
      c.https_listen = *l;
    }
  }
  if (const auto* svc = t["service"].as_table()) {
    if (auto r = check_keys(*svc,
                            {"domains", "deployment_style", "probation", "min_notify_interval",
                             "udp_mtu", "digest_algorithms", "dev"},
                            "service.");
        !r) {
      return Unexpected{r.error()};
    }
    if (const auto* arr = (*svc)["domains"].as_array()) {
      c.domains.clear();
      for (const auto& el : *arr) {
        auto v = el.value<std::string>();
        if (!v || v->empty()) return fail(Errc::config, "service.domains must be host names");
        c.domains.push_back(*v);
      }
    }
    if (auto v = (*svc)["deployment_style"].value<int64_t>()) {
      if (*v < 1 || *v > 3) return fail(Errc::config, "service.deployment_style must be 1, 2 or 3");
      c.deployment_style = static_cast<int>(*v);
    }
    if (auto r = read_bool(*svc, "probation", "service.", c.probation); !r)
      return Unexpected{r.error()};
    if (auto r = read_bool(*svc, "dev", "service.", c.dev); !r) return Unexpected{r.error()};
    if (auto v = (*svc)["min_notify_interval"].value<int64_t>()) {
      if (*v < 0) return fail(Errc::config, "service.min_notify_interval must be >= 0");
      c.min_notify_interval = *v;
    }
    if (const auto* arr = (*svc)["digest_algorithms"].as_array()) {
      for (const auto& el : *arr) {
        auto v = el.value<std::string>();
        if (!v || !auth::parse_algorithm(*v) || v->find("-sess") != std::string::npos) {
          return fail(Errc::config,
                      "service.digest_algorithms may hold MD5, SHA-256 and SHA-512-256");
        }
        c.digest_algorithms.push_back(*v);
      }
    }
    if (auto v = (*svc)["udp_mtu"].value<int64_t>()) {
      if (*v < 0) return fail(Errc::config, "service.udp_mtu must be >= 0");
      c.udp_mtu = *v;
    }
  }
  if (const auto* tls = t["tls"].as_table()) {
    if (auto r = check_keys(*tls, {"identity", "versions"}, "tls."); !r) {
      return Unexpected{r.error()};
    }
    if (const auto* vs = (*tls)["versions"].as_array()) {
      c.tls_options.allow_tls12 = c.tls_options.allow_tls13 = false;
      for (const auto& el : *vs) {
        auto v = el.value<std::string>();
        if (v && *v == "1.2") {
          c.tls_options.allow_tls12 = true;
        } else if (v && *v == "1.3") {
          c.tls_options.allow_tls13 = true;
        } else {
          return fail(Errc::config, "tls.versions may hold \"1.2\" and \"1.3\"");
        }
      }
      if (!c.tls_options.allow_tls12 && !c.tls_options.allow_tls13) {
        return fail(Errc::config, "tls.versions is empty");
      }
    }
    if (const auto* ids = (*tls)["identity"].as_array()) {
      for (const auto& el : *ids) {
        const auto* id = el.as_table();
        if (id == nullptr) return fail(Errc::config, "tls.identity entries must be tables");
        if (auto r = check_keys(*id, {"domain", "certificate", "key"}, "tls.identity."); !r) {
          return Unexpected{r.error()};
        }
        auto d = (*id)["domain"].value<std::string>();
        auto cert = (*id)["certificate"].value<std::string>();
        auto key = (*id)["key"].value<std::string>();
        if (!d || !cert || !key) {
          return fail(Errc::config, "tls.identity needs domain, certificate and key");
        }
        c.tls_identities.push_back({*d, *cert, *key});
      }
    }
  }
  if (const auto* id = t["identity"].as_table()) {
    if (auto r = check_keys(
            *id, {"scheme", "alg", "body_claim", "sign_threads", "sign_on_io_thread", "domain"},
            "identity.");
        !r) {
      return Unexpected{r.error()};
    }
    if (id->contains("scheme")) {
      auto v = (*id)["scheme"].value<std::string>();
      if (!v || (*v != "rfc4474" && *v != "rfc8224")) {
        return fail(Errc::config, "identity.scheme must be \"rfc4474\" or \"rfc8224\"");
      }
      c.identity_scheme = *v;
    }
    if (id->contains("alg")) {
      auto v = (*id)["alg"].value<std::string>();
      if (!v || (*v != "rsa-sha1" && *v != "rsa-sha256")) {
        return fail(Errc::config, "identity.alg must be \"rsa-sha1\" or \"rsa-sha256\"");
      }
      c.identity_alg = *v;
    }
    if (auto r = read_bool(*id, "body_claim", "identity.", c.identity_body_claim); !r) {
      return Unexpected{r.error()};
    }
    if (id->contains("sign_threads")) {
      auto v = (*id)["sign_threads"].value<int64_t>();
      if (!v || *v < 0 || *v > 256) return fail(Errc::config, "identity.sign_threads: 0 to 256");
      c.sign_threads = static_cast<unsigned>(*v);
    }
    if (auto r = read_bool(*id, "sign_on_io_thread", "identity.", c.sign_on_io_thread); !r) {
      return Unexpected{r.error()};
    }
    if (const auto* ds = (*id)["domain"].as_array()) {
      for (const auto& el : *ds) {
        const auto* d = el.as_table();
        if (d == nullptr) return fail(Errc::config, "identity.domain entries must be tables");
        if (auto r = check_keys(*d, {"domain", "key", "certificate", "url"}, "identity.domain.");
            !r) {
          return Unexpected{r.error()};
        }
        auto name = (*d)["domain"].value<std::string>();
        auto key = (*d)["key"].value<std::string>();
        auto cert = (*d)["certificate"].value<std::string>();
        if (!name || !key || !cert) {
          return fail(Errc::config, "identity.domain needs domain, key and certificate");
        }
        c.identity_domains.push_back(
            {*name, *key, *cert, (*d)["url"].value<std::string>().value_or("")});
      }
    }
  }
  return c;
}

}  // namespace sipcred::app
