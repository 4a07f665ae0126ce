#include "net/http/https_server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <map>
#include <optional>
#include <thread>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "http/url.hpp"

namespace sipcred::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

std::string text(beast::string_view v) {
  return std::string{v.data(), v.size()};
}

std::string endpoint_text(const tcp::endpoint& e) {
  auto a = e.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(e.port())
                   : a.to_string() + ":" + std::to_string(e.port());
}

// The host of a Host field value (RFC 9110 §7.2: uri-host [":" port]), lower case, no brackets.
std::string host_of(std::string_view value) {
  std::string_view h = value;
  if (!h.empty() && h.front() == '[') {
    size_t close = h.find(']');
    h = close == std::string_view::npos ? std::string_view{} : h.substr(1, close - 1);
  } else {
    h = h.substr(0, h.find(':'));
  }
  std::string out{h};
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace

struct HttpsServer::Impl : std::enable_shared_from_this<HttpsServer::Impl> {
  class Session;

  std::unique_ptr<asio::io_context> own_io;  // only with the own-thread constructor
  asio::io_context& io;
  HttpsServerConfig config;
  const http::Router& router;
  asio::ssl::context ssl;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<uint16_t> ports;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  std::map<std::string, size_t> per_source;  // open connections per client address
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  bool stopped = false;

  Impl(std::unique_ptr<asio::io_context> own, asio::io_context& loop, HttpsServerConfig c,
       const http::Router& r, const crypto::TlsServerContext& tls)
      : own_io(std::move(own)),
        io(loop),
        config(std::move(c)),
        router(r),
        ssl(static_cast<asio::ssl::context::native_handle_type>(tls.adopt_native())) {}

  void accept(tcp::acceptor& acc);
  void closed(Session* s, const std::string& source);
  void close_all();
};

// One TLS connection: handshake, then requests one after the other (HTTP/1.1 persistent
// connections, RFC 9112 §9.3), each read, routed and answered before the next is read.
class HttpsServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::string peer, std::string source, Impl& server)
      : server_(server.shared_from_this()),
        stream_(std::move(socket), server.ssl),
        peer_(std::move(peer)),
        source_(std::move(source)) {}
  ~Session() { server_->closed(this, source_); }

  void start() {
    beast::get_lowest_layer(stream_).expires_after(server_->config.handshake_timeout);
    stream_.async_handshake(
        asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            log::debug("https {}: handshake failed: {}", self->peer_, ec.message());
            return self->close();
          }
          self->sni_ = crypto::requested_server_name(self->stream_.native_handle());
          self->read();
        });
  }

  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

 private:
  const HttpsServerConfig& config() const { return server_->config; }

  void read() {
    request_ = {};
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(config().max_header_bytes));
    // No body limit yet: Beast would fail on Content-Length before the header is complete;
    // on_header checks it against the route and the limit, then sets it.
    // (Beast 1.74 compares against an empty optional as if it were smaller than any length.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    beast::get_lowest_layer(stream_).expires_after(config().idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::ssl::error::stream_truncated) {
      return shutdown();
    }
    if (ec == bhttp::error::header_limit) {
      return refuse(431, "request header larger than " + std::to_string(config().max_header_bytes) +
                             " octets");
    }
    if (ec == beast::error::timeout) {
      log::debug("https {}: idle, closing", peer_);
      return close();
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      // One of Beast's parse errors (RFC 9112 §2.2: a malformed message gets 400).
      return refuse(400, ec.message());
    }
    if (ec) return close();
    request_ = make_request();
    const auto& header = parser_->get();
    // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host field gets 400.
    auto hosts = header.count(bhttp::field::host);
    if ((header.version() >= 11 && hosts != 1) || hosts > 1) {
      return refuse(400, "a request needs exactly one Host field");
    }
    // RFC 9112 §3.2.2: a server MUST accept absolute-form; its host then stands for Host.
    std::string host = host_of(text(header[bhttp::field::host]));
    if (!request_.target.empty() && request_.target.front() != '/' && request_.target != "*") {
      auto absolute = http::parse_https_url(request_.target);
      if (!absolute) return refuse(400, "bad request target: " + absolute.error().detail);
      request_.target = absolute->target;
      host = absolute->host;
    }
    // RFC 9110 §7.4: a request for another name than the one TLS was set up for (SNI) is
    // misdirected; the certificate store relies on the two being the same (HTTP-8).
    if (!sni_.empty() && !host.empty() && host != sni_) {
      return respond(http::text_response(421, "421 Misdirected Request\n"), false);
    }
    request_.host = !sni_.empty() ? sni_ : host;
    bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
    if (has_body) {
      if (request_.method == "GET" || request_.method == "HEAD") {
        return refuse(400, "a GET or HEAD request carries no body");
      }
      // Nothing here would take it: say so without reading it, then close (the unread body
      // makes the stream unusable).
      if (auto r = server_->router.refusal(request_)) return respond(std::move(*r), false);
      if (parser_->chunked() ||
          *parser_->content_length() > static_cast<uint64_t>(config().max_body_bytes)) {
        return refuse(
            413, "request body larger than " + std::to_string(config().max_body_bytes) + " octets");
      }
      parser_->body_limit(config().max_body_bytes);
      return bhttp::async_read(stream_, buffer_, *parser_,
                               [self = shared_from_this()](beast::error_code e, size_t) {
                                 if (e == bhttp::error::body_limit) {
                                   return self->refuse(413, "request body too large");
                                 }
                                 if (e) return self->close();
                                 self->request_.body = self->parser_->get().body();
                                 self->answer();
                               });
    }
    answer();
  }

  http::Request make_request() const {
    const auto& h = parser_->get();
    http::Request r;
    r.method = text(h.method_string());
    r.target = text(h.target());
    for (const auto& f : h) r.headers.emplace_back(text(f.name_string()), text(f.value()));
    r.peer = peer_;
    return r;
  }

  void answer() {
    ++served_;
    bool keep = parser_->get().keep_alive() && served_ < config().max_requests_per_connection;
    respond(server_->router.route(request_), keep);
  }

  // A request we will not serve: the status and a line saying why, then the connection closes
  // (RFC 9112 §9.6), since what follows in the stream cannot be trusted to be a request.
  void refuse(unsigned status, const std::string& why) {
    log::debug("https {}: {} ({})", peer_, status, why);
    request_.method.clear();
    respond(http::text_response(status, std::to_string(status) + " " +
                                            std::string{http::reason_phrase(status)} + ": " + why +
                                            "\n"),
            false);
  }

  void respond(http::Response r, bool keep_alive) {
    log::debug("https {}: {} {} {} -> {}", peer_, request_.host, request_.method, request_.target,
               r.status);
    response_ = {};
    response_.version(11);
    response_.result(r.status);
    auto phrase = http::reason_phrase(r.status);
    response_.reason(beast::string_view{phrase.data(), phrase.size()});
    response_.set(bhttp::field::server, config().server);
    response_.set(bhttp::field::date, to_rfc1123(SystemClock{}.wall_now()));
    if (!r.content_type.empty()) response_.set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) {
      // Framing is ours (RFC 9112 §6), and a CR or LF would let a value start a new field.
      if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
          iequals(name, "Connection") ||
          (name + value).find_first_of("\r\n") != std::string::npos) {
        log::debug("https {}: dropping the handler's header field {}", peer_, name);
        continue;
      }
      response_.insert(name, value);
    }
    response_.keep_alive(keep_alive);
    if (r.head_length) {
      response_.content_length(*r.head_length);  // HEAD: the length, no content
    } else {
      response_.body() = std::move(r.body);
      response_.prepare_payload();
    }
    beast::get_lowest_layer(stream_).expires_after(config().idle_timeout);
    bhttp::async_write(stream_, response_,
                       [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                         if (ec) return self->close();
                         if (!keep_alive) return self->shutdown();
                         self->read();
                       });
  }

  // TLS close_notify (RFC 8446 §6.1), bounded in time, then the socket is closed.
  void shutdown() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{2});
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
  }

  std::shared_ptr<Impl> server_;  // first: outlives the stream, which uses its SSL context
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  http::Request request_;
  std::string sni_;
  std::string peer_;    // ADDRESS:PORT
  std::string source_;  // ADDRESS, for the per-source count
  size_t served_ = 0;
};

void HttpsServer::Impl::closed(Session* s, const std::string& source) {
  sessions.erase(s);
  if (auto it = per_source.find(source); it != per_source.end() && --it->second == 0) {
    per_source.erase(it);
  }
}

void HttpsServer::Impl::close_all() {
  std::vector<std::shared_ptr<Session>> open;  // closing may end a session, which erases it
  for (auto& [ptr, weak] : sessions) {
    if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->close();
}

void HttpsServer::Impl::accept(tcp::acceptor& acc) {
  acc.async_accept([self = shared_from_this(), &acc](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || self->stopped) return;
    if (!ec) {
      auto remote = socket.remote_endpoint(ec);
      if (!ec) {
        std::string peer = endpoint_text(remote);
        std::string source = peer.substr(0, peer.rfind(':'));
        auto& n = self->per_source[source];
        if (self->sessions.size() >= self->config.max_connections ||
            n >= self->config.max_connections_per_source) {
          log::debug("https: refusing connection from {}: limit reached", peer);
          if (n == 0) self->per_source.erase(source);
          socket.close(ec);
        } else {
          ++n;
          // A response is written as TLS records that may leave in more than one segment; with
          // Nagle's algorithm the last waits for the client's delayed ACK (40 ms on Linux).
          socket.set_option(tcp::no_delay(true), ec);
          auto s = std::make_shared<Session>(std::move(socket), peer, source, *self);
          self->sessions[s.get()] = s;
          s->start();
        }
      }
    }
    self->accept(acc);
  });
}

HttpsServer::HttpsServer(asio::io_context& io, HttpsServerConfig config, const http::Router& router,
                         const crypto::TlsServerContext& tls)
    : impl_(std::make_shared<Impl>(nullptr, io, std::move(config), router, tls)) {}

HttpsServer::HttpsServer(HttpsServerConfig config, const http::Router& router,
                         const crypto::TlsServerContext& tls) {
  auto own = std::make_unique<asio::io_context>(1);
  auto& loop = *own;
  impl_ = std::make_shared<Impl>(std::move(own), loop, std::move(config), router, tls);
}

HttpsServer::~HttpsServer() {
  stop();
}

Result<void> HttpsServer::start() {
  auto& impl = *impl_;
  for (const auto& l : impl.config.listen) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(l.host, ec);
    if (ec) {
      tcp::resolver resolver{impl.io};
      auto results = resolver.resolve(l.host, std::to_string(l.port), ec);
      if (ec || results.empty()) {
        return fail(Errc::config, "cannot resolve HTTPS listen host '" + l.host + "'");
      }
      addr = results.begin()->endpoint().address();
    }
    auto acc = std::make_unique<tcp::acceptor>(impl.io);
    acc->open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acc->bind(tcp::endpoint{addr, l.port}, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::io, "cannot listen on HTTPS " + l.to_string() + ": " + ec.message());
    uint16_t port = acc->local_endpoint(ec).port();
    log::info("HTTPS listening on {}", ListenAddress{l.host, port}.to_string());
    impl.ports.push_back(port);
    impl.acceptors.push_back(std::move(acc));
  }
  for (auto& acc : impl.acceptors) impl.accept(*acc);
  if (impl.own_io) {
    impl.work.emplace(impl.io.get_executor());
    impl.thread = std::thread{[self = impl_] { self->io.run(); }};
  }
  return {};
}

std::vector<uint16_t> HttpsServer::ports() const {
  return impl_->ports;
}

void HttpsServer::stop() {
  auto halt = [impl = impl_] {
    if (impl->stopped) return;
    impl->stopped = true;
    boost::system::error_code ec;
    for (auto& a : impl->acceptors) a->close(ec);
    impl->close_all();
    impl->work.reset();
  };
  if (impl_->own_io && impl_->thread.joinable()) {
    asio::post(impl_->io, halt);
    impl_->thread.join();
    impl_->io.stop();
  } else {
    halt();
  }
}

}  // namespace sipcred::net
