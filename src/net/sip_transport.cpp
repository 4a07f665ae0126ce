#include "net/sip_transport.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <variant>

#include "core/log.hpp"
#include "net/sign_pool.hpp"

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

// Dotted-quad text of an IPv4 address in network order, written without inet_ntop/sprintf: it
// is made for every datagram, and at most 15 characters stay in std::string's inline buffer.
void format_ipv4(const uint8_t* b, std::string& out) {
  out.clear();
  for (int i = 0; i < 4; ++i) {
    if (i != 0) out.push_back('.');
    unsigned v = b[i];
    if (v >= 100) out.push_back(static_cast<char>('0' + v / 100));
    if (v >= 10) out.push_back(static_cast<char>('0' + v / 10 % 10));
    out.push_back(static_cast<char>('0' + v % 10));
  }
}

// The peer of a received datagram, from the kernel's socket address (an IPv4-mapped IPv6 source
// is shown as IPv4, as peer_of does).
void peer_from_sockaddr(const sockaddr_storage& sa, service::Peer& p) {
  p.transport = service::Transport::udp;
  if (sa.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(sa);
    format_ipv4(reinterpret_cast<const uint8_t*>(&in.sin_addr.s_addr), p.address);
    p.port = ntohs(in.sin_port);
    return;
  }
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(sa);
  p.port = ntohs(in6.sin6_port);
  if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
    format_ipv4(in6.sin6_addr.s6_addr + 12, p.address);
    return;
  }
  char text[INET6_ADDRSTRLEN];
  p.address = inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text) != nullptr ? text : "";
}

// How open connections are found: the peer's transport, port and address in binary (IPv4 as
// IPv4-mapped IPv6), not text made and compared for every message.
struct PeerKey {
  std::array<uint8_t, 16> address{};
  uint16_t port = 0;
  service::Transport transport = service::Transport::udp;
  auto operator<=>(const PeerKey&) const = default;
};

// The binary form of a numeric address; false for anything else (a name has no connection).
bool address_bytes(const std::string& text, std::array<uint8_t, 16>& out) {
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out = {};
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return true;
  }
  return ::inet_pton(AF_INET6, text.c_str(), out.data()) == 1;
}

std::optional<PeerKey> key_of(const service::Peer& p) {
  PeerKey k;
  if (!address_bytes(p.address, k.address)) return std::nullopt;
  k.port = p.port;
  k.transport = p.transport;
  return k;
}

// "TCP 192.0.2.1 5060", for logs.
std::string peer_label(const service::Peer& p) {
  return std::string{service::to_string(p.transport)} + " " + p.address + " " +
         std::to_string(p.port);
}

using TlsStream = asio::ssl::stream<tcp::socket>;

// What a connection needs from the server that owns it.
class Hub {
 public:
  virtual ~Hub() = default;
  virtual void on_message(sip::Message msg, const service::Peer& from) = 0;
  virtual void on_closed(const PeerKey& key, const void* conn) = 0;
  virtual void on_send_failed(uint64_t txn) = 0;
  virtual const sip::ParserLimits& limits() const = 0;
  virtual std::chrono::seconds idle_timeout() const = 0;
  virtual size_t max_queued_bytes() const = 0;
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
  StreamConnection(Stream stream, service::Peer peer, PeerKey key, Hub& hub)
      : stream_(std::move(stream)),
        peer_(std::move(peer)),
        key_(key),
        label_(peer_label(peer_)),
        hub_(hub),
        parser_(hub.limits()),
        idle_(lowest().get_executor()) {}

  const service::Peer& peer() const { return peer_; }
  const PeerKey& key() const { return key_; }

  // An accepted connection: TLS handshakes first (bounded by `handshake`), then reads.
  void start_accepted(std::chrono::seconds handshake) {
    auto self = shared();
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      arm_idle(handshake);
      stream_.async_handshake(asio::ssl::stream_base::server, [self](boost::system::error_code ec) {
        if (ec) {
          log::debug("tls {}: handshake failed: {}", self->label_, ec.message());
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
        log::debug("tcp {}: connect failed: {}", self->label_, ec.message());
        return self->finish();
      }
      self->established();
    });
  }

  void send(std::string bytes, uint64_t txn) override {
    if (closed_) {
      if (txn != 0) hub_.on_send_failed(txn);
      return;
    }
    if (queued_bytes_ + bytes.size() > hub_.max_queued_bytes()) {
      log::debug("{}: {} bytes waiting to be written, the peer is not reading: closing", label_,
                 queued_bytes_);
      if (txn != 0) hub_.on_send_failed(txn);
      return finish();
    }
    queued_bytes_ += bytes.size();
    queue_.push_back({std::move(bytes), txn});
    // While a read is being consumed, its answers wait for one write at its end.
    if (writing_ == 0 && ready_ && !consuming_) write();
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
  // The idle timer is armed once and, when it fires, re-armed for what is left since the last
  // read: re-arming it on every read costs a timerfd_settime system call per read.
  void arm_idle(std::chrono::seconds after) {
    idle_after_ = after;
    last_active_ = std::chrono::steady_clock::now();
    idle_.expires_after(after);
    wait_idle();
  }
  void wait_idle() {
    auto self = shared();
    idle_.async_wait([self](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted || self->closed_) return;
      auto due = self->last_active_ + self->idle_after_;
      if (due > std::chrono::steady_clock::now()) {
        self->idle_.expires_at(due);
        return self->wait_idle();
      }
      log::debug("{}: idle, closing", self->label_);
      self->finish();
    });
  }
  void read() {
    auto self = shared();
    stream_.async_read_some(asio::buffer(buf_), [self](boost::system::error_code ec, size_t n) {
      if (ec) return self->finish();
      self->last_active_ = std::chrono::steady_clock::now();
      self->consuming_ = true;
      bool ok = self->consume(std::string_view{self->buf_.data(), n});
      self->consuming_ = false;
      // An unframeable stream is closed once the answers to what came before are written.
      if (!ok && (self->closed_ || self->queue_.empty())) return self->finish();
      self->close_after_write_ = !ok;
      if (self->writing_ == 0 && !self->queue_.empty()) self->write();
      if (ok) self->read();
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
          log::debug("{}: closing unframeable stream: {}", label_, step.reason);
          return false;
      }
    }
    return !closed_;
  }
  // Everything queued leaves in one gather write.
  void write() {
    auto self = shared();
    writing_ = queue_.size();
    out_.clear();
    for (size_t i = 0; i < writing_; ++i) out_.push_back(asio::buffer(queue_[i].bytes));
    asio::async_write(stream_, out_, [self](boost::system::error_code ec, size_t) {
      if (ec || self->closed_) return self->finish();
      for (size_t i = 0; i < self->writing_; ++i)
        self->queued_bytes_ -= self->queue_[i].bytes.size();
      self->queue_.erase(self->queue_.begin(),
                         self->queue_.begin() + static_cast<std::ptrdiff_t>(self->writing_));
      self->writing_ = 0;
      if (self->close_after_write_) return self->finish();
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
    queued_bytes_ = 0;
    hub_.on_closed(key_, this);
  }

  Stream stream_;
  service::Peer peer_;
  PeerKey key_;
  std::string label_;
  Hub& hub_;
  sip::Parser parser_;
  asio::steady_timer idle_;
  std::chrono::seconds idle_after_{};
  std::chrono::steady_clock::time_point last_active_;
  std::array<char, 16 * 1024> buf_{};
  std::deque<Queued> queue_;
  size_t queued_bytes_ = 0;              // of queue_, bounded by the hub's max_queued_bytes()
  std::vector<asio::const_buffer> out_;  // the buffers of the write in progress
  size_t writing_ = 0;                   // queued messages in the write in progress
  bool consuming_ = false;
  bool close_after_write_ = false;
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
  std::map<PeerKey, std::shared_ptr<Connection>> connections;
  std::map<std::array<uint8_t, 16>, size_t> per_source;  // connections per remote address
  SystemClock clock;

  // UDP in batches (Linux recvmmsg/sendmmsg): each readiness of a socket drains it, up to kBatch
  // datagrams per system call, and what a batch sends leaves in one sendmmsg at its end — one
  // wake-up and two system calls for many requests when they queue up.
  static constexpr size_t kBatch = 32;
  static constexpr size_t kDatagramMax = 65536;  // a UDP payload is at most 65,507 bytes
  static constexpr int kRoundsPerWake = 8;       // then TCP and timers get their turn
  std::unique_ptr<char[]> rx_bytes{new char[kBatch * kDatagramMax]};
  std::array<mmsghdr, kBatch> rx_msgs{};
  std::array<iovec, kBatch> rx_iov{};
  std::array<sockaddr_storage, kBatch> rx_from{};
  struct UdpSend {
    int fd = -1;
    sockaddr_storage to{};
    socklen_t to_len = 0;
    std::string bytes;
    uint64_t txn = 0;
  };
  std::vector<UdpSend> tx_queue;  // filled while a batch is handled, sent at its end
  std::vector<mmsghdr> tx_msgs;
  std::vector<iovec> tx_iov;
  bool batching = false;
  bool answering_v6 = false;
  // The datagram being handled: its source as the endpoint sees it and as the kernel gave it, so
  // that a response to that source needs no address parsing.
  service::Peer current_from;
  const sockaddr_storage* current_addr = nullptr;
  socklen_t current_len = 0;
  // One timer for all transactions: armed at the endpoint's next deadline after every event.
  asio::steady_timer txn_timer{io};
  std::optional<TimePoint> armed;
  // Last member: destroyed (stopped and joined) first, so no signature is posted to a dead Impl.
  std::unique_ptr<SignPool> signers;

  Impl(ServerConfig c, service::Endpoint& e, store::Store* s, const crypto::TlsServerContext* t)
      : config(std::move(c)), endpoint(e), store(s) {
    if (config.sign_threads > 0) {
      signers = std::make_unique<SignPool>(
          io, config.sign_threads, [this] { return clock.wall_now(); },
          [this](std::vector<Signed> batch) { on_signed(std::move(batch)); });
    }
    if (t != nullptr) {
      tls_ctx = std::make_unique<asio::ssl::context>(
          static_cast<asio::ssl::context::native_handle_type>(t->adopt_native()));
    }
  }

  // Hub
  void on_message(sip::Message msg, const service::Peer& from) override {
    handle(endpoint.on_message(msg, from, clock.now(), clock.wall_now()));
  }
  void on_closed(const PeerKey& key, const void* conn) override {
    asio::post(io, [this, key, conn] {
      auto it = connections.find(key);
      if (it != connections.end() && it->second.get() == conn) {
        if (auto p = per_source.find(key.address); p != per_source.end() && --p->second == 0) {
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
  size_t max_queued_bytes() const override { return config.max_queued_bytes; }

  // After every event: send, commit, re-arm.
  void handle(std::vector<service::Outgoing> outs) {
    for (auto& o : outs) send(std::move(o));
    for (auto& w : endpoint.take_writes()) commit(std::move(w));
    if (auto jobs = endpoint.take_sign_jobs(); !jobs.empty()) sign(std::move(jobs));
    if (!batching) arm_timer();  // a UDP batch re-arms once, at its end
  }

  // REQ-PART ID-1: NOTIFYs' Identity, computed on the signing pool (one hand-off for the jobs of
  // one I/O turn); the results come back to the I/O thread, which owns the endpoint.
  void sign(std::vector<service::SignRequest> jobs) {
    if (signers) return signers->submit(std::move(jobs));
    for (auto& r : jobs) {
      auto h = identity::AuthenticationService::sign(r.job, clock.wall_now());
      handle(endpoint.on_signed(r.id, std::move(h), clock.now()));
    }
  }

  // A batch of signatures back from the pool: their NOTIFYs go out together (one sendmmsg over
  // UDP) and the timer is re-armed once.
  void on_signed(std::vector<Signed> batch) {
    bool was_batching = batching;
    batching = true;
    for (auto& s : batch) handle(endpoint.on_signed(s.id, std::move(s.headers), clock.now()));
    batching = was_batching;
    if (!batching) {
      if (!tx_queue.empty()) flush_udp();
      arm_timer();
    }
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
    auto key = key_of(out.to);
    auto it = key ? connections.find(*key) : connections.end();
    if (it != connections.end()) return it->second->send(std::move(out.bytes), out.txn);
    if (out.to.transport == service::Transport::tcp && out.txn != 0) {
      return connect_and_send(std::move(out));
    }
    // A response whose connection is gone, or a request toward a TLS peer whose connection
    // closed (we do not open TLS connections to subscribers): a transport error (§17.1.4).
    log::debug("no connection to {}", peer_label(out.to));
    if (out.txn != 0) on_send_failed(out.txn);
  }

  void send_udp(service::Outgoing& out) {
    if (udp_sockets.empty()) {
      if (out.txn != 0) on_send_failed(out.txn);
      return;
    }
    udp::socket* sock = nullptr;
    bool sock_v6 = false;
    UdpSend q;
    q.txn = out.txn;
    if (answering != nullptr && out.status != 0) {
      sock = answering;
      sock_v6 = answering_v6;
    }
    if (sock != nullptr && current_addr != nullptr && out.to.port == current_from.port &&
        out.to.address == current_from.address) {
      // Back to the datagram's source, in the form (and family) the socket gave it.
      std::memcpy(&q.to, current_addr, current_len);
      q.to_len = current_len;
    } else {
      boost::system::error_code ec;
      auto addr = asio::ip::make_address(out.to.address, ec);
      if (ec) {
        if (out.txn != 0) on_send_failed(out.txn);
        return;
      }
      if (sock == nullptr) {
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
      udp::endpoint ep{addr, out.to.port};
      std::memcpy(&q.to, ep.data(), ep.size());
      q.to_len = static_cast<socklen_t>(ep.size());
    }
    q.fd = sock->native_handle();
    q.bytes = std::move(out.bytes);
    if (batching) {
      tx_queue.push_back(std::move(q));
      return;
    }
    if (::sendto(q.fd, q.bytes.data(), q.bytes.size(), 0, reinterpret_cast<sockaddr*>(&q.to),
                 q.to_len) < 0) {
      send_failed(q, errno);
    }
  }

  void send_failed(const UdpSend& q, int err) {
    udp::endpoint to;
    std::memcpy(to.data(), &q.to, q.to_len);
    log::debug("udp send to {}:{} failed: {}", to.address().to_string(), to.port(),
               std::strerror(err));
    if (q.txn != 0) on_send_failed(q.txn);
  }

  // Sends what the batch queued, one sendmmsg per run of datagrams on the same socket; a
  // datagram the kernel refuses is reported and skipped.
  void flush_udp() {
    tx_msgs.resize(tx_queue.size());
    tx_iov.resize(tx_queue.size());
    for (size_t i = 0; i < tx_queue.size(); ++i) {
      auto& q = tx_queue[i];
      tx_iov[i] = iovec{q.bytes.data(), q.bytes.size()};
      tx_msgs[i] = mmsghdr{};
      tx_msgs[i].msg_hdr.msg_name = &q.to;
      tx_msgs[i].msg_hdr.msg_namelen = q.to_len;
      tx_msgs[i].msg_hdr.msg_iov = &tx_iov[i];
      tx_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    size_t i = 0;
    while (i < tx_queue.size()) {
      size_t run = 1;
      while (i + run < tx_queue.size() && tx_queue[i + run].fd == tx_queue[i].fd) ++run;
      int sent = ::sendmmsg(tx_queue[i].fd, &tx_msgs[i], static_cast<unsigned>(run), 0);
      if (sent < 0) {
        if (errno == EINTR) continue;
        send_failed(tx_queue[i], errno);
        ++i;
      } else {
        i += static_cast<size_t>(sent);
      }
    }
    tx_queue.clear();
  }

  void connect_and_send(service::Outgoing out) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(out.to.address, ec);
    auto key = key_of(out.to);
    if (ec || !key || connections.size() >= config.max_tcp_connections) {
      return on_send_failed(out.txn);
    }
    auto conn =
        std::make_shared<StreamConnection<tcp::socket>>(tcp::socket{io}, out.to, *key, *this);
    connections[*key] = conn;
    ++per_source[key->address];
    conn->send(std::move(out.bytes), out.txn);
    conn->start_connect(tcp::endpoint{addr, out.to.port});
  }

  void wait_readable(udp::socket& sock, bool v6) {
    sock.async_wait(udp::socket::wait_read, [this, &sock, v6](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted || !sock.is_open()) return;
      if (ec) log::debug("udp wait failed: {}", ec.message());
      drain(sock, v6);
    });
  }

  // Reads every datagram queued on the socket (Asio registers it edge-triggered: a batch shorter
  // than kBatch means the queue was empty, so the next datagram wakes us again).
  void drain(udp::socket& sock, bool v6) {
    if (!sock.is_open()) return;
    for (int round = 0; round < kRoundsPerWake; ++round) {
      for (size_t i = 0; i < kBatch; ++i) {
        rx_iov[i] = iovec{rx_bytes.get() + i * kDatagramMax, kDatagramMax};
        rx_msgs[i] = mmsghdr{};
        rx_msgs[i].msg_hdr.msg_name = &rx_from[i];
        rx_msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
        rx_msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int n = ::recvmmsg(sock.native_handle(), rx_msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          log::debug("udp receive failed: {}", std::strerror(errno));
        }
        return wait_readable(sock, v6);
      }
      on_batch(sock, v6, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < kBatch) return wait_readable(sock, v6);
    }
    asio::post(io, [this, &sock, v6] { drain(sock, v6); });
  }

  void on_batch(udp::socket& sock, bool v6, size_t n) {
    answering = &sock;
    answering_v6 = v6;
    batching = true;
    for (size_t i = 0; i < n; ++i) {
      const auto& m = rx_msgs[i];
      if ((m.msg_hdr.msg_flags & MSG_TRUNC) != 0) continue;  // longer than any UDP payload
      current_addr = &rx_from[i];
      current_len = m.msg_hdr.msg_namelen;
      peer_from_sockaddr(rx_from[i], current_from);
      on_datagram(std::string_view{rx_bytes.get() + i * kDatagramMax, m.msg_len});
    }
    current_addr = nullptr;
    answering = nullptr;
    batching = false;
    flush_udp();
    arm_timer();
  }

  void on_datagram(std::string_view bytes) {
    const service::Peer& from = current_from;
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
  bool admit(const PeerKey& key) {
    if (connections.size() >= config.max_tcp_connections) return false;
    auto& n = per_source[key.address];
    if (n >= config.max_connections_per_source) {
      if (n == 0) per_source.erase(key.address);
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
          auto key = key_of(peer);
          if (!key || !admit(*key)) {
            log::debug("refusing connection from {}: limit reached", peer.address);
            socket.close(ec);
          } else if (tls) {
            auto conn = std::make_shared<StreamConnection<TlsStream>>(
                TlsStream{std::move(socket), *tls_ctx}, peer, *key, *this);
            connections[conn->key()] = conn;
            conn->start_accepted(config.handshake_timeout);
          } else {
            auto conn = std::make_shared<StreamConnection<tcp::socket>>(std::move(socket), peer,
                                                                        *key, *this);
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
    impl_->wait_readable(*usock, addr->is_v6());
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
