// The generic cell rate algorithm ("virtual scheduling" form of a token bucket), sans-I/O: one
// time stamp per key, `burst` events at once, then one more per `interval`. Used for digest
// failures per user and per source (auth, whole seconds of wall time) and for messages per
// source (the endpoint, milliseconds of steady time).
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sipcred {

template <class Time>
class Gcra {
 public:
  using Interval = typename Time::duration;

  Gcra(unsigned burst, Interval interval, size_t capacity)
      : burst_(burst), interval_(interval), capacity_(std::max<size_t>(capacity, 1)) {}

  // How long `key` must wait before its next event fits; zero when it fits now. burst 0 (or an
  // empty key) switches limiting off.
  Interval blocked_for(std::string_view key, Time now) {
    if (burst_ == 0 || key.empty()) return Interval{0};
    sweep(now);
    auto it = cells_.find(std::string{key});
    if (it == cells_.end()) return Interval{0};
    // Allowed while the debt is at most (burst - 1) intervals: one more event still fits.
    const auto tolerance = interval_ * (burst_ - 1);
    auto wait = it->second.tat - now - tolerance;
    return std::max(Interval{wait}, Interval{0});
  }

  void record(std::string_view key, Time now) {
    if (burst_ == 0 || key.empty()) return;
    sweep(now);
    std::string k{key};
    auto it = cells_.find(k);
    Time tat = now;
    if (it != cells_.end()) {
      tat = std::max(it->second.tat, now);
      by_tat_.erase(it->second.by_tat);
      cells_.erase(it);
    }
    // Debt beyond the burst adds only to the wait: capped, so that a flood cannot push a key's
    // release arbitrarily far.
    const Time cap = now + interval_ * (burst_ + 1);
    tat = std::min(Time{tat + interval_}, cap);
    auto pos = by_tat_.emplace(tat, k);
    cells_.emplace(std::move(k), Cell{tat, pos});
    // When full, the cell with the least debt goes first, so an attacker who floods keys cannot
    // wipe the debt of those that spent most.
    while (cells_.size() > capacity_) {
      cells_.erase(by_tat_.begin()->second);
      by_tat_.erase(by_tat_.begin());
    }
  }

  size_t size() const { return cells_.size(); }

 private:
  struct Cell {
    Time tat;  // theoretical arrival time: now + the debt of recent events
    typename std::multimap<Time, std::string>::iterator by_tat;
  };
  // Cells at or before now carry no debt and can go.
  void sweep(Time now) {
    while (!by_tat_.empty() && by_tat_.begin()->first <= now) {
      cells_.erase(by_tat_.begin()->second);
      by_tat_.erase(by_tat_.begin());
    }
  }

  unsigned burst_;
  Interval interval_;
  size_t capacity_;
  std::unordered_map<std::string, Cell> cells_;
  std::multimap<Time, std::string> by_tat_;
};

}  // namespace sipcred
