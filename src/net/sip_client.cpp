#include "net/sip_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <deque>

#include "core/log.hpp"
#include "crypto/certificate.hpp"
#include "crypto/tls.hpp"
#include "net/dns/resolver.hpp"
#include "pki/validate.hpp"
#include "sip/parser.hpp"

namespace sipcred::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

std::string host_port(const asio::ip::address& a, uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port)
                   : a.to_string() + ":" + std::to_string(port);
}

// The loop shared by the three transports: feed messages to the exchange, send what it returns,
// keep its timer armed, stop when it is over.
template <class SendFn>
struct Driver {
  ua::Exchange& ex;
  asio::io_context& io;
  asio::steady_timer timer{io};
  SystemClock clock;
  SendFn send;

  void sendall(std::vector<std::string> outs) {
    for (auto& o : outs) send(std::move(o));
    arm();
  }
  void arm() {
    if (ex.state() != ua::Exchange::State::running) {
      io.stop();
      return;
    }
    auto next = ex.next_deadline();
    if (!next) return;
    timer.expires_at(std::chrono::steady_clock::time_point{next->time_since_epoch()});
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      sendall(ex.on_timer(clock.now()));
    });
  }
  void deliver(const sip::Message& m) { sendall(ex.on_message(m, clock.now())); }
};

Result<asio::ip::address> resolve(asio::io_context& io, const ClientTarget& t) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(t.host, ec);
  if (!ec) return addr;
  tcp::resolver r{io};
  auto results = r.resolve(t.host, std::to_string(t.port), ec);
  if (ec || results.empty()) return fail(Errc::io, "cannot resolve " + t.host);
  return results.begin()->endpoint().address();
}

}  // namespace

namespace {
Result<void> run_one(ua::Exchange& ex, const ClientTarget& target);

// RFC 3263 §4: the targets of `target.locate` for the transport asked for.
Result<dns::TargetList> locate(const ClientTarget& target) {
  asio::io_context io{1};
  dns::ResolverConfig cfg;
  cfg.servers = target.dns_servers;
  if (target.transport == "UDP") {
    cfg.locator.transports = {service::Transport::udp};
  } else if (target.transport == "TCP") {
    cfg.locator.transports = {service::Transport::tcp};
  } else {
    cfg.locator.transports = {service::Transport::tls};
  }
  auto resolver = dns::Resolver::create(io, cfg);
  if (!resolver) return Unexpected{resolver.error()};
  std::optional<Result<dns::TargetList>> result;
  (*resolver)->resolve_sip(target.locate,
                           [&](Result<dns::TargetList> r) { result = std::move(r); });
  io.run();
  if (!result) return fail(Errc::io, "DNS: no answer");
  return std::move(*result);
}
}  // namespace

Result<void> run_exchange(ua::Exchange& ex, const ClientTarget& target) {
  if (!target.host.empty()) return run_one(ex, target);
  auto targets = locate(target);
  if (!targets) return Unexpected{targets.error()};
  Error last{Errc::io, "no target for " + target.locate};
  for (const dns::Target* t = targets->current(); t != nullptr; t = targets->next()) {
    ClientTarget one = target;
    one.host = t->address;
    one.port = t->port;
    one.transport = std::string{service::to_string(t->transport)};
    log::debug("{}: trying {} {}:{} ({})", target.locate, one.transport, one.host, one.port,
               t->host);
    auto r = run_one(ex, one);
    // Only a target that could not be reached at all is left for the next (§4.3); once the
    // request went out, its outcome is the answer.
    if (r || r.error().code != Errc::io || ex.response()) return r;
    last = r.error();
  }
  return Unexpected{last};
}

namespace {
Result<void> run_one(ua::Exchange& ex, const ClientTarget& target) {
  asio::io_context io{1};
  auto addr = resolve(io, target);
  if (!addr) return Unexpected{addr.error()};
  boost::system::error_code ec;
  std::optional<Error> failure;
  asio::steady_timer overall{io};
  overall.expires_after(target.timeout);
  overall.async_wait([&](boost::system::error_code e) {
    if (e) return;
    failure =
        Error{Errc::limit, "timed out after " + std::to_string(target.timeout.count()) + " s"};
    io.stop();
  });

  if (target.transport == "UDP") {
    udp::socket sock{io};
    sock.connect(udp::endpoint{*addr, target.port}, ec);
    if (ec) return fail(Errc::io, "udp: " + ec.message());
    auto local = sock.local_endpoint(ec);
    ex.set_local("UDP", host_port(local.address(), local.port()));
    std::array<char, 65536> buf{};
    auto send = [&](std::string bytes) { sock.send(asio::buffer(bytes), 0, ec); };
    Driver<decltype(send)> d{ex, io, asio::steady_timer{io}, {}, send};
    std::function<void()> receive = [&] {
      sock.async_receive(asio::buffer(buf), [&](boost::system::error_code e, size_t n) {
        if (e) return;
        if (auto m = sip::parse_datagram(std::string_view{buf.data(), n})) d.deliver(*m);
        receive();
      });
    };
    receive();
    d.sendall(ex.start(d.clock.now()));
    io.run();
  } else {
    // Stream transports: plain TCP or TLS over it.
    tcp::socket sock{io};
    sock.connect(tcp::endpoint{*addr, target.port}, ec);
    if (ec) return fail(Errc::io, "connect " + host_port(*addr, target.port) + ": " + ec.message());
    auto local = sock.local_endpoint(ec);
    ex.set_local(target.transport, host_port(local.address(), local.port()));
    std::unique_ptr<asio::ssl::context> ctx;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
    if (target.transport == "TLS") {
      auto native = crypto::make_client_context(target.ca_file);
      if (!native) return Unexpected{native.error()};
      ctx = std::make_unique<asio::ssl::context>(
          static_cast<asio::ssl::context::native_handle_type>(*native));
      tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(sock, *ctx);
      crypto::set_server_name(tls->native_handle(), target.server_name);
      tls->handshake(asio::ssl::stream_base::client, ec);
      if (ec)
        return fail(Errc::io, "TLS handshake with " + target.server_name + ": " + ec.message());
      // REQ-PART TLS-2: the name we meant to reach, exactly, in a SubjectAltName.
      auto der = crypto::peer_certificate(tls->native_handle());
      auto cert = crypto::Certificate::from_der(der);
      if (!cert) return fail(Errc::crypto, "server certificate: " + cert.error().detail);
      auto v = pki::check_tls_server(*cert, target.server_name);
      if (!v.ok()) {
        tls->shutdown(ec);
        return fail(Errc::crypto,
                    "server certificate does not name " + target.server_name + ": " + v.reason());
      }
    }
    sip::Parser parser{sip::ParserLimits{}};
    std::array<char, 16384> buf{};
    std::deque<std::string> queue;
    auto write_next = std::make_shared<std::function<void()>>();
    *write_next = [&] {
      auto done = [&](boost::system::error_code e, size_t) {
        if (e) {
          failure = Error{Errc::io, "send: " + e.message()};
          io.stop();
          return;
        }
        queue.pop_front();
        if (!queue.empty()) (*write_next)();
      };
      if (tls) {
        asio::async_write(*tls, asio::buffer(queue.front()), done);
      } else {
        asio::async_write(sock, asio::buffer(queue.front()), done);
      }
    };
    auto send = [&](std::string bytes) {
      queue.push_back(std::move(bytes));
      if (queue.size() == 1) (*write_next)();
    };
    Driver<decltype(send)> d{ex, io, asio::steady_timer{io}, {}, send};
    std::function<void()> receive = [&] {
      auto got = [&](boost::system::error_code e, size_t n) {
        if (e) {
          if (ex.state() == ua::Exchange::State::running) {
            failure = Error{Errc::io, "connection closed: " + e.message()};
          }
          io.stop();
          return;
        }
        std::string_view data{buf.data(), n};
        while (!data.empty()) {
          auto step = parser.feed(data);
          data.remove_prefix(step.consumed);
          if (step.status == sip::ParseStatus::done) d.deliver(parser.take());
          if (step.status == sip::ParseStatus::invalid) {
            failure = Error{Errc::parse, "unframeable reply: " + step.reason};
            io.stop();
            return;
          }
        }
        receive();
      };
      if (tls) {
        tls->async_read_some(asio::buffer(buf), got);
      } else {
        sock.async_read_some(asio::buffer(buf), got);
      }
    };
    receive();
    d.sendall(ex.start(d.clock.now()));
    io.run();
  }
  if (failure) return Unexpected{*failure};
  return {};
}
}  // namespace

}  // namespace sipcred::net
