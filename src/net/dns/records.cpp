#include "net/dns/records.hpp"

#include <algorithm>

namespace sipcred::net::dns {

std::string_view to_string(RrType t) {
  switch (t) {
    case RrType::a:
      return "A";
    case RrType::aaaa:
      return "AAAA";
    case RrType::srv:
      return "SRV";
    case RrType::naptr:
      return "NAPTR";
  }
  return "?";
}

std::string_view to_string(AnswerStatus s) {
  switch (s) {
    case AnswerStatus::ok:
      return "ok";
    case AnswerStatus::no_data:
      return "no data";
    case AnswerStatus::nxdomain:
      return "no such name";
    case AnswerStatus::timeout:
      return "timeout";
    case AnswerStatus::failure:
      return "failure";
  }
  return "?";
}

bool is_root_target(const std::string& target) {
  return target.empty() || target == ".";
}

std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, const Random& random) {
  // Priorities ascending; stable so that the received order survives within a priority.
  std::stable_sort(records.begin(), records.end(),
                   [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> out;
  out.reserve(records.size());
  auto group_begin = records.begin();
  while (group_begin != records.end()) {
    auto group_end = std::find_if(group_begin, records.end(), [&](const SrvRecord& r) {
      return r.priority != group_begin->priority;
    });
    // RFC 2782: weight-0 records go to the beginning of the list before the draws.
    std::vector<SrvRecord> group;
    std::copy_if(group_begin, group_end, std::back_inserter(group),
                 [](const SrvRecord& r) { return r.weight == 0; });
    std::copy_if(group_begin, group_end, std::back_inserter(group),
                 [](const SrvRecord& r) { return r.weight != 0; });
    while (!group.empty()) {
      uint32_t sum = 0;
      for (const auto& r : group) sum += r.weight;  // at most 65535 records × 65535: fits
      uint32_t draw = random(sum);
      if (draw > sum) draw = sum;  // a broken source must not run past the list
      uint32_t running = 0;
      size_t chosen = group.size() - 1;
      for (size_t i = 0; i < group.size(); ++i) {
        running += group[i].weight;
        if (running >= draw) {
          chosen = i;
          break;
        }
      }
      out.push_back(std::move(group[chosen]));
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    group_begin = group_end;
  }
  return out;
}

}  // namespace sipcred::net::dns
