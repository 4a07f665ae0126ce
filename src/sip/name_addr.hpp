// ( name-addr / addr-spec ) *( SEMI generic-param ), the shape of From, To, Contact, Route,
// Record-Route and Reply-To (RFC 3261 §20, §25.1). Views point into the parsed text.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/scanner.hpp"
#include "sip/uri.hpp"

namespace sipcred::sip {

struct NameAddr {
  std::string_view display_name;  // as written: a quoted-string keeps its quotes; may be empty
  Uri uri;
  bool bracketed = false;  // written as name-addr ("<...>")
  Params params;           // header parameters (tag, expires, q, ...) after the address

  // The display name without quotes and quoted-pairs.
  std::string display() const;
  std::string_view tag() const { return params.value("tag").value_or(std::string_view{}); }
};

Result<NameAddr> parse_name_addr(std::string_view value);

}  // namespace sipcred::sip
