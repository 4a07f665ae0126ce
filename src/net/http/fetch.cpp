#include "net/http/fetch.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "core/log.hpp"
#include "core/text.hpp"
#include "crypto/certificate.hpp"
#include "crypto/tls.hpp"
#include "http/router.hpp"
#include "http/url.hpp"
#include "pki/validate.hpp"

namespace sipcred::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

// One fetch from start to callback. The deadline timer and every I/O step hold a reference; the
// first failure (or the deadline) completes it, and the socket's closing ends the other steps.
class Fetch : public std::enable_shared_from_this<Fetch> {
 public:
  Fetch(asio::io_context& io, http::HttpsUrl url, FetchOptions options, FetchCallback done,
        asio::ssl::context ssl)
      : io_(io),
        url_(std::move(url)),
        options_(std::move(options)),
        done_(std::move(done)),
        ssl_(std::move(ssl)),
        stream_(io, ssl_),
        resolver_(io),
        deadline_(io) {}

  void start() {
    deadline_.expires_after(options_.timeout);
    deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->complete(fail(Errc::limit, "timed out after " + seconds_text(self->options_.timeout)));
    });
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          if (ec)
            return self->complete(
                fail(Errc::io, "cannot resolve " + self->url_.host + ": " + ec.message()));
          self->connect(results);
        });
  }

 private:
  void connect(const tcp::resolver::results_type& results) {
    beast::get_lowest_layer(stream_).async_connect(
        results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint& to) {
          if (ec) return self->complete(fail(Errc::io, "connect: " + ec.message()));
          log::debug("fetch {}: connected to {}", self->url_.to_string(), to.address().to_string());
          self->handshake();
        });
  }

  void handshake() {
    // RFC 6066 §3: server_name carries host names only, never an address literal.
    if (!url_.host_is_ip()) crypto::set_server_name(stream_.native_handle(), url_.host);
    stream_.async_handshake(
        asio::ssl::stream_base::client, [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            return self->complete(fail(Errc::io, "TLS handshake: " + ec.message()));
          }
          self->check_name();
        });
  }

  void check_name() {
    // REQ-PART TLS-2, HTTP-3: the name we meant to reach, exactly, in a SubjectAltName; the
    // chain was verified in the handshake.
    auto cert = crypto::Certificate::from_der(crypto::peer_certificate(stream_.native_handle()));
    if (!cert) return complete(fail(Errc::crypto, "server certificate: " + cert.error().detail));
    auto verdict = pki::check_tls_server(*cert, url_.host);
    if (!verdict.ok()) {
      return complete(
          fail(Errc::crypto, "certificate does not name " + url_.host + ": " + verdict.reason()));
    }
    request_.version(11);
    request_.method(bhttp::verb::get);
    request_.target(url_.target);
    request_.set(bhttp::field::host, url_.authority());
    request_.set(bhttp::field::user_agent, options_.user_agent);
    request_.set(bhttp::field::accept, "*/*");
    request_.keep_alive(false);
    bhttp::async_write(
        stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->complete(fail(Errc::io, "sending the request: " + ec.message()));
          self->read();
        });
  }

  void read() {
    parser_.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    parser_.body_limit(options_.max_bytes);
    bhttp::async_read(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_reply(ec); });
  }

  void on_reply(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return complete(
          fail(Errc::limit, "body larger than " + std::to_string(options_.max_bytes) + " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      return complete(fail(Errc::limit, "reply header larger than " +
                                            std::to_string(options_.max_header_bytes) + " bytes"));
    }
    // A server that closes without close_notify after a complete, delimited reply is common
    // (RFC 9112 §9.8 lets clients accept it when the length is known); the parser says whether
    // the message was complete.
    if (ec && !(ec == asio::ssl::error::stream_truncated && parser_.is_done())) {
      if (ec == bhttp::error::partial_message || ec == asio::ssl::error::stream_truncated ||
          ec == bhttp::error::end_of_stream) {
        return complete(fail(Errc::io, "connection closed before the reply was complete"));
      }
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
        return complete(fail(Errc::parse, "unparseable reply: " + ec.message()));
      }
      return complete(fail(Errc::io, "reading the reply: " + ec.message()));
    }
    auto& res = parser_.get();
    unsigned status = res.result_int();
    if (status != 200) {
      std::string what = "status " + std::to_string(status);
      if (auto reason = res.reason(); !reason.empty())
        what += " " + std::string{reason.data(), reason.size()};
      if (status >= 300 && status < 400) what += " (redirects are not followed)";
      return complete(fail(Errc::io, what));
    }
    FetchResponse out;
    out.status = status;
    out.content_type =
        std::string{res[bhttp::field::content_type].data(), res[bhttp::field::content_type].size()};
    out.body = std::move(res.body());
    complete(std::move(out));
  }

  void complete(Result<FetchResponse> r) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    resolver_.cancel();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
    if (!r) {
      r = fail(r.error().code, url_.to_string() + ": " + r.error().detail);
      log::debug("fetch {}", r.error().detail);
    }
    // Never from within fetch(): the caller's code after the call runs first.
    asio::post(io_, [done = std::move(done_), r = std::move(r)]() mutable { done(std::move(r)); });
  }

  asio::io_context& io_;
  http::HttpsUrl url_;
  FetchOptions options_;
  FetchCallback done_;
  asio::ssl::context ssl_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  tcp::resolver resolver_;
  asio::steady_timer deadline_;
  bhttp::request<bhttp::empty_body> request_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
  bool finished_ = false;
};

}  // namespace

void fetch(asio::io_context& io, std::string_view url, FetchOptions options, FetchCallback done) {
  auto refuse = [&](Errc code, std::string why) {
    asio::post(io,
               [done = std::move(done), e = Error{code, std::move(why)}] { done(Unexpected{e}); });
  };
  auto parsed = http::parse_https_url(url);
  if (!parsed) {
    return refuse(parsed.error().code,
                  "URL '" + std::string{url.substr(0, 200)} + "': " + parsed.error().detail);
  }
  if (!options.allowed_hosts.empty()) {
    bool allowed = false;
    for (const auto& h : options.allowed_hosts) allowed = allowed || iequals(h, parsed->host);
    if (!allowed) {
      return refuse(Errc::config,
                    parsed->to_string() + ": host " + parsed->host + " is not allowed");
    }
  }
  auto native = crypto::make_client_context(options.ca_file);
  if (!native)
    return refuse(native.error().code, parsed->to_string() + ": " + native.error().detail);
  asio::ssl::context ssl{static_cast<asio::ssl::context::native_handle_type>(*native)};
  std::make_shared<Fetch>(io, std::move(*parsed), std::move(options), std::move(done),
                          std::move(ssl))
      ->start();
}

Result<FetchResponse> fetch_blocking(std::string_view url, const FetchOptions& options) {
  asio::io_context io{1};
  std::optional<Result<FetchResponse>> out;
  fetch(io, url, options, [&](Result<FetchResponse> r) { out = std::move(r); });
  io.run();
  if (!out) return fail(Errc::internal, "fetch ended without an answer");
  return std::move(*out);
}

}  // namespace sipcred::net
