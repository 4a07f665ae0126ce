// Which answer an HTTPS request gets (RFC 9110), without any I/O: the server in src/net/http/
// parses the request, asks route(), and writes what comes back. Static bodies (the domain
// certificate named by Identity-Info, RFC 4474 §6) and handlers for a path prefix (the
// certificate store, HTTP-2) are registered per host, so that one endpoint serves every domain.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipcred::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // as received (methods are case-sensitive, RFC 9110 §9.1)
  std::string target;  // origin-form: path ["?" query]
  // The name the request is for: the TLS server_name (RFC 6066 §3) when the client sent one,
  // else the Host header's host (RFC 9110 §7.2) without port or brackets; lower case.
  std::string host;
  Fields headers;    // every header field as received, in order
  std::string body;  // empty for GET and HEAD (the server refuses bodies on them)
  std::string peer;  // "ADDRESS:PORT" of the client, for logs and rate limits

  std::string_view path() const;   // target up to "?"
  std::string_view query() const;  // after "?", empty when none
  // The first field named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type;  // omitted when empty
  std::string body;
  Fields headers;  // further fields (Allow, Cache-Control, ETag, ...)
  // HEAD (RFC 9110 §9.3.2): the body is dropped and this is the Content-Length GET would have.
  std::optional<size_t> head_length;
};

// A plain-text answer: "404 Not Found\n" and the like.
Response text_response(unsigned status, std::string text);
// RFC 9110 §15's reason phrase of `status` ("" for codes we never send).
std::string_view reason_phrase(unsigned status);

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // GET and HEAD of exactly `path` (the query is ignored) on `host` ("*": any host) answer
  // 200 with `body`. A later registration of the same host and path replaces the earlier one.
  void add_static(std::string host, std::string path, std::string content_type, std::string body);
  // Requests whose path starts with `prefix` on `host` go to `handler` when their method is one
  // of `methods` (HEAD is served through a GET handler); other methods get 405.
  void add_prefix(std::string host, std::string prefix, Handler handler,
                  std::vector<std::string> methods = {"GET", "HEAD"});

  // The answer: a static route, else the longest matching prefix (a named host before "*" at
  // equal length), else 404. A known path with a method it does not take: 405 with Allow
  // (RFC 9110 §15.5.6). HEAD: as GET, body dropped (head_length set).
  Response route(const Request& request) const;
  // The 404 or 405 route() would give, without running a handler; nullopt when a route takes
  // the request. For a server that must refuse a request before reading its body.
  std::optional<Response> refusal(const Request& request) const;

 private:
  struct Static {
    std::string host;
    std::string path;
    std::string content_type;
    std::string body;
  };
  struct Prefix {
    std::string host;
    std::string prefix;
    Handler handler;
    std::vector<std::string> methods;
  };
  const Static* find_static(const Request& request) const;
  const Prefix* find_prefix(const Request& request) const;

  std::vector<Static> statics_;
  std::vector<Prefix> prefixes_;
};

}  // namespace sipcred::http
