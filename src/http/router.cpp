#include "http/router.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace sipcred::http {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = ascii_lower(c);
  return s;
}

bool host_matches(const std::string& route_host, const std::string& host) {
  return route_host == "*" || iequals(route_host, host);
}

bool takes(const std::vector<std::string>& methods, const std::string& method) {
  auto has = [&](std::string_view m) {
    return std::find(methods.begin(), methods.end(), m) != methods.end();
  };
  // RFC 9110 §9.3.2: HEAD is GET without the content.
  return has(method) || (method == "HEAD" && has("GET"));
}

std::string allow_of(const std::vector<std::string>& methods) {
  std::vector<std::string> all = methods;
  if (std::find(all.begin(), all.end(), "GET") != all.end() &&
      std::find(all.begin(), all.end(), "HEAD") == all.end()) {
    all.push_back("HEAD");
  }
  std::string out;
  for (const auto& m : all) out += (out.empty() ? "" : ", ") + m;
  return out;
}

Response method_not_allowed(const std::vector<std::string>& methods) {
  auto r = text_response(405, "405 Method Not Allowed\n");
  r.headers.emplace_back("Allow", allow_of(methods));  // RFC 9110 §15.5.6: MUST
  return r;
}

Response finish(const Request& request, Response r) {
  if (request.method == "HEAD") {
    r.head_length = r.body.size();
    r.body.clear();
  }
  return r;
}

}  // namespace

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  size_t q = target.find('?');
  return q == std::string::npos ? std::string_view{} : std::string_view{target}.substr(q + 1);
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string_view{v};
  }
  return std::nullopt;
}

Response text_response(unsigned status, std::string text) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  return r;
}

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 421:
      return "Misdirected Request";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

void Router::add_static(std::string host, std::string path, std::string content_type,
                        std::string body) {
  host = lower(std::move(host));
  for (auto& s : statics_) {
    if (s.host == host && s.path == path) {
      s.content_type = std::move(content_type);
      s.body = std::move(body);
      return;
    }
  }
  statics_.push_back({std::move(host), std::move(path), std::move(content_type), std::move(body)});
}

void Router::add_prefix(std::string host, std::string prefix, Handler handler,
                        std::vector<std::string> methods) {
  prefixes_.push_back(
      {lower(std::move(host)), std::move(prefix), std::move(handler), std::move(methods)});
}

const Router::Static* Router::find_static(const Request& request) const {
  std::string_view path = request.path();
  const Static* found = nullptr;
  for (const auto& s : statics_) {
    if (s.path != path || !host_matches(s.host, request.host)) continue;
    if (found == nullptr || found->host == "*") found = &s;
  }
  return found;
}

const Router::Prefix* Router::find_prefix(const Request& request) const {
  std::string_view path = request.path();
  const Prefix* best = nullptr;
  for (const auto& p : prefixes_) {
    if (path.substr(0, p.prefix.size()) != p.prefix || !host_matches(p.host, request.host)) {
      continue;
    }
    if (best == nullptr || p.prefix.size() > best->prefix.size() ||
        (p.prefix.size() == best->prefix.size() && best->host == "*")) {
      best = &p;
    }
  }
  return best;
}

std::optional<Response> Router::refusal(const Request& request) const {
  static const std::vector<std::string> kGet = {"GET"};
  const std::vector<std::string>* methods = nullptr;
  if (find_static(request) != nullptr) {
    methods = &kGet;
  } else if (const auto* p = find_prefix(request)) {
    methods = &p->methods;
  } else {
    return finish(request, text_response(404, "404 Not Found\n"));
  }
  if (!takes(*methods, request.method)) return finish(request, method_not_allowed(*methods));
  return std::nullopt;
}

Response Router::route(const Request& request) const {
  if (auto refused = refusal(request)) return std::move(*refused);
  if (const auto* s = find_static(request)) {
    Response r;
    r.content_type = s->content_type;
    r.body = s->body;
    return finish(request, std::move(r));
  }
  return finish(request, find_prefix(request)->handler(request));
}

}  // namespace sipcred::http
