#include "core/clock.hpp"

namespace sipcred {

// The one place outside src/net/ that reads the real clock (scripts/lint.sh allows it).
TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now());
}

WallTime SystemClock::wall_now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace sipcred
