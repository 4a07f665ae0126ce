#include "net/sip_transport.hpp"

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <deque>
#include <list>
#include <map>
#include <variant>

#include "core/log.hpp"

namespace sipcred::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress out;
  size_t colon;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail(Errc::config, "listen address '" + std::string{text} + "' is not [IPV6]:PORT");
    }
    out.host = std::string{text.substr(1, close - 1)};
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return fail(Errc::config, "listen address '" + std::string{text} + "' is not HOST:PORT");
    }
    out.host = std::string{text.substr(0, colon)};
  }
  std::string_view port = text.substr(colon + 1);
  unsigned long value = 0;
  if (port.empty() || port.size() > 5)
    return fail(Errc::config, "invalid port in '" + std::string{text} + "'");
  for (char c : port) {
    if (c < '0' || c > '9')
      return fail(Errc::config, "invalid port in '" + std::string{text} + "'");
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > 65535) return fail(Errc::config, "invalid port in '" + std::string{text} + "'");
  out.port = static_cast<uint16_t>(value);
  return out;
}

namespace {

service::Peer peer_of(const asio::ip::address& a, uint16_t port, service::Transport t) {
  auto addr = a;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  return service::Peer{addr.to_string(), port, t};
}

std::string peer_key(const service::Peer& p) {
  return std::string{service::to_string(p.transport)} + " " + p.address + " " +
         std::to_string(p.port);
}

using TlsStream = asio::ssl::stream<tcp::socket>;

// What a connection needs from the server that owns it.
class Hub {
 public:
  virtual ~Hub() = default;
  virtual void on_message(sip::Message msg, const service::Peer& from) = 0;
  virtual void on_closed(const std::string& key, const void* conn) = 0;
  virtual void on_send_failed(uint64_t txn) = 0;
  virtual const sip::ParserLimits& limits() const = 0;
  virtual std::chrono::seconds idle_timeout() const = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  virtual void send(std::string bytes, uint64_t txn) = 0;
  virtual void close() = 0;
};

// One stream connection, plain TCP or TLS. Incoming bytes are framed by the parser (RFC 3261
// §18.3: Content-Length frames a message on a stream); CRLF keep-alives are answered (RFC 5626
// §3.5.1); a connection idle for the configured time is closed.
template <class Stream>
class StreamConnection final : public Connection {
 public:
  StreamConnection(Stream stream, service::Peer peer, Hub& hub)
      : stream_(std::move(stream)),
        peer_(std::move(peer)),
        key_(peer_key(peer_)),
        hub_(hub),
        parser_(hub.limits()),
        idle_(lowest().get_executor()) {}

  const service::Peer& peer() const { return peer_; }
  const std::string& key() const { return key_; }

  // An accepted connection: TLS handshakes first (bounded by `handshake`), then reads.
  void start_accepted(std::chrono::seconds handshake) {
    auto self = shared();
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      arm_idle(handshake);
      stream_.async_handshake(asio::ssl::stream_base::server, [self](boost::system::error_code ec) {
        if (ec) {
          log::debug("tls {}: handshake failed: {}", self->key_, ec.message());
          return self->finish();
        }
        self->established();
      });
    } else {
      established();
    }
  }
  // An outgoing TCP connection: connect, then send what was queued.
  void start_connect(tcp::endpoint to) {
    auto self = shared();
    arm_idle(hub_.idle_timeout());
    lowest().async_connect(to, [self](boost::system::error_code ec) {
      if (ec) {
        log::debug("tcp {}: connect failed: {}", self->key_, ec.message());
        return self->finish();
      }
      self->established();
    });
  }

  void send(std::string bytes, uint64_t txn) override {
    queue_.push_back({std::move(bytes), txn});
    if (queue_.size() == 1 && ready_) write();
  }
  void close() override {
    boost::system::error_code ec;
    lowest().close(ec);
  }

 private:
  struct Queued {
    std::string bytes;
    uint64_t txn = 0;
  };
  std::shared_ptr<StreamConnection> shared() {
    return std::static_pointer_cast<StreamConnection>(shared_from_this());
  }
  tcp::socket& lowest() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }
  void established() {
    ready_ = true;
    arm_idle(hub_.idle_timeout());
    read();
    if (!queue_.empty()) write();
  }
  void arm_idle(std::chrono::seconds after) {
    idle_.expires_after(after);
    auto self = shared();
    idle_.async_wait([self](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      log::debug("{}: idle, closing", self->key_);
      self->finish();
    });
  }
  void read() {
    auto self = shared();
    stream_.async_read_some(asio::buffer(buf_), [self](boost::system::error_code ec, size_t n) {
      if (ec) return self->finish();
      self->arm_idle(self->hub_.idle_timeout());
      if (!self->consume(std::string_view{self->buf_.data(), n})) return self->finish();
      self->read();
    });
  }
  bool consume(std::string_view data) {
    while (!data.empty() && !closed_) {
      sip::ParseStep step = parser_.feed(data);
      data.remove_prefix(step.consumed);
      switch (step.status) {
        case sip::ParseStatus::need_more:
          break;
        case sip::ParseStatus::ping:
          send("\r\n", 0);  // RFC 5626 §3.5.1 pong
          break;
        case sip::ParseStatus::done:
          hub_.on_message(parser_.take(), peer_);
          break;
        case sip::ParseStatus::invalid:
          log::debug("{}: closing unframeable stream: {}", key_, step.reason);
          return false;
      }
    }
    return !closed_;
  }
  void write() {
    auto self = shared();
    asio::async_write(stream_, asio::buffer(queue_.front().bytes),
                      [self](boost::system::error_code ec, size_t) {
                        if (ec) return self->finish();
                        self->queue_.pop_front();
                        if (!self->queue_.empty()) self->write();
                      });
  }
  void finish() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    idle_.cancel();
    lowest().close(ec);
    // RFC 3261 §17.1.4: requests that never left are transport errors for their transactions.
    for (auto& q : queue_) {
      if (q.txn != 0) hub_.on_send_failed(q.txn);
    }
    queue_.clear();
    hub_.on_closed(key_, this);
  }

  Stream stream_;
  service::Peer peer_;
  std::string key_;
  Hub& hub_;
  sip::Parser parser_;
  asio::steady_timer idle_;
  std::array<char, 16 * 1024> buf_{};
  std::deque<Queued> queue_;
  bool ready_ = false;
  bool closed_ = false;
};

}  // namespace

struct Server::Impl final : Hub {
  ServerConfig config;
  service::Endpoint& endpoint;
  store::Store* store;
  asio::io_context io{1};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  std::unique_ptr<asio::ssl::context> tls_ctx;
  std::vector<std::unique_ptr<udp::socket>> udp_sockets;
  std::vector<bool> udp_v6;  // the family of each socket, read once at bind
  // The socket the datagram being handled came in on: its responses leave from it, so that they
  // come from the address and port the request was sent to (RFC 3581 §4, RFC 3261 §18.2.2).
  udp::socket* answering = nullptr;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;      // plain TCP
  std::vector<std::unique_ptr<tcp::acceptor>> tls_acceptors;  // TLS
  // Open connections by peer ("TCP 192.0.2.1 5060"): responses and in-dialog requests reuse them.
  std::map<std::string, std::shared_ptr<Connection>> connections;
  std::map<std::string, size_t> per_source;  // connections per remote address
  std::array<char, 65536> datagram{};
  udp::endpoint sender;
  SystemClock clock;
  // One timer for all transactions: armed at the endpoint's next deadline after every event.
  asio::steady_timer txn_timer{io};
  std::optional<TimePoint> armed;
  // Last member: destroyed (stopped and joined) first, so no signature is posted to a dead Impl.
  std::unique_ptr<asio::thread_pool> signers;

  Impl(ServerConfig c, service::Endpoint& e, store::Store* s, const crypto::TlsServerContext* t)
      : config(std::move(c)), endpoint(e), store(s) {
    if (config.sign_threads > 0) signers = std::make_unique<asio::thread_pool>(config.sign_threads);
    if (t != nullptr) {
      tls_ctx = std::make_unique<asio::ssl::context>(
          static_cast<asio::ssl::context::native_handle_type>(t->adopt_native()));
    }
  }

  // Hub
  void on_message(sip::Message msg, const service::Peer& from) override {
    handle(endpoint.on_message(msg, from, clock.now(), clock.wall_now()));
  }
  void on_closed(const std::string& key, const void* conn) override {
    asio::post(io, [this, key, conn] {
      auto it = connections.find(key);
      if (it != connections.end() && it->second.get() == conn) {
        auto addr = key.substr(key.find(' ') + 1);
        addr = addr.substr(0, addr.rfind(' '));
        if (auto p = per_source.find(addr); p != per_source.end() && --p->second == 0) {
          per_source.erase(p);
        }
        connections.erase(it);
      }
    });
  }
  void on_send_failed(uint64_t txn) override {
    asio::post(io, [this, txn] {
      endpoint.on_transport_error(txn, clock.now());
      arm_timer();
    });
  }
  const sip::ParserLimits& limits() const override { return config.limits; }
  std::chrono::seconds idle_timeout() const override { return config.idle_timeout; }

  // After every event: send, commit, re-arm.
  void handle(std::vector<service::Outgoing> outs) {
    for (auto& o : outs) send(std::move(o));
    for (auto& w : endpoint.take_writes()) commit(std::move(w));
    for (auto& j : endpoint.take_sign_jobs()) sign(std::move(j));
    arm_timer();
  }

  // REQ-PART ID-1: a NOTIFY's Identity, computed on the signing pool; the result goes back to
  // the I/O thread, which owns the endpoint.
  void sign(service::SignRequest r) {
    if (!signers) {
      auto h = identity::AuthenticationService::sign(r.job, clock.wall_now());
      return handle(endpoint.on_signed(r.id, std::move(h), clock.now()));
    }
    asio::post(*signers, [this, r = std::move(r)] {
      auto h = identity::AuthenticationService::sign(r.job, clock.wall_now());
      asio::post(io, [this, id = r.id, h = std::move(h)]() mutable {
        handle(endpoint.on_signed(id, std::move(h), clock.now()));
      });
    });
  }

  void commit(service::PendingWrite w) {
    if (store == nullptr) {
      handle(endpoint.on_write_done(w.token, fail(Errc::internal, "no store"), clock.now(),
                                    clock.wall_now()));
      return;
    }
    uint64_t token = w.token;
    // The callback runs on the store's writer thread after the commit: back to the I/O thread.
    store->submit(std::move(w.change), w.wall, [this, token](Result<store::Applied> r) {
      asio::post(io, [this, token, r = std::move(r)]() mutable {
        handle(endpoint.on_write_done(token, std::move(r), clock.now(), clock.wall_now()));
      });
    });
  }

  void send(service::Outgoing out) {
    if (out.to.transport == service::Transport::udp) return send_udp(out);
    auto it = connections.find(peer_key(out.to));
    if (it != connections.end()) return it->second->send(std::move(out.bytes), out.txn);
    if (out.to.transport == service::Transport::tcp && out.txn != 0) {
      return connect_and_send(std::move(out));
    }
    // A response whose connection is gone, or a request toward a TLS peer whose connection
    // closed (we do not open TLS connections to subscribers): a transport error (§17.1.4).
    log::debug("no connection to {}", peer_key(out.to));
    if (out.txn != 0) on_send_failed(out.txn);
  }

  void send_udp(const service::Outgoing& out) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(out.to.address, ec);
    if (ec || udp_sockets.empty()) {
      if (out.txn != 0) on_send_failed(out.txn);
      return;
    }
    udp::socket* sock = nullptr;
    bool sock_v6 = false;
    if (answering != nullptr && out.status != 0) {
      sock = answering;
      for (size_t i = 0; i < udp_sockets.size(); ++i) {
        if (udp_sockets[i].get() == sock) sock_v6 = udp_v6[i];
      }
    } else {
      // A request or a retransmission: a socket of the destination's family (an IPv6 socket
      // reaches IPv4 as mapped addresses).
      for (size_t i = 0; i < udp_sockets.size(); ++i) {
        if (udp_v6[i] == addr.is_v6() || (sock == nullptr && udp_v6[i])) {
          sock = udp_sockets[i].get();
          sock_v6 = udp_v6[i];
          if (udp_v6[i] == addr.is_v6()) break;
        }
      }
      if (sock == nullptr) {
        sock = udp_sockets.front().get();
        sock_v6 = udp_v6.front();
      }
    }
    if (addr.is_v4() && sock_v6)
      addr = asio::ip::make_address_v6(asio::ip::v4_mapped, addr.to_v4());
    sock->send_to(asio::buffer(out.bytes), udp::endpoint{addr, out.to.port}, 0, ec);
    if (ec) {
      log::debug("udp send to {}:{} failed: {}", out.to.address, out.to.port, ec.message());
      if (out.txn != 0) on_send_failed(out.txn);
    }
  }

  void connect_and_send(service::Outgoing out) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(out.to.address, ec);
    if (ec || connections.size() >= config.max_tcp_connections) return on_send_failed(out.txn);
    auto conn = std::make_shared<StreamConnection<tcp::socket>>(tcp::socket{io}, out.to, *this);
    auto key = conn->key();
    connections[key] = conn;
    ++per_source[out.to.address];
    conn->send(std::move(out.bytes), out.txn);
    conn->start_connect(tcp::endpoint{addr, out.to.port});
  }

  void receive(udp::socket& sock) {
    sock.async_receive_from(asio::buffer(datagram), sender,
                            [this, &sock](boost::system::error_code ec, size_t n) {
                              if (ec == asio::error::operation_aborted) return;
                              if (!ec) {
                                answering = &sock;
                                on_datagram(std::string_view{datagram.data(), n});
                                answering = nullptr;
                              }
                              receive(sock);
                            });
  }

  void on_datagram(std::string_view bytes) {
    auto from = peer_of(sender.address(), sender.port(), service::Transport::udp);
    if (bytes == "\r\n\r\n" || bytes == "\r\n") return;  // RFC 5626 §4.4.1 keep-alive
    auto msg = sip::parse_datagram(bytes, config.limits);
    if (!msg) {
      // Without a parsed message there is no Via to answer to (RFC 3261 §18.2.2).
      log::debug("udp {}:{}: dropped: {}", from.address, from.port, msg.error().detail);
      return;
    }
    handle(endpoint.on_message(*msg, from, clock.now(), clock.wall_now()));
  }

  void arm_timer() {
    auto next = endpoint.next_deadline();
    if (!next || (armed && *armed <= *next)) return;
    armed = next;
    txn_timer.expires_at(std::chrono::steady_clock::time_point{next->time_since_epoch()});
    txn_timer.async_wait([this](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      armed.reset();
      handle(endpoint.on_timer(clock.now(), clock.wall_now()));
    });
  }

  // Admission of an accepted connection: the totals and the per-source limit.
  bool admit(const service::Peer& peer) {
    if (connections.size() >= config.max_tcp_connections) return false;
    auto& n = per_source[peer.address];
    if (n >= config.max_connections_per_source) {
      if (n == 0) per_source.erase(peer.address);
      return false;
    }
    ++n;
    return true;
  }

  void accept(tcp::acceptor& acc, bool tls) {
    acc.async_accept([this, &acc, tls](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        auto remote = socket.remote_endpoint(ec);
        if (!ec) {
          auto peer = peer_of(remote.address(), remote.port(),
                              tls ? service::Transport::tls : service::Transport::tcp);
          if (!admit(peer)) {
            log::debug("refusing connection from {}: limit reached", peer.address);
            socket.close(ec);
          } else if (tls) {
            auto conn = std::make_shared<StreamConnection<TlsStream>>(
                TlsStream{std::move(socket), *tls_ctx}, peer, *this);
            connections[conn->key()] = conn;
            conn->start_accepted(config.handshake_timeout);
          } else {
            auto conn =
                std::make_shared<StreamConnection<tcp::socket>>(std::move(socket), peer, *this);
            connections[conn->key()] = conn;
            conn->start_accepted(config.handshake_timeout);
          }
        }
      }
      accept(acc, tls);
    });
  }

  Result<asio::ip::address> resolve(const ListenAddress& l) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(l.host, ec);
    if (!ec) return addr;
    asio::ip::tcp::resolver resolver{io};
    auto results = resolver.resolve(l.host, std::to_string(l.port), ec);
    if (ec || results.empty()) {
      return fail(Errc::config, "cannot resolve listen host '" + l.host + "'");
    }
    return results.begin()->endpoint().address();
  }

  Result<std::unique_ptr<tcp::acceptor>> listen_tcp(const asio::ip::address& addr,
                                                    const ListenAddress& l) {
    boost::system::error_code ec;
    auto acc = std::make_unique<tcp::acceptor>(io);
    acc->open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acc->bind(tcp::endpoint{addr, l.port}, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::io, "cannot listen on TCP " + l.to_string() + ": " + ec.message());
    return acc;
  }
};

Server::Server(ServerConfig config, service::Endpoint& endpoint, store::Store* store,
               const crypto::TlsServerContext* tls)
    : impl_(std::make_unique<Impl>(std::move(config), endpoint, store, tls)) {}

Server::~Server() = default;

Result<void> Server::start() {
  for (const auto& l : impl_->config.sip) {
    auto addr = impl_->resolve(l);
    if (!addr) return Unexpected{addr.error()};
    boost::system::error_code ec;
    auto usock = std::make_unique<udp::socket>(impl_->io);
    usock->open(addr->is_v6() ? udp::v6() : udp::v4(), ec);
    if (!ec) usock->bind(udp::endpoint{*addr, l.port}, ec);
    if (ec) return fail(Errc::io, "cannot bind UDP " + l.to_string() + ": " + ec.message());
    // Bursts of requests must not overflow the kernel's default buffer (208 KiB here).
    usock->set_option(asio::socket_base::receive_buffer_size(4 << 20), ec);
    impl_->udp_v6.push_back(addr->is_v6());
    auto acc = impl_->listen_tcp(*addr, l);
    if (!acc) return Unexpected{acc.error()};
    log::info("SIP listening on UDP and TCP {}", l.to_string());
    impl_->receive(*usock);
    impl_->accept(**acc, false);
    impl_->udp_sockets.push_back(std::move(usock));
    impl_->acceptors.push_back(std::move(*acc));
  }
  for (const auto& l : impl_->config.tls) {
    if (!impl_->tls_ctx)
      return fail(Errc::config,
                  "TLS listener " + l.to_string() + " configured without certificates");
    auto addr = impl_->resolve(l);
    if (!addr) return Unexpected{addr.error()};
    auto acc = impl_->listen_tcp(*addr, l);
    if (!acc) return Unexpected{acc.error()};
    log::info("SIP listening on TLS {}", l.to_string());
    impl_->accept(**acc, true);
    impl_->tls_acceptors.push_back(std::move(*acc));
  }
  impl_->signals.async_wait([this](boost::system::error_code ec, int sig) {
    if (!ec) log::info("signal {}: stopping", sig);
    stop();
  });
  return {};
}

void Server::run() {
  impl_->io.run();
}

void Server::stop() {
  asio::post(impl_->io, [this] {
    boost::system::error_code ec;
    for (auto& s : impl_->udp_sockets) s->close(ec);
    for (auto& a : impl_->acceptors) a->close(ec);
    for (auto& a : impl_->tls_acceptors) a->close(ec);
    auto conns = impl_->connections;
    for (auto& [k, c] : conns) c->close();
    impl_->signals.cancel(ec);
    impl_->txn_timer.cancel();
    impl_->io.stop();
  });
}

}  // namespace sipcred::net
