// The one table of the SIP headers sipcred knows: canonical name, compact form, how a value is
// split and parsed, and the RFC that defines it. Lookup, list splitting, validation and the
// supported-headers list in docs/ all come from it (STYLE.md §5).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.hpp"

namespace sipcred::sip {

enum class HeaderId : uint8_t {
  unknown = 0,
  accept,
  accept_encoding,
  accept_language,
  alert_info,
  allow,
  allow_events,
  authentication_info,
  authorization,
  call_id,
  call_info,
  contact,
  content_disposition,
  content_encoding,
  content_id,
  content_language,
  content_length,
  content_transfer_encoding,
  content_type,
  cseq,
  date,
  error_info,
  event,
  expires,
  from,
  identity,
  identity_info,
  in_reply_to,
  max_forwards,
  mime_version,
  min_expires,
  organization,
  priority,
  proxy_authenticate,
  proxy_authorization,
  proxy_require,
  record_route,
  reply_to,
  require,
  retry_after,
  route,
  server,
  sip_etag,
  sip_if_match,
  subject,
  subscription_state,
  supported,
  timestamp,
  to,
  unsupported,
  user_agent,
  via,
  warning,
  www_authenticate,
  count_  // keep last
};

enum class HeaderKind : uint8_t {
  single,  // one value per header field; commas are part of the value
  list,    // comma-separated list: every element is its own field (RFC 3261 §7.3.1)
  multi,   // may repeat as separate fields but is never split on commas (auth headers)
};

struct HeaderInfo {
  HeaderId id;
  std::string_view name;  // canonical long form, written on every message we generate
  char compact;           // compact form (RFC 3261 §7.3.3 and later RFCs), 0 when none
  HeaderKind kind;
  std::string_view syntax;  // the ABNF rule a value follows
  std::string_view rfc;     // where it is defined
  // Checks one value (one list element) against its syntax; nullptr: kept as opaque text.
  Result<void> (*check)(std::string_view value);
};

const HeaderInfo& header_info(HeaderId id);
std::span<const HeaderInfo> header_table();

// Case-insensitive lookup of a long or compact header name; HeaderId::unknown when unknown.
HeaderId lookup_header(std::string_view name);

}  // namespace sipcred::sip
