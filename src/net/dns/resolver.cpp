// c-ares on the Asio loop: c-ares reports which sockets it wants watched through its socket
// state callback; each becomes a posix::stream_descriptor (borrowed, never closed by us) whose
// readiness waits call ares_process_fd, and one steady_timer follows ares_timeout() for
// retransmissions and timeouts. Everything runs on the loop's thread: no locks, no second thread.
// Why this rather than a c-ares event thread: docs/dns.md.
#include "net/dns/resolver.hpp"

#include <ares.h>
#include <arpa/inet.h>

#include <boost/asio.hpp>
#include <map>
#include <mutex>
#include <random>

#include "core/log.hpp"
#include "sip/uri.hpp"

namespace sipcred::net::dns {

namespace asio = boost::asio;

namespace {

// A descriptor c-ares owns and we watch. `closed` is set when c-ares gives the socket up, so
// that a completion still queued for it does nothing.
struct Watch {
  Watch(asio::io_context& io, ares_socket_t s) : fd(s), desc(io) {}
  ares_socket_t fd;
  asio::posix::stream_descriptor desc;
  bool want_read = false;
  bool want_write = false;
  bool reading = false;
  bool writing = false;
  bool closed = false;
};

AnswerStatus status_of(int code) {
  switch (code) {
    case ARES_ENODATA:
      return AnswerStatus::no_data;
    case ARES_ENOTFOUND:
      return AnswerStatus::nxdomain;
    case ARES_ETIMEOUT:
      return AnswerStatus::timeout;
    default:
      return AnswerStatus::failure;
  }
}

Answer failed(int code) {
  Answer a;
  a.status = status_of(code);
  a.detail = ares_strerror(code);
  return a;
}

std::string text_of(const unsigned char* s) {
  return s == nullptr ? std::string{} : std::string{reinterpret_cast<const char*>(s)};
}

// Records from a reply c-ares has checked against the query (id, question). c-ares parses the
// wire format; we only copy its results into our values.
Answer parse_reply(RrType type, const unsigned char* buf, int len) {
  Answer a;
  a.status = AnswerStatus::ok;
  int rc = ARES_SUCCESS;
  switch (type) {
    case RrType::a: {
      // A 64 KiB message holds fewer than 4096 A records.
      std::vector<ares_addrttl> ttls(4096);
      int n = static_cast<int>(ttls.size());
      rc = ares_parse_a_reply(buf, len, nullptr, ttls.data(), &n);
      if (rc != ARES_SUCCESS) break;
      for (int i = 0; i < n; ++i) {
        char text[INET_ADDRSTRLEN];
        if (inet_ntop(AF_INET, &ttls[i].ipaddr, text, sizeof text)) a.addresses.emplace_back(text);
      }
      break;
    }
    case RrType::aaaa: {
      std::vector<ares_addr6ttl> ttls(2048);
      int n = static_cast<int>(ttls.size());
      rc = ares_parse_aaaa_reply(buf, len, nullptr, ttls.data(), &n);
      if (rc != ARES_SUCCESS) break;
      for (int i = 0; i < n; ++i) {
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(AF_INET6, &ttls[i].ip6addr, text, sizeof text))
          a.addresses.emplace_back(text);
      }
      break;
    }
    case RrType::srv: {
      ares_srv_reply* reply = nullptr;
      rc = ares_parse_srv_reply(buf, len, &reply);
      if (rc != ARES_SUCCESS) break;
      for (auto* r = reply; r != nullptr; r = r->next) {
        a.srv.push_back(SrvRecord{r->priority, r->weight, r->port, r->host ? r->host : ""});
      }
      ares_free_data(reply);
      break;
    }
    case RrType::naptr: {
      ares_naptr_reply* reply = nullptr;
      rc = ares_parse_naptr_reply(buf, len, &reply);
      if (rc != ARES_SUCCESS) break;
      for (auto* r = reply; r != nullptr; r = r->next) {
        a.naptr.push_back(NaptrRecord{r->order, r->preference, text_of(r->flags),
                                      text_of(r->service), text_of(r->regexp),
                                      r->replacement ? r->replacement : ""});
      }
      ares_free_data(reply);
      break;
    }
  }
  if (rc != ARES_SUCCESS) return failed(rc);
  if (a.addresses.empty() && a.srv.empty() && a.naptr.empty()) a.status = AnswerStatus::no_data;
  return a;
}

// "IPV4[:PORT]" or "[IPV6][:PORT]" → c-ares' CSV element, which has the same syntax; checked
// here so that a typo is a configuration error with the entry named.
Result<std::string> server_entry(const std::string& text) {
  std::string host = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return fail(Errc::config, "DNS server '" + text + "'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return fail(Errc::config, "DNS server '" + text + "'");
      port = text.substr(close + 2);
    }
    in6_addr a6;
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) {
      return fail(Errc::config, "DNS server '" + text + "' is not an IPv6 address");
    }
  } else {
    size_t colon = text.find(':');
    if (colon != std::string::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
    }
    in_addr a4;
    if (inet_pton(AF_INET, host.c_str(), &a4) != 1) {
      return fail(Errc::config, "DNS server '" + text + "' is not an IPv4 address");
    }
  }
  if (!port.empty()) {
    unsigned long value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) return fail(Errc::config, "port of '" + text + "'");
      value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value == 0 || value > 65535 || port.size() > 5) {
      return fail(Errc::config, "port of '" + text + "'");
    }
  }
  bool v6 = !text.empty() && text.front() == '[';
  return (v6 ? "[" + host + "]" : host) + ":" + (port.empty() ? "53" : port);
}

}  // namespace

struct Resolver::Impl : std::enable_shared_from_this<Impl> {
  explicit Impl(asio::io_context& context) : io(context), timer(context) {}

  asio::io_context& io;
  ares_channel channel = nullptr;
  asio::steady_timer timer;
  std::map<ares_socket_t, std::shared_ptr<Watch>> watches;
  Random random;

  // One query in flight; c-ares owns the pointer until its callback.
  struct Pending {
    std::weak_ptr<Impl> impl;
    RrType type;
    AnswerCallback callback;
  };

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Impl*>(data)->socket_state(fd, readable != 0, writable != 0);
  }

  void socket_state(ares_socket_t fd, bool readable, bool writable) {
    auto it = watches.find(fd);
    if (!readable && !writable) {
      // c-ares is about to close the socket: stop watching it (release() cancels the waits and
      // leaves the descriptor open, since it is c-ares' to close).
      if (it != watches.end()) {
        it->second->closed = true;
        it->second->desc.release();
        watches.erase(it);
      }
      return;
    }
    if (it == watches.end()) {
      auto w = std::make_shared<Watch>(io, fd);
      boost::system::error_code ec;
      w->desc.assign(fd, ec);
      if (ec) {
        log::warn("dns: cannot watch socket {}: {}", fd, ec.message());
        return;  // c-ares' own timeout will end the query
      }
      it = watches.emplace(fd, std::move(w)).first;
    }
    it->second->want_read = readable;
    it->second->want_write = writable;
    arm(it->second);
  }

  void arm(const std::shared_ptr<Watch>& w) {
    if (w->want_read && !w->reading) {
      w->reading = true;
      w->desc.async_wait(asio::posix::descriptor_base::wait_read,
                         [self = weak_from_this(), w](const boost::system::error_code& ec) {
                           w->reading = false;
                           if (ec || w->closed) return;
                           if (auto impl = self.lock()) impl->process(w, w->fd, ARES_SOCKET_BAD);
                         });
    }
    if (w->want_write && !w->writing) {
      w->writing = true;
      w->desc.async_wait(asio::posix::descriptor_base::wait_write,
                         [self = weak_from_this(), w](const boost::system::error_code& ec) {
                           w->writing = false;
                           if (ec || w->closed) return;
                           if (auto impl = self.lock()) impl->process(w, ARES_SOCKET_BAD, w->fd);
                         });
    }
  }

  void process(const std::shared_ptr<Watch>& w, ares_socket_t read_fd, ares_socket_t write_fd) {
    ares_process_fd(channel, read_fd, write_fd);
    if (!w->closed) arm(w);  // still wanted: wait for the next datagram or write window
    schedule_timer();
  }

  // One timer for every query: c-ares says when the earliest retransmission or timeout is due.
  void schedule_timer() {
    timeval tv{};
    if (ares_timeout(channel, nullptr, &tv) == nullptr) {
      timer.cancel();
      return;
    }
    timer.expires_after(std::chrono::seconds{tv.tv_sec} + std::chrono::microseconds{tv.tv_usec});
    timer.async_wait([self = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      auto impl = self.lock();
      if (!impl) return;
      ares_process_fd(impl->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      impl->schedule_timer();
    });
  }

  static void on_reply(void* arg, int status, int /*timeouts*/, unsigned char* buf, int len) {
    std::unique_ptr<Pending> p{static_cast<Pending*>(arg)};
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;  // resolver going away
    auto impl = p->impl.lock();
    if (!impl) return;
    Answer answer = status == ARES_SUCCESS ? parse_reply(p->type, buf, len) : failed(status);
    // Always through the loop: c-ares may call back from inside ares_query itself.
    asio::post(impl->io, [self = p->impl, cb = std::move(p->callback), a = std::move(answer)] {
      if (self.lock()) cb(a);
    });
  }

  void query(const Query& q, AnswerCallback callback) {
    auto* p = new Pending{weak_from_this(), q.type, std::move(callback)};
    // RFC 1035 §3.2.4: class IN is 1. ares_query (not ares_search): names are absolute here,
    // no search list or ndots applies to a SIP domain.
    ares_query(channel, q.name.c_str(), 1, static_cast<int>(q.type), &Impl::on_reply, p);
    schedule_timer();
  }

  void shutdown() {
    if (channel != nullptr) {
      ares_destroy(channel);  // calls back pending queries with ARES_EDESTRUCTION, closes sockets
      channel = nullptr;
    }
    timer.cancel();
    for (auto& [fd, w] : watches) {  // none should be left; never let Asio close c-ares' fds
      w->closed = true;
      w->desc.release();
    }
    watches.clear();
  }
};

Result<std::unique_ptr<Resolver>> Resolver::create(asio::io_context& io, ResolverConfig config) {
  static std::once_flag once;
  static int init_status = ARES_SUCCESS;
  std::call_once(once, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (init_status != ARES_SUCCESS) {
    return fail(Errc::io, std::string{"c-ares: "} + ares_strerror(init_status));
  }

  std::string csv;
  for (const auto& s : config.servers) {
    auto entry = server_entry(s);
    if (!entry) return Unexpected{entry.error()};
    if (!csv.empty()) csv += ",";
    csv += *entry;
  }

  auto impl = std::make_shared<Impl>(io);
  ares_options opts{};
  opts.sock_state_cb = &Impl::on_socket_state;
  opts.sock_state_cb_data = impl.get();
  opts.timeout = static_cast<int>(config.timeout.count());
  opts.tries = config.tries;
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  int rc = ares_init_options(&impl->channel, &opts, mask);
  if (rc != ARES_SUCCESS) return fail(Errc::io, std::string{"c-ares: "} + ares_strerror(rc));
  if (!csv.empty()) {
    rc = ares_set_servers_ports_csv(impl->channel, csv.c_str());
    if (rc != ARES_SUCCESS) {
      impl->shutdown();
      return fail(Errc::config, "DNS servers '" + csv + "': " + ares_strerror(rc));
    }
  }
  if (config.random) {
    impl->random = std::move(config.random);
  } else {
    auto prng = std::make_shared<std::mt19937>(std::random_device{}());
    impl->random = [prng](uint32_t max) {
      return std::uniform_int_distribution<uint32_t>{0, max}(*prng);
    };
  }
  auto resolver = std::unique_ptr<Resolver>(new Resolver(std::move(impl)));
  resolver->locator_ = std::move(config.locator);
  return resolver;
}

Resolver::Resolver(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Resolver::~Resolver() {
  impl_->shutdown();
}

void Resolver::query(const Query& q, AnswerCallback callback) {
  impl_->query(q, std::move(callback));
}

namespace {

// One location in progress: the Locator and who wants the result.
struct Job {
  Locator locator;
  Resolver::TargetsCallback callback;
};

}  // namespace

void Resolver::drive(Locator locator, TargetsCallback callback) {
  auto job = std::make_shared<Job>(Job{std::move(locator), std::move(callback)});
  std::weak_ptr<Impl> weak = impl_;
  // Feeds answers back until the Locator is done; each step runs on the loop.
  auto step = std::make_shared<std::function<void()>>();
  *step = [job, weak, step_weak = std::weak_ptr<std::function<void()>>(step)] {
    auto impl = weak.lock();
    if (!impl) return;
    if (job->locator.done()) {
      auto cb = std::move(job->callback);
      cb(job->locator.result());
      return;
    }
    for (auto& q : job->locator.take_queries()) {
      auto next = step_weak.lock();
      impl->query(q, [job, q, next](const Answer& a) {
        job->locator.on_answer(q, a);
        (*next)();
      });
    }
  };
  // The first step goes through the loop too, so that a numeric host (no query at all) still
  // answers asynchronously.
  asio::post(impl_->io, [step] { (*step)(); });
}

void Resolver::resolve_sip(std::string_view uri_text, TargetsCallback callback) {
  std::string text{uri_text};
  auto uri = sip::parse_uri(text);
  Result<Locator> loc =
      uri ? Locator::sip(*uri, locator_, impl_->random)
          : Result<Locator>{fail(Errc::invalid_argument, "not a URI: " + uri.error().detail)};
  if (!loc) {
    std::weak_ptr<Impl> weak = impl_;
    asio::post(impl_->io, [weak, cb = std::move(callback), e = loc.error()] {
      if (weak.lock()) cb(Unexpected{e});
    });
    return;
  }
  drive(std::move(*loc), std::move(callback));
}

void Resolver::resolve_srv_or_default(std::string_view service, std::string_view domain,
                                      uint16_t default_port, TargetsCallback callback,
                                      std::string_view default_host) {
  std::string d{domain};
  if (!d.empty() && d.back() == '.') d.pop_back();
  std::string name = std::string{service} + "." + d;
  bool udp = service.size() >= 5 && service.substr(service.size() - 5) == "._udp";
  drive(Locator::srv_or_default(name, default_host.empty() ? d : std::string{default_host},
                                default_port, udp ? Transport::udp : Transport::tcp, locator_,
                                impl_->random),
        std::move(callback));
}

void Resolver::resolve_certificate_store(std::string_view domain, TargetsCallback callback) {
  drive(Locator::certificate_store(domain, locator_, impl_->random), std::move(callback));
}

}  // namespace sipcred::net::dns
