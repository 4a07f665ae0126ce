// name-addr / addr-spec and the other header-value parsers that take free text.
#include <string>
#include <string_view>

#include "fuzz/registry.hpp"
#include "sip/headers.hpp"
#include "sip/name_addr.hpp"

namespace sip = sipcred::sip;

SIPCRED_FUZZ_TARGET(name_addr) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto na = sip::parse_name_addr(text);
  if (na) (void)na->display();
  (void)sip::parse_via(text);
  (void)sip::parse_auth(text);
  (void)sip::parse_date(text);
  (void)sip::parse_identity(text);
  return 0;
}
