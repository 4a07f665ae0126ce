#include "app/config.hpp"

#include <toml++/toml.h>
#include <set>

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
  if (auto r = check_keys(t, {"data_dir", "log", "sip", "https"}, ""); !r)
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
      if (auto r = check_keys(*lim, {"max_header_bytes", "max_headers", "max_body", "max_line"},
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
  return c;
}

}  // namespace sipcred::app
