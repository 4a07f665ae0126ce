// The store's durable write rate with and without group commit, and its read rate.
// A database file in $TMPDIR (a real disk: every COMMIT is an fsync, synchronous=FULL).
//
// DurablePublish/max_batch/in_flight: `in_flight` PUBLISHes wait for their commit at any time
// (like that many SIP transactions awaiting their 2xx); one iteration = one acknowledged
// publish. max_batch 1 turns group commit off: one transaction, one fsync per change.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>

#include "store/store.hpp"

namespace {

using namespace sipcred;
using namespace std::chrono_literals;

const WallTime kT0{1'700'000'000s};

class TempDb {
 public:
  TempDb() {
    path_ = std::filesystem::temp_directory_path() /
            ("sipcred-store-bench-" + std::to_string(::getpid()) + "-" + std::to_string(n_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDb() { std::filesystem::remove_all(path_); }
  std::string file() const { return (path_ / "store.db").string(); }

 private:
  static inline int n_ = 0;
  std::filesystem::path path_;
};

store::Publish publish(int64_t n, int aors) {
  store::Publish p;
  p.aor = "sip:user" + std::to_string(n % aors) + "@example.com";
  // Sizes of a P-256 certificate and an encrypted PKCS#8 as sipcred keygen makes them.
  p.certificate = store::Bytes(600, static_cast<uint8_t>(n));
  p.pkcs8 = store::Bytes(250, static_cast<uint8_t>(n));
  p.not_before = kT0 - 300s;
  p.not_after = kT0 + 24h * 90;
  p.expires = kT0 + 24h * 30;
  p.actor = {"user", "192.0.2.1:5061/TLS"};
  return p;
}

void DurablePublish(benchmark::State& state) {
  const auto max_batch = static_cast<size_t>(state.range(0));
  const auto in_flight_max = static_cast<int>(state.range(1));
  TempDb dir;
  auto s = store::open_sqlite({.path = dir.file(), .max_batch = max_batch});
  if (!s) {
    state.SkipWithError(s.error().message().c_str());
    return;
  }
  std::mutex m;
  std::condition_variable cv;
  int in_flight = 0;
  int64_t n = 0;
  for (auto _ : state) {
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return in_flight < in_flight_max; });
      ++in_flight;
    }
    (*s)->submit(publish(n++, 10'000), kT0, [&](Result<store::Applied> r) {
      if (!r) std::abort();
      std::lock_guard lock(m);
      --in_flight;
      cv.notify_one();
    });
  }
  (*s)->flush();
  auto st = (*s)->stats();
  state.SetItemsProcessed(state.iterations());
  state.counters["changes_per_commit"] =
      static_cast<double>(st.changes) / static_cast<double>(st.transactions);
}
BENCHMARK(DurablePublish)
    ->ArgNames({"max_batch", "in_flight"})
    ->Args({1, 1})
    ->Args({1, 64})
    ->Args({256, 1})
    ->Args({256, 64})
    ->Args({256, 256})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(3);

// Reads on a database of 100,000 AORs with one live credential each (and 100,000 replaced
// states, so the partial index has something to skip).
class Filled {
 public:
  Filled() {
    auto s = store::open_sqlite({.path = dir_.file()});
    if (!s) std::abort();
    store_ = std::move(*s);
    for (int64_t n = 0; n < 2 * kAors; ++n) store_->submit(publish(n, kAors), kT0, nullptr);
    store_->flush();
  }
  static constexpr int kAors = 100'000;
  store::Store& store() { return *store_; }

 private:
  TempDb dir_;
  std::unique_ptr<store::Store> store_;
};

Filled& filled() {
  static Filled f;
  return f;
}

void CurrentLookup(benchmark::State& state) {
  auto& s = filled().store();
  std::mt19937 rng(1);
  for (auto _ : state) {
    auto c = s.current("sip:user" + std::to_string(rng() % Filled::kAors) + "@example.com", kT0);
    if (!c || !*c) std::abort();
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
// CPU time of the calling thread, which does all the work of a read: a figure per core that
// the other jobs of a shared machine do not distort.
BENCHMARK(CurrentLookup);

void CertificatesLookup(benchmark::State& state) {
  auto& s = filled().store();
  std::mt19937 rng(2);
  for (auto _ : state) {
    auto c =
        s.certificates("sip:user" + std::to_string(rng() % Filled::kAors) + "@example.com", kT0);
    if (!c || c->size() != 1) std::abort();
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(CertificatesLookup);

}  // namespace

BENCHMARK_MAIN();
