// The test zone of tests/data/dns/zone.txt: answers a Locator's queries from its lines (unit
// tests) and turns the same lines into dnsmasq options (resolver tests), so both kinds of test
// speak about one set of records.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/dns/records.hpp"
#include "support/files.hpp"

namespace sipcred::test {

class DnsZone {
 public:
  static DnsZone load(const std::string& file = "zone.txt") {
    DnsZone zone;
    std::istringstream in{read_file(data_dir() / "dns" / file)};
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream words{line};
      std::vector<std::string> w;
      for (std::string s; words >> s;) w.push_back(s == "\"\"" ? "" : s);
      if (w.size() < 3) throw std::runtime_error("zone line: " + line);
      zone.lines_.push_back(w);
      zone.names_.insert(w[1]);
    }
    return zone;
  }

  // NOERROR with the records of that type; NOERROR/no data for a name that has other records;
  // NXDOMAIN for a name with none (what an authoritative server says, RFC 2308 §2).
  net::dns::Answer answer(const net::dns::Query& q) const {
    using net::dns::RrType;
    net::dns::Answer a;
    a.status =
        names_.count(q.name) ? net::dns::AnswerStatus::no_data : net::dns::AnswerStatus::nxdomain;
    for (const auto& w : lines_) {
      if (w[1] != q.name) continue;
      if (q.type == RrType::naptr && w[0] == "NAPTR") {
        a.naptr.push_back({num(w[2]), num(w[3]), w[4], w[5], w[6], w[7]});
      } else if (q.type == RrType::srv && w[0] == "SRV") {
        a.srv.push_back({num(w[2]), num(w[3]), num(w[4]), w[5]});
      } else if ((q.type == RrType::a && w[0] == "A") ||
                 (q.type == RrType::aaaa && w[0] == "AAAA")) {
        a.addresses.push_back(w[2]);
      }
    }
    if (!a.naptr.empty() || !a.srv.empty() || !a.addresses.empty()) {
      a.status = net::dns::AnswerStatus::ok;
    }
    return a;
  }

  // dnsmasq(8) options serving these records: --naptr-record, --srv-host (no target: RFC 2782's
  // "."), --host-record. Names under `local_domain` that have no record are NXDOMAIN (--local).
  std::vector<std::string> dnsmasq_options(const std::string& local_domain) const {
    std::vector<std::string> out{"--local=/" + local_domain + "/"};
    for (const auto& w : lines_) {
      if (w[0] == "NAPTR") {
        out.push_back("--naptr-record=" + w[1] + "," + w[2] + "," + w[3] + "," + w[4] + "," + w[5] +
                      "," + w[6] + "," + w[7]);
      } else if (w[0] == "SRV") {
        if (w[5] == ".") {
          out.push_back("--srv-host=" + w[1]);
        } else {
          out.push_back("--srv-host=" + w[1] + "," + w[5] + "," + w[4] + "," + w[2] + "," + w[3]);
        }
      } else {
        out.push_back("--host-record=" + w[1] + "," + w[2]);
      }
    }
    return out;
  }

 private:
  static uint16_t num(const std::string& s) { return static_cast<uint16_t>(std::stoul(s)); }
  std::vector<std::vector<std::string>> lines_;
  std::set<std::string> names_;
};

}  // namespace sipcred::test
