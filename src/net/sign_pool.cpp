#include "net/sign_pool.hpp"

#include <boost/asio/post.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>

#include "identity/identity.hpp"

namespace sipcred::net {

struct SignPool::Shared {
  Shared(boost::asio::io_context& i, std::function<WallTime()> w,
         std::function<void(std::vector<Signed>)> d)
      : io(i), wall(std::move(w)), on_done(std::move(d)) {}

  boost::asio::io_context& io;
  std::function<WallTime()> wall;
  std::function<void(std::vector<Signed>)> on_done;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<service::SignRequest> jobs;
  std::vector<Signed> done;  // posted to io when the first result joins it
  bool stopping = false;

  static void work(const std::shared_ptr<Shared>& s) {
    std::unique_lock lock{s->mutex};
    for (;;) {
      s->wake.wait(lock, [&] { return s->stopping || !s->jobs.empty(); });
      if (s->stopping) return;
      service::SignRequest job = std::move(s->jobs.front());
      s->jobs.pop_front();
      lock.unlock();
      Signed r{job.id, identity::AuthenticationService::sign(job.job, s->wall())};
      lock.lock();
      bool first = s->done.empty();
      s->done.push_back(std::move(r));
      // Later results join this list until the I/O thread takes it: one post per batch.
      if (first) boost::asio::post(s->io, [s] { deliver(s); });
    }
  }

  static void deliver(const std::shared_ptr<Shared>& s) {
    std::vector<Signed> batch;
    {
      std::lock_guard lock{s->mutex};
      if (s->stopping) return;
      batch.swap(s->done);
    }
    if (!batch.empty()) s->on_done(std::move(batch));
  }
};

SignPool::SignPool(boost::asio::io_context& io, unsigned threads, std::function<WallTime()> wall,
                   std::function<void(std::vector<Signed>)> on_done)
    : shared_(std::make_shared<Shared>(io, std::move(wall), std::move(on_done))) {
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([s = shared_] { Shared::work(s); });
  }
}

SignPool::~SignPool() {
  {
    std::lock_guard lock{shared_->mutex};
    shared_->stopping = true;
  }
  shared_->wake.notify_all();
  for (auto& t : threads_) t.join();
}

void SignPool::submit(std::vector<service::SignRequest> jobs) {
  if (jobs.empty()) return;
  size_t n = jobs.size();
  {
    std::lock_guard lock{shared_->mutex};
    for (auto& j : jobs) shared_->jobs.push_back(std::move(j));
  }
  // One wake for a single job; more wake every worker, each of which keeps taking jobs until
  // the queue is empty (a worker already awake takes the next one without any wake at all).
  if (n == 1) {
    shared_->wake.notify_one();
  } else {
    shared_->wake.notify_all();
  }
}

}  // namespace sipcred::net
