// Helper of tests/integration/store_crash_test.sh: keeps the store busy with changes until it is
// killed with SIGKILL, and reports on stdout, one write(2) per line, what it submitted and — only
// from the commit callback — what the store acknowledged. The script then checks the file with
// the sqlite3 CLI: every acknowledged change is there and nothing was invented or half-written.
//
//   store_crash_writer DB RUN      run number RUN (makes submitted certificates unique)
//   store_crash_writer DB check    open the database once and print each AOR's current etag
//
// Lines:  ready | sub TAG | ack publish ETAG TAG | ack refresh ETAG | ack revoke ETAG|none
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "store/store.hpp"

namespace {

using namespace sipcred;
using namespace std::chrono_literals;

constexpr int kAors = 16;
constexpr int kInFlight = 64;  // like 64 PUBLISH transactions waiting for their 2xx

void say(const std::string& line) {
  std::string l = line + "\n";
  // One write per line: the kernel keeps it whole even when the process dies right after.
  if (::write(1, l.data(), l.size()) != static_cast<ssize_t>(l.size())) _exit(3);
}

std::string aor(int i) {
  return "sip:u" + std::to_string(i) + "@example.com";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: store_crash_writer DB RUN|check\n");
    return 2;
  }
  auto opened = store::open_sqlite({.path = argv[1]});
  if (!opened) {
    std::fprintf(stderr, "open: %s\n", opened.error().message().c_str());
    return 1;
  }
  store::Store& s = **opened;
  std::string run = argv[2];
  // The store is handed time; this fake clock only needs to move forward within a run.
  const WallTime t0{1'700'000'000s};
  if (run == "check") {
    for (int i = 0; i < kAors; ++i) {
      auto c = s.current(aor(i), t0 + 10'000'000s);
      if (!c) {
        std::fprintf(stderr, "read: %s\n", c.error().message().c_str());
        return 1;
      }
      say(aor(i) + " " + (*c ? (*c)->etag : std::string("none")));
    }
    return 0;
  }
  const WallTime base = t0 + std::stoi(run) * 100'000s;

  std::mutex m;
  std::condition_variable cv;
  int in_flight = 0;
  std::map<int, std::string> etags;  // what this process believes is current, per AOR
  for (int i = 0; i < kAors; ++i) {
    auto c = s.current(aor(i), base);
    if (c && *c) etags[i] = (*c)->etag;
  }
  say("ready");

  std::mt19937 rng(static_cast<unsigned>(std::stoi(run)));
  for (long n = 0;; ++n) {
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return in_flight < kInFlight; });
      ++in_flight;
    }
    int a = static_cast<int>(rng() % kAors);
    std::string known;
    {
      std::lock_guard lock(m);
      if (etags.count(a)) known = etags[a];
    }
    WallTime now = base + std::chrono::seconds{n / 100};
    store::Actor actor{"u" + std::to_string(a), "127.0.0.1:5061/TLS"};
    unsigned dice = rng() % 100;
    auto finish = [&, a](const std::string& line, std::optional<std::string> etag) {
      std::lock_guard lock(m);
      if (!line.empty()) say(line);
      if (etag) {
        if (etag->empty()) {
          etags.erase(a);
        } else {
          etags[a] = *etag;
        }
      }
      --in_flight;
      cv.notify_one();
    };
    if (dice < 60 || known.empty()) {
      std::string tag = "r" + run + "-" + std::to_string(n);
      say("sub " + tag);
      store::Publish p;
      p.aor = aor(a);
      p.certificate.assign(tag.begin(), tag.end());
      if (dice % 2 == 0) p.pkcs8 = store::Bytes(600, static_cast<uint8_t>(n));
      p.if_match = dice < 30 ? known : std::string();
      p.not_before = now - 300s;
      p.not_after = now + 24h * 90;
      p.expires = now + 24h * 30;
      p.actor = actor;
      s.submit(std::move(p), now, [finish, tag](Result<store::Applied> r) {
        if (r) {
          finish("ack publish " + r->current->etag + " " + tag, r->current->etag);
        } else {
          finish("", std::nullopt);
        }
      });
    } else if (dice < 85) {
      s.submit(store::Refresh{aor(a), known, now + 24h * 30, actor}, now,
               [finish](Result<store::Applied> r) {
                 if (r) {
                   finish("ack refresh " + r->current->etag, r->current->etag);
                 } else {
                   finish("", std::nullopt);
                 }
               });
    } else {
      s.submit(store::Revoke{aor(a), known, actor, "crash test"}, now,
               [finish](Result<store::Applied> r) {
                 if (r) {
                   finish("ack revoke " + (r->previous ? r->previous->etag : "none"),
                          std::string());
                 } else {
                   finish("", std::nullopt);
                 }
               });
    }
  }
}
