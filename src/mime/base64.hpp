// Base64 content-transfer-encoding (RFC 2045 §6.8 with the RFC 4648 §4 alphabet), for MIME body
// parts. Sans-I/O and allocation-bounded: the output is never larger than the input.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sipcred::mime {

// Encodes `data` with "=" padding, broken into lines of at most 76 characters joined by CRLF
// (RFC 2045 §6.8: "The encoded output stream must be represented in lines of no more than 76
// characters each"). No CRLF after the last line. `line_length` 0 means one line.
std::string base64_encode(std::string_view data, size_t line_length = 76);

// Decodes base64 text. CR, LF, SP and HTAB are skipped (line breaks and transport white space,
// RFC 2045 §6.8); anything else outside the alphabet is refused rather than ignored (RFC 4648
// §3.3 lets a decoder refuse; silently skipping would make one body decode from many texts).
// Errors (Errc::parse):
//   "invalid character in base64 text"
//   "bad base64 padding" — the text is not a whole number of 4-character groups with "=" only at
//     the end, or the bits the padding discards are not zero (RFC 4648 §3.5, canonical encoding).
Result<std::string> base64_decode(std::string_view text);

// base64url without padding (RFC 4648 §5, RFC 7515 §2), for tokens: digest nonces, JWS. Decoding
// refuses "=", white space, any other alphabet, a length of 1 mod 4 and non-zero left-over bits,
// so that one value has one text (RFC 4648 §3.5).
std::string base64url_encode(std::string_view data);
Result<std::string> base64url_decode(std::string_view text);

}  // namespace sipcred::mime
