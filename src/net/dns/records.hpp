// DNS records as the server locator sees them, and RFC 2782's ordering of SRV records. Pure
// values: the resolver (resolver.hpp) fills them from c-ares' parsed answers, tests from files.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sipcred::net::dns {

// RFC 1035 §3.2.2 TYPE values (AAAA: RFC 3596, SRV: RFC 2782, NAPTR: RFC 3403).
enum class RrType : uint16_t { a = 1, aaaa = 28, srv = 33, naptr = 35 };
std::string_view to_string(RrType t);

struct Query {
  std::string name;  // without a trailing dot
  RrType type = RrType::a;
  auto operator<=>(const Query&) const = default;
};

// RFC 3403 §4.1 NAPTR RDATA (strings as received; c-ares has already decoded the wire form).
struct NaptrRecord {
  uint16_t order = 0;
  uint16_t preference = 0;
  std::string flags;
  std::string service;
  std::string regexp;
  std::string replacement;  // a domain name, without a trailing dot
};

// RFC 2782 SRV RDATA.
struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;  // without a trailing dot; "" or "." is RFC 2782's "service not here"
};

enum class AnswerStatus {
  ok,        // records of the type asked for
  no_data,   // the name exists, but not with this type (NOERROR, empty answer)
  nxdomain,  // the name does not exist (RCODE 3)
  timeout,   // no server answered in time
  failure,   // SERVFAIL, REFUSED, a malformed reply, a socket error
};
std::string_view to_string(AnswerStatus s);

struct Answer {
  AnswerStatus status = AnswerStatus::failure;
  std::string detail;  // for logs when status is not ok
  std::vector<NaptrRecord> naptr;
  std::vector<SrvRecord> srv;
  std::vector<std::string> addresses;  // A / AAAA as numeric text (IPv6 without brackets)
};

// A uniform random integer in [0, max] (both ends included, as RFC 2782 draws it). Injected so
// that tests can fix the draws; resolver.hpp supplies a seeded PRNG.
using Random = std::function<uint32_t(uint32_t max)>;

// RFC 2782 "Usage rules": lowest priority first; within one priority, repeatedly draw a number in
// [0, sum of the remaining weights] and take the first record whose running weight sum reaches
// it, with weight-0 records placed first so that they are chosen only rarely. Returns every
// record, ordered; the input order is the "any order" the RFC leaves open.
std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, const Random& random);

// True for RFC 2782's Target "." (c-ares hands the root name over as "" or ".").
bool is_root_target(const std::string& target);

}  // namespace sipcred::net::dns
