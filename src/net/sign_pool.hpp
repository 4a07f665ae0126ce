// The threads that sign NOTIFYs for `sipcred serve` (REQ-PART ID-1, CERT-4): the private-key
// operation is what this service spends most on, so it runs beside the I/O thread, never on it.
// Hand-offs are batched both ways, because at ES256's ~20 µs a signature a futex wake per job
// and an io_context post per result cost as much as the signature: submit() takes every job an
// I/O turn produced under one lock and wakes the workers once; a worker takes the next job
// without sleeping while any is queued; results collect in one list that is posted to the
// io_context once, however many join it before the I/O thread takes them.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "service/service.hpp"

namespace sipcred::net {

struct Signed {
  uint64_t id = 0;
  Result<identity::IdentityHeaders> headers;
};

class SignPool {
 public:
  // `on_done` runs on `io` (its thread owns the endpoint) with the results of one or more jobs,
  // in the order they finished. `wall` is the clock the signers read for a Date they add.
  SignPool(boost::asio::io_context& io, unsigned threads, std::function<WallTime()> wall,
           std::function<void(std::vector<Signed>)> on_done);
  // Stops the workers after the job each is on and joins them. Queued jobs are dropped, and
  // results not yet taken are never delivered, even if `io` runs on.
  ~SignPool();
  SignPool(const SignPool&) = delete;
  SignPool& operator=(const SignPool&) = delete;

  void submit(std::vector<service::SignRequest> jobs);

 private:
  struct Shared;  // what the workers and the posted deliveries hold on to
  std::shared_ptr<Shared> shared_;
  std::vector<std::thread> threads_;
};

}  // namespace sipcred::net
