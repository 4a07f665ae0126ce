// multipart bodies (RFC 2046 §5.1.1) and the credential body (draft-ietf-sip-certs-06 §7.5).
// The first byte picks a Content-Type value (low 3 bits) and tight limits (top bit); the rest is
// the body. Property: what parses builds again with the same boundary (unless the boundary
// occurs in a part, which the builder refuses) and parses back to equal parts.
#include <array>
#include <string>
#include <string_view>

#include "fuzz/registry.hpp"
#include "mime/multipart.hpp"

using sipcred::fuzz::check;
namespace mime = sipcred::mime;

namespace {

struct Variant {
  std::string_view content_type;
  std::string_view boundary;  // what the Content-Type says; empty when it has none
};

constexpr std::array<Variant, 8> kVariants = {{
    {"multipart/mixed;boundary=b", "b"},
    {"multipart/mixed; boundary=\"simple boundary\"", "simple boundary"},  // RFC 2046 §5.1.1
    {"multipart/mixed;boundary=\"gc0pJq0M:08jU534c0p\"", "gc0pJq0M:08jU534c0p"},
    {"Multipart/Mixed; BOUNDARY=\"----=_x\"", "----=_x"},
    {"multipart/signed;protocol=\"application/pkcs7-signature\";boundary=--", "--"},
    {"multipart/mixed;boundary="
     "\"0123456789012345678901234567890123456789012345678901234567890123456789\"",
     "0123456789012345678901234567890123456789012345678901234567890123456789"},
    {"multipart/mixed", ""},        // no boundary parameter: always an error
    {"application/pkix-cert", ""},  // the credential body's certificate-only form
}};

}  // namespace

SIPCRED_FUZZ_TARGET(multipart) {
  if (size == 0) return 0;
  const Variant& v = kVariants[data[0] % kVariants.size()];
  std::string_view body{reinterpret_cast<const char*>(data + 1), size - 1};
  mime::Limits limits;
  if (data[0] & 0x80) limits = {.max_parts = 3, .max_part_size = 64, .max_header_bytes = 64};

  (void)mime::parse_credential_body(body, v.content_type, limits);
  auto parts = mime::parse_multipart(body, v.content_type, limits);
  if (!parts) return 0;
  check(!v.boundary.empty(), "no body parses without a boundary");
  check(!parts->empty() && parts->size() <= limits.max_parts, "part count within the limit");

  auto built = mime::build_multipart(*parts, v.boundary);
  if (!built) {
    check(built.error().detail.ends_with("the boundary occurs in the part"),
          "a parsed body builds again unless the boundary collides");
    return 0;
  }
  // Re-encoding (base64 line breaks, "Name: value" spacing) may grow a part a little.
  mime::Limits roomy{limits.max_parts, limits.max_part_size * 2 + 8,
                     limits.max_header_bytes * 2 + 64};
  auto again = mime::parse_multipart(*built, v.content_type, roomy);
  check(static_cast<bool>(again), "a built body parses");
  check(*again == *parts, "build then parse gives the parts back");
  return 0;
}
