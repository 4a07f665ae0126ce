#include "sip/header_table.hpp"

#include <array>
#include <cassert>
#include <vector>

#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/scanner.hpp"

namespace sipcred::sip {
namespace {

template <auto Parse>
Result<void> check_with(std::string_view v) {
  auto r = Parse(v);
  if (!r) return Unexpected{r.error()};
  return {};
}

Result<void> check_name_addr(std::string_view v) {
  return check_with<&parse_name_addr>(v);
}
Result<void> check_contact(std::string_view v) {
  if (trim(v) == "*") return {};  // STAR, only valid alone (checked with Expires: 0 by callers)
  return check_name_addr(v);
}
Result<void> check_media_type(std::string_view v) {
  auto r = parse_media_type(v, false);
  if (!r) return Unexpected{r.error()};
  return {};
}
Result<void> check_media_range(std::string_view v) {
  auto r = parse_media_type(v, true);
  if (!r) return Unexpected{r.error()};
  return {};
}
Result<void> check_delta(std::string_view v) {
  auto r = parse_uint(v, 0xffffffff);
  if (!r) return Unexpected{r.error()};
  return {};
}
Result<void> check_max_forwards(std::string_view v) {
  auto r = parse_uint(v, 255);
  if (!r) return Unexpected{r.error()};
  return {};
}
Result<void> check_challenge(std::string_view v) {
  auto r = parse_auth(v, true);
  if (!r) return Unexpected{r.error()};
  return {};
}
Result<void> check_auth_info(std::string_view v) {
  auto r = parse_auth(v, false);
  if (!r) return Unexpected{r.error()};
  return {};
}

using K = HeaderKind;
using H = HeaderId;

// Ordered by HeaderId so that header_info() is an index. One row a header, kept on one line.
// clang-format off
constexpr std::array<HeaderInfo, static_cast<size_t>(H::count_)> kTable = {{
    {H::unknown, "", 0, K::single, "extension-header", "RFC 3261 §25.1", nullptr},
    {H::accept, "Accept", 0, K::list, "media-range", "RFC 3261 §20.1", &check_media_range},
    {H::accept_encoding, "Accept-Encoding", 0, K::list, "encoding", "RFC 3261 §20.2", &check_with<&parse_token>},
    {H::accept_language, "Accept-Language", 0, K::list, "language", "RFC 3261 §20.3", nullptr},
    {H::alert_info, "Alert-Info", 0, K::list, "alert-param", "RFC 3261 §20.4", nullptr},
    {H::allow, "Allow", 0, K::list, "Method", "RFC 3261 §20.5", &check_with<&parse_token>},
    {H::allow_events, "Allow-Events", 'u', K::list, "event-type", "RFC 6665 §8.4", &check_with<&parse_token>},
    {H::authentication_info, "Authentication-Info", 0, K::multi, "ainfo", "RFC 3261 §20.6, RFC 7616 §3.5", &check_auth_info},
    {H::authorization, "Authorization", 0, K::multi, "credentials", "RFC 3261 §20.7, RFC 7616 §3.4", &check_challenge},
    {H::call_id, "Call-ID", 'i', K::single, "callid", "RFC 3261 §20.8", &check_with<&parse_call_id>},
    {H::call_info, "Call-Info", 0, K::list, "info", "RFC 3261 §20.9", nullptr},
    {H::contact, "Contact", 'm', K::list, "contact-param", "RFC 3261 §20.10", &check_contact},
    {H::content_disposition, "Content-Disposition", 0, K::single, "disp-type", "RFC 3261 §20.11, RFC 3204", &check_with<&parse_content_disposition>},
    {H::content_encoding, "Content-Encoding", 'e', K::list, "content-coding", "RFC 3261 §20.12", &check_with<&parse_token>},
    {H::content_id, "Content-ID", 0, K::single, "msg-id", "RFC 2045 §7", nullptr},
    {H::content_language, "Content-Language", 0, K::list, "language-tag", "RFC 3261 §20.13", nullptr},
    {H::content_length, "Content-Length", 'l', K::single, "1*DIGIT", "RFC 3261 §20.14", &check_delta},
    {H::content_transfer_encoding, "Content-Transfer-Encoding", 0, K::single, "mechanism", "RFC 2045 §6", &check_with<&parse_token>},
    {H::content_type, "Content-Type", 'c', K::single, "media-type", "RFC 3261 §20.15", &check_media_type},
    {H::cseq, "CSeq", 0, K::single, "1*DIGIT LWS Method", "RFC 3261 §20.16", &check_with<&parse_cseq>},
    {H::date, "Date", 0, K::single, "rfc1123-date", "RFC 3261 §20.17", &check_with<&parse_date>},
    {H::error_info, "Error-Info", 0, K::list, "error-uri", "RFC 3261 §20.18", nullptr},
    {H::event, "Event", 'o', K::single, "event-type *(SEMI event-param)", "RFC 6665 §8.4", &check_with<&parse_event>},
    {H::expires, "Expires", 0, K::single, "delta-seconds", "RFC 3261 §20.19", &check_delta},
    {H::from, "From", 'f', K::single, "(name-addr / addr-spec) *(SEMI from-param)", "RFC 3261 §20.20", &check_name_addr},
    {H::identity, "Identity", 'y', K::single, "signed-identity-digest", "RFC 4474 §9, RFC 8224 §4.1", &check_with<&parse_identity>},
    {H::identity_info, "Identity-Info", 'n', K::single, "ident-info *(SEMI ident-info-params)", "RFC 4474 §9", &check_with<&parse_identity_info>},
    {H::in_reply_to, "In-Reply-To", 0, K::list, "callid", "RFC 3261 §20.21", &check_with<&parse_call_id>},
    {H::max_forwards, "Max-Forwards", 0, K::single, "1*DIGIT", "RFC 3261 §20.22", &check_max_forwards},
    {H::mime_version, "MIME-Version", 0, K::single, "1*DIGIT \".\" 1*DIGIT", "RFC 3261 §20.24", nullptr},
    {H::min_expires, "Min-Expires", 0, K::single, "delta-seconds", "RFC 3261 §20.23", &check_delta},
    {H::organization, "Organization", 0, K::single, "TEXT-UTF8-TRIM", "RFC 3261 §20.25", nullptr},
    {H::priority, "Priority", 0, K::single, "priority-value", "RFC 3261 §20.26", &check_with<&parse_token>},
    {H::proxy_authenticate, "Proxy-Authenticate", 0, K::multi, "challenge", "RFC 3261 §20.27", &check_challenge},
    {H::proxy_authorization, "Proxy-Authorization", 0, K::multi, "credentials", "RFC 3261 §20.28", &check_challenge},
    {H::proxy_require, "Proxy-Require", 0, K::list, "option-tag", "RFC 3261 §20.29", &check_with<&parse_token>},
    {H::record_route, "Record-Route", 0, K::list, "rec-route", "RFC 3261 §20.30", &check_name_addr},
    {H::reply_to, "Reply-To", 0, K::single, "rplyto-spec", "RFC 3261 §20.31", &check_name_addr},
    {H::require, "Require", 0, K::list, "option-tag", "RFC 3261 §20.32", &check_with<&parse_token>},
    {H::retry_after, "Retry-After", 0, K::single, "delta-seconds [comment] *(SEMI retry-param)", "RFC 3261 §20.33", &check_with<&parse_retry_after>},
    {H::route, "Route", 0, K::list, "route-param", "RFC 3261 §20.34", &check_name_addr},
    {H::server, "Server", 0, K::single, "server-val", "RFC 3261 §20.35", nullptr},
    {H::sip_etag, "SIP-ETag", 0, K::single, "entity-tag", "RFC 3903 §11.3", &check_with<&parse_entity_tag>},
    {H::sip_if_match, "SIP-If-Match", 0, K::single, "entity-tag", "RFC 3903 §11.4", &check_with<&parse_entity_tag>},
    {H::subject, "Subject", 's', K::single, "TEXT-UTF8-TRIM", "RFC 3261 §20.36", nullptr},
    {H::subscription_state, "Subscription-State", 0, K::single, "substate-value *(SEMI subexp-params)", "RFC 6665 §8.4", &check_with<&parse_subscription_state>},
    {H::supported, "Supported", 'k', K::list, "option-tag", "RFC 3261 §20.37", &check_with<&parse_token>},
    {H::timestamp, "Timestamp", 0, K::single, "1*DIGIT [\".\" *DIGIT] [LWS delay]", "RFC 3261 §20.38", nullptr},
    {H::to, "To", 't', K::single, "(name-addr / addr-spec) *(SEMI to-param)", "RFC 3261 §20.39", &check_name_addr},
    {H::unsupported, "Unsupported", 0, K::list, "option-tag", "RFC 3261 §20.40", &check_with<&parse_token>},
    {H::user_agent, "User-Agent", 0, K::single, "server-val", "RFC 3261 §20.41", nullptr},
    {H::via, "Via", 'v', K::list, "via-parm", "RFC 3261 §20.42", &check_with<&parse_via>},
    {H::warning, "Warning", 0, K::list, "warning-value", "RFC 3261 §20.43", &check_with<&parse_warning>},
    {H::www_authenticate, "WWW-Authenticate", 0, K::multi, "challenge", "RFC 3261 §20.44, RFC 7616 §3.3", &check_challenge},
}};
// clang-format on

constexpr bool table_is_ordered() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<size_t>(kTable[i].id) != i) return false;
  }
  return true;
}
static_assert(table_is_ordered(), "kTable must be ordered by HeaderId");

// Buckets by lower-cased first letter keep a lookup to a few length checks and one compare.
// Each candidate's length is kept beside it, so that most are passed over without following
// the pointer; the canonical spelling is tried with memcmp before the case-insensitive compare.
struct Candidate {
  size_t size;
  const HeaderInfo* info;
};
struct Index {
  std::array<std::vector<Candidate>, 26> long_names;
  std::array<HeaderId, 26> compact{};
  Index() {
    for (const auto& h : kTable) {
      if (h.id == H::unknown) continue;
      long_names[chars::lower(h.name.front()) - 'a'].push_back({h.name.size(), &h});
      if (h.compact != 0) compact[h.compact - 'a'] = h.id;
    }
  }
};

const Index& index() {
  static const Index idx;  // on first use: lookups may come from other files' static objects
  return idx;
}

}  // namespace

const HeaderInfo& header_info(HeaderId id) {
  return kTable[static_cast<size_t>(id)];
}

std::span<const HeaderInfo> header_table() {
  return {kTable.data() + 1, kTable.size() - 1};
}

HeaderId lookup_header(std::string_view name) {
  if (name.empty()) return H::unknown;
  char first = chars::lower(name.front());
  if (first < 'a' || first > 'z') return H::unknown;
  const Index& idx = index();
  if (name.size() == 1) return idx.compact[first - 'a'];
  for (const Candidate& c : idx.long_names[first - 'a']) {
    if (c.size == name.size() && (c.info->name == name || iequals(c.info->name, name))) {
      return c.info->id;
    }
  }
  return H::unknown;
}

}  // namespace sipcred::sip
