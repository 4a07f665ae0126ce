#include "net/sip_transport.hpp"

#include <array>
#include <boost/asio.hpp>
#include <deque>
#include <list>

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

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(tcp::socket socket, service::Endpoint& endpoint, const sip::ParserLimits& limits,
                std::function<void(TcpConnection*)> on_close, std::function<void()> on_activity)
      : socket_(std::move(socket)),
        endpoint_(endpoint),
        parser_(limits),
        on_close_(std::move(on_close)),
        on_activity_(std::move(on_activity)) {
    boost::system::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    peer_ = peer_of(remote.address(), remote.port(), service::Transport::tcp);
  }

  void start() { read(); }
  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buf_), [self](boost::system::error_code ec, size_t n) {
      if (ec) return self->finish();
      if (!self->consume(std::string_view{self->buf_.data(), n})) return self->finish();
      self->read();
    });
  }

  // Feeds the parser until the bytes are used up. False when the stream cannot go on.
  bool consume(std::string_view data) {
    while (!data.empty()) {
      sip::ParseStep step = parser_.feed(data);
      data.remove_prefix(step.consumed);
      switch (step.status) {
        case sip::ParseStatus::need_more:
          break;
        case sip::ParseStatus::ping:
          send("\r\n");  // RFC 5626 §3.5.1 pong
          break;
        case sip::ParseStatus::done: {
          sip::Message msg = parser_.take();
          for (auto& out : endpoint_.on_message(msg, peer_, clock_.now()))
            send(std::move(out.bytes));
          on_activity_();
          break;
        }
        case sip::ParseStatus::invalid:
          log::debug("tcp {}:{}: closing unframeable stream: {}", peer_.address, peer_.port,
                     step.reason);
          return false;
      }
    }
    return true;
  }

  void send(std::string bytes) {
    queue_.push_back(std::move(bytes));
    if (queue_.size() == 1) write();
  }

  void write() {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      [self](boost::system::error_code ec, size_t) {
                        if (ec) return self->finish();
                        self->queue_.pop_front();
                        if (!self->queue_.empty()) self->write();
                      });
  }

  void finish() {
    if (closed_) return;
    closed_ = true;
    close();
    on_close_(this);
  }

  tcp::socket socket_;
  service::Endpoint& endpoint_;
  sip::Parser parser_;
  service::Peer peer_;
  std::array<char, 16 * 1024> buf_{};
  std::deque<std::string> queue_;
  std::function<void(TcpConnection*)> on_close_;
  std::function<void()> on_activity_;  // the endpoint may have new timers to arm
  SystemClock clock_;
  bool closed_ = false;
};

}  // namespace

struct Server::Impl {
  ServerConfig config;
  service::Endpoint& endpoint;
  asio::io_context io{1};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  std::vector<std::unique_ptr<udp::socket>> udp_sockets;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::list<std::shared_ptr<TcpConnection>> connections;
  std::array<char, 65536> datagram{};
  udp::endpoint sender;
  SystemClock clock;
  // One timer for all transactions: armed at the endpoint's next deadline after every event.
  asio::steady_timer txn_timer{io};
  std::optional<TimePoint> armed;

  Impl(ServerConfig c, service::Endpoint& e) : config(std::move(c)), endpoint(e) {}

  void receive(udp::socket& sock) {
    sock.async_receive_from(asio::buffer(datagram), sender,
                            [this, &sock](boost::system::error_code ec, size_t n) {
                              if (ec == asio::error::operation_aborted) return;
                              if (!ec) on_datagram(sock, std::string_view{datagram.data(), n});
                              receive(sock);
                            });
  }

  void on_datagram(udp::socket& sock, std::string_view bytes) {
    auto from = peer_of(sender.address(), sender.port(), service::Transport::udp);
    auto msg = sip::parse_datagram(bytes, config.limits);
    if (!msg) {
      // Without a parsed message there is no Via to answer to (RFC 3261 §18.2.2).
      log::debug("udp {}:{}: dropped: {}", from.address, from.port, msg.error().detail);
      return;
    }
    send_all(sock, endpoint.on_message(*msg, from, clock.now()));
    arm_timer();
  }

  void send_all(udp::socket& sock, std::vector<service::Outgoing> outs) {
    for (auto& out : outs) {
      boost::system::error_code ec;
      auto addr = asio::ip::make_address(out.to.address, ec);
      if (ec) continue;
      if (addr.is_v4() && sock.local_endpoint(ec).address().is_v6()) {
        addr = asio::ip::make_address_v6(asio::ip::v4_mapped, addr.to_v4());
      }
      sock.send_to(asio::buffer(out.bytes), udp::endpoint{addr, out.to.port}, 0, ec);
      if (ec) log::debug("udp send to {}:{} failed: {}", out.to.address, out.to.port, ec.message());
    }
  }

  void arm_timer() {
    auto next = endpoint.next_deadline();
    if (!next || (armed && *armed <= *next)) return;
    armed = next;
    txn_timer.expires_at(std::chrono::steady_clock::time_point{next->time_since_epoch()});
    txn_timer.async_wait([this](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      armed.reset();
      // Retransmissions go out over UDP (on reliable transports the machines send none), from
      // a socket of the destination's address family.
      for (auto& out : endpoint.on_timer(clock.now())) {
        boost::system::error_code err;
        bool v6 = asio::ip::make_address(out.to.address, err).is_v6();
        for (auto& s : udp_sockets) {
          if (s->local_endpoint(err).address().is_v6() == v6 || !v6) {
            send_all(*s, {std::move(out)});
            break;
          }
        }
      }
      arm_timer();
    });
  }

  void accept(tcp::acceptor& acc) {
    acc.async_accept([this, &acc](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        if (connections.size() >= config.max_tcp_connections) {
          socket.close(ec);
        } else {
          auto it = connections.insert(connections.end(), nullptr);
          *it = std::make_shared<TcpConnection>(
              std::move(socket), endpoint, config.limits,
              [this, it](TcpConnection*) {
                // Erase after the current handler returns, keeping the connection alive until then.
                asio::post(io, [this, it] { connections.erase(it); });
              },
              [this] { arm_timer(); });
          (*it)->start();
        }
      }
      accept(acc);
    });
  }
};

Server::Server(ServerConfig config, service::Endpoint& endpoint)
    : impl_(std::make_unique<Impl>(std::move(config), endpoint)) {}

Server::~Server() = default;

Result<void> Server::start() {
  for (const auto& l : impl_->config.sip) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(l.host, ec);
    if (ec) {
      asio::ip::tcp::resolver resolver{impl_->io};
      auto results = resolver.resolve(l.host, std::to_string(l.port), ec);
      if (ec || results.empty())
        return fail(Errc::config, "cannot resolve listen host '" + l.host + "'");
      addr = results.begin()->endpoint().address();
    }
    auto usock = std::make_unique<udp::socket>(impl_->io);
    usock->open(addr.is_v6() ? udp::v6() : udp::v4(), ec);
    if (!ec) usock->bind(udp::endpoint{addr, l.port}, ec);
    if (ec) return fail(Errc::io, "cannot bind UDP " + l.to_string() + ": " + ec.message());
    auto acc = std::make_unique<tcp::acceptor>(impl_->io);
    acc->open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acc->bind(tcp::endpoint{addr, l.port}, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::io, "cannot listen on TCP " + l.to_string() + ": " + ec.message());
    log::info("SIP listening on UDP and TCP {}", l.to_string());
    impl_->receive(*usock);
    impl_->accept(*acc);
    impl_->udp_sockets.push_back(std::move(usock));
    impl_->acceptors.push_back(std::move(acc));
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
    for (auto& c : impl_->connections) {
      if (c) c->close();
    }
    impl_->signals.cancel(ec);
    impl_->txn_timer.cancel();
    impl_->io.stop();
  });
}

}  // namespace sipcred::net
