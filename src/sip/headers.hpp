// Parsed views of the header values sipcred uses, one function per ABNF rule of the RFC that
// defines the header. Each takes one header value (one element of a list header) and returns
// views into it: the value must outlive the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sip/name_addr.hpp"
#include "sip/scanner.hpp"
#include "sip/uri.hpp"

namespace sipcred::sip {

// via-parm = sent-protocol LWS sent-by *( SEMI via-params )   (RFC 3261 §20.42)
struct Via {
  std::string_view protocol_name;     // "SIP"
  std::string_view protocol_version;  // "2.0"
  std::string_view transport;         // UDP / TCP / TLS / SCTP / other-transport
  Host host;
  std::optional<uint16_t> port;
  Params params;  // branch, received, rport, maddr, ttl, ...

  std::string_view branch() const { return params.value("branch").value_or(std::string_view{}); }
};
Result<Via> parse_via(std::string_view value);

// CSeq = 1*DIGIT LWS Method   (RFC 3261 §20.16; the number is below 2**31, §8.1.1.5)
struct CSeq {
  uint32_t number = 0;
  std::string_view method;
};
Result<CSeq> parse_cseq(std::string_view value);

// callid = word [ "@" word ]   (RFC 3261 §20.8)
Result<std::string_view> parse_call_id(std::string_view value);

// delta-seconds and the other 1*DIGIT headers (Expires, Min-Expires, Max-Forwards,
// Content-Length), bounded by `max`.
Result<uint32_t> parse_uint(std::string_view value, uint32_t max);

// Event = event-type *( SEMI event-param )   (RFC 6665 §8.4; "id", and "etag" of RFC 6072)
struct Event {
  std::string_view package;  // event-type: event-package *( "." event-template )
  Params params;
  std::string_view id() const { return params.value("id").value_or(std::string_view{}); }
};
Result<Event> parse_event(std::string_view value);

// Subscription-State = substate-value *( SEMI subexp-params )   (RFC 6665 §8.4)
struct SubscriptionState {
  std::string_view state;  // active / pending / terminated / extension-substate
  Params params;           // reason, expires, retry-after
};
Result<SubscriptionState> parse_subscription_state(std::string_view value);

// media-type / media-range with parameters (Content-Type RFC 3261 §20.15, Accept §20.1).
struct MediaType {
  std::string_view type;
  std::string_view subtype;
  Params params;
  bool matches(std::string_view t, std::string_view s) const;  // honours "*" wildcards
};
Result<MediaType> parse_media_type(std::string_view value, bool allow_wildcards = false);

// Content-Disposition = disp-type *( SEMI disp-param )   (RFC 3261 §20.11; "signal" RFC 3204)
struct Disposition {
  std::string_view type;
  Params params;  // handling=optional|required
};
Result<Disposition> parse_content_disposition(std::string_view value);

// challenge / credentials / Authentication-Info: an auth scheme followed by comma-separated
// auth-params (RFC 3261 §20.7, §20.44, RFC 7616 §3.3-§3.5). Authentication-Info has no scheme.
struct AuthField {
  std::string_view scheme;  // "Digest"; empty for Authentication-Info
  Params params;            // values keep their quotes; use unquote() on quoted ones
};
Result<AuthField> parse_auth(std::string_view value, bool has_scheme = true);

// rfc1123-date = wkday "," SP date1 SP time SP "GMT"   (RFC 3261 §20.17)
Result<WallTime> parse_date(std::string_view value);

// entity-tag = token   (SIP-ETag, SIP-If-Match: RFC 3903 §11.3, §11.4)
Result<std::string_view> parse_entity_tag(std::string_view value);

// Identity: RFC 4474 §9 `DQUOTE base64 DQUOTE`, or RFC 8224 §4.1
// `signed-identity-digest *( SEMI ident-info-params )` (info=<URI>, alg, ppt).
struct Identity {
  bool rfc8224 = false;
  std::string_view signature;  // RFC 4474: the base64 text without quotes; RFC 8224: the JWS
  std::string_view info_uri;   // RFC 8224 info= without the angle brackets
  Params params;
};
Result<Identity> parse_identity(std::string_view value);

// Identity-Info = ident-info *( SEMI ident-info-params ); ident-info = LAQUOT absoluteURI RAQUOT
// (RFC 4474 §9; alg=rsa-sha1 / rsa-sha256)
struct IdentityInfo {
  std::string_view uri;
  Params params;
};
Result<IdentityInfo> parse_identity_info(std::string_view value);

// Retry-After = delta-seconds [ comment ] *( SEMI retry-param )   (RFC 3261 §20.33)
struct RetryAfter {
  uint32_t seconds = 0;
  std::string_view comment;
  Params params;
};
Result<RetryAfter> parse_retry_after(std::string_view value);

// warning-value = warn-code SP warn-agent SP warn-text   (RFC 3261 §20.43)
struct Warning {
  uint16_t code = 0;
  std::string_view agent;
  std::string_view text;  // with quotes
};
Result<Warning> parse_warning(std::string_view value);

// A single token (Supported/Require/Unsupported/Allow/Allow-Events elements, methods).
Result<std::string_view> parse_token(std::string_view value);

}  // namespace sipcred::sip
