// multipart/* bodies (RFC 2046 §5.1): building and parsing, and the credential body of the
// "credential" event package (draft-ietf-sip-certs-06 §7.5, §7.9). Sans-I/O: bytes in, values
// out; untrusted input gives a Result error, never an exception, and is never read past its end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace sipcred::mime {

// RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace.
inline constexpr size_t kMaxBoundaryLength = 70;
// Length of make_boundary()'s output: 32 characters of 62 give about 190 random bits.
inline constexpr size_t kGeneratedBoundaryLength = 32;

// One body part. The four MIME headers sipcred acts on have their own members (empty when the
// part has no such header); every other header is kept, in order, in `other_headers`. `body` is
// the decoded content: a base64 part's bytes, not its text.
struct Part {
  std::string content_type;       // Content-Type value, e.g. "application/pkix-cert"
  std::string disposition;        // Content-Disposition value, e.g. "signal" (RFC 3204)
  std::string content_id;         // Content-ID value
  std::string transfer_encoding;  // Content-Transfer-Encoding value as written ("binary", ...)
  std::string body;
  std::vector<std::pair<std::string, std::string>> other_headers;  // (name, value)

  bool operator==(const Part&) const = default;
};

// Bounds for parsing untrusted bodies.
struct Limits {
  size_t max_parts = 8;
  size_t max_part_size = 64 * 1024;    // bytes of one part's body as transmitted (before decoding)
  size_t max_header_bytes = 4 * 1024;  // bytes of one part's header section, blank line included
};

// True when `boundary` is 1 to 70 RFC 2046 bchars not ending in a space.
bool is_valid_boundary(std::string_view boundary);

// A fresh random boundary of kGeneratedBoundaryLength letters and digits (a subset of bchars
// that is also a token, so the Content-Type parameter never needs quoting).
std::string make_boundary();

// "multipart/mixed;boundary=<boundary>" (quoted when the boundary is not a token).
std::string multipart_content_type(std::string_view boundary, std::string_view subtype = "mixed");

// Serializes `parts` as an RFC 2046 §5.1.1 multipart body with CRLF line ends: for each part the
// delimiter line, Content-Type, Content-Disposition, Content-ID and Content-Transfer-Encoding
// (those that are set), the other headers, an empty line and the body (base64-encoded when its
// transfer encoding is base64); then the close delimiter. No preamble, no epilogue.
// Errors (Errc::invalid_argument):
//   "no body parts"
//   "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"
//   "body part N: the boundary occurs in the part" — the delimiter must not appear inside any
//     encapsulated part (RFC 2046 §5.1.1); DER can hold any byte string, so this is checked.
//   "body part N: unsupported Content-Transfer-Encoding '<value>'"
//   "body part N: invalid header name '<name>'"
//   "body part N: header '<name>' set twice" — a known header given again in other_headers
//   "body part N: CR or LF in the value of header '<name>'"
Result<std::string> build_multipart(std::span<const Part> parts, std::string_view boundary);

// A built body with the boundary chosen for it.
struct BuiltMultipart {
  std::string body;
  std::string boundary;
  std::string content_type;  // multipart_content_type(boundary)
};
// Builds with fresh random boundaries until one does not collide with any part. Errors: those of
// build_multipart other than the collision, or "no collision-free boundary found" after
// `max_attempts` collisions (a 190-bit random boundary colliding even once means a bug or an
// attack on the RNG).
Result<BuiltMultipart> build_multipart_fresh(std::span<const Part> parts, int max_attempts = 8);

// Parses a multipart body whose Content-Type header value is `content_type_value`
// (e.g. `multipart/mixed;boundary="xyz"`). Delimiters are found exactly as RFC 2046 §5.1.1 says:
// a delimiter is CRLF "--" boundary at the start of a line (the CRLF belongs to the delimiter, not
// to the preceding part), optionally followed by transport padding (SP / HTAB); the first one may
// start the body; preamble and epilogue are ignored; the close delimiter is required. Each part's
// headers are unfolded (RFC 5322 §2.2.3) and matched case-insensitively; its body is decoded by
// Content-Transfer-Encoding: 7bit, 8bit, binary (or none) as-is, base64 decoded.
// Errors (Errc::parse unless noted; N counts body parts from 1):
//   "Content-Type: <why>"                               the value is not a media type
//   "Content-Type is not multipart"
//   "multipart Content-Type has no boundary parameter"
//   "multipart Content-Type has more than one boundary parameter"
//   "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"
//   "multipart body has no opening delimiter"
//   "multipart body has no body parts"
//   "multipart body has no close delimiter"
//   "more than <max_parts> body parts"                             (Errc::limit)
//   "body part N: larger than <max_part_size> bytes"               (Errc::limit)
//   "body part N: header section larger than <max_header_bytes> bytes" (Errc::limit)
//   "body part N: header section not ended by an empty line"
//   "body part N: bare CR or LF in the header section"
//   "body part N: continuation line before the first header"
//   "body part N: header line without ':'"
//   "body part N: invalid header name '<name>'"
//   "body part N: more than one <Header> header"
//   "body part N: unsupported Content-Transfer-Encoding '<value>'"
//   "body part N: invalid character in base64 text" / "body part N: bad base64 padding"
Result<std::vector<Part>> parse_multipart(std::string_view body,
                                          std::string_view content_type_value,
                                          const Limits& limits = {});

// ---- The credential body (draft-ietf-sip-certs-06 §7.5, §7.9) ----

// REQ CRED-4, PUB-2: multipart/mixed with an application/pkix-cert part (the DER certificate) and
// an application/pkcs8 part (DER PrivateKeyInfo or EncryptedPrivateKeyInfo), each with
// Content-Disposition: signal (RFC 3204) and Content-Transfer-Encoding: binary (§7.5: "The
// transport encoding of all the MIME bodies is binary"). An empty `pkcs8_der` leaves the key part
// out. Sets `content_type_out` to the matching Content-Type header value. Never fails: the
// boundary is drawn afresh until it collides with neither part.
std::string build_credential_body(std::span<const uint8_t> cert_der,
                                  std::span<const uint8_t> pkcs8_der,
                                  std::string& content_type_out);

struct CredentialParts {
  std::vector<uint8_t> cert_der;
  std::optional<std::vector<uint8_t>> pkcs8_der;  // absent when only a certificate was sent
};

// Reads a PUBLISH / NOTIFY body of the credential package (REQ PUB-2): either a bare
// application/pkix-cert body, or multipart/mixed holding one application/pkix-cert part and at
// most one application/pkcs8 part, in either order. Content-Disposition is not enforced: the
// seed's "MUST be signal" binds the sender, and the part types already say what each part is.
// Errors: those of parse_multipart, and (Errc::parse)
//   "credential body must be application/pkix-cert or multipart/mixed"
//   "body part N: missing Content-Type"
//   "body part N: unexpected type <type/subtype>; expected application/pkix-cert or
//    application/pkcs8"
//   "body part N: second application/pkix-cert part" / "body part N: second application/pkcs8
//    part"
//   "body part N: empty <type> part"
//   "credential body has no application/pkix-cert part"
Result<CredentialParts> parse_credential_body(std::string_view body, std::string_view content_type,
                                              const Limits& limits = {});

}  // namespace sipcred::mime
