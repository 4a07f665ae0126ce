// Time as the protocol cores see it: they are handed `now` and never read a clock themselves
// (STYLE.md §1). Only src/net/ and src/app/ construct SystemClock; tests use ManualClock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sipcred {

using Duration = std::chrono::milliseconds;
// Monotonic time point, for timers; wall time (for Date headers, certificate validity) is kept
// apart so that a clock step never fires a timer early.
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;
using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

// "2026-11-22T06:10:05Z" (RFC 3339 in UTC), for people reading logs and tool output.
std::string to_iso8601(WallTime t);
// "Sun, 06 Nov 1994 08:49:37 GMT": RFC 1123's date in GMT, what SIP's Date (RFC 3261 §20.17)
// and HTTP's IMF-fixdate (RFC 9110 §5.6.7) both write.
std::string to_rfc1123(WallTime t);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual WallTime wall_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  WallTime wall_now() const override;
};

// A clock that moves only when told to: the fake clock of the scenario tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime wall_start = WallTime{std::chrono::seconds{1'700'000'000}})
      : wall_start_(wall_start) {}
  TimePoint now() const override { return TimePoint{elapsed_}; }
  WallTime wall_now() const override {
    return wall_start_ + std::chrono::duration_cast<std::chrono::seconds>(elapsed_);
  }
  void advance(Duration d) { elapsed_ += d; }

 private:
  WallTime wall_start_;
  Duration elapsed_{0};
};

}  // namespace sipcred
