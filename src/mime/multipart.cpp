#include "mime/multipart.hpp"

#include <array>
#include <cstdlib>

#include "crypto/hash.hpp"
#include "mime/base64.hpp"
#include "sip/headers.hpp"
#include "sip/scanner.hpp"

namespace sipcred::mime {

namespace {

using sip::iequals;

constexpr std::string_view kCrlf = "\r\n";

std::string part_prefix(size_t n) {
  return "body part " + std::to_string(n) + ": ";
}

// RFC 2046 §5.1.1: bchars := bcharsnospace / " "; bcharsnospace := DIGIT / ALPHA / "'" / "(" /
// ")" / "+" / "_" / "," / "-" / "." / "/" / ":" / "=" / "?"
bool is_bchar_nospace(char c) {
  return sip::chars::is_alnum(c) ||
         std::string_view{"'()+_,-./:=?"}.find(c) != std::string_view::npos;
}

// RFC 5322 §3.6.8: field-name = 1*ftext; ftext = %d33-57 / %d59-126 (printable but ":").
bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;
  }
  return true;
}

bool is_lwsp(char c) {
  return c == ' ' || c == '\t';
}

enum class TransferEncoding { identity, base64, unsupported };

// RFC 2045 §6.1: mechanism names are case-insensitive; 7bit is the default. 7bit, 8bit and
// binary mean "no encoding" (§6.2), so their bodies are taken as-is.
TransferEncoding transfer_encoding_of(std::string_view value) {
  if (value.empty() || iequals(value, "7bit") || iequals(value, "8bit") ||
      iequals(value, "binary")) {
    return TransferEncoding::identity;
  }
  if (iequals(value, "base64")) return TransferEncoding::base64;
  return TransferEncoding::unsupported;
}

constexpr std::array<std::string_view, 4> kKnownHeaders = {
    "Content-Type", "Content-Disposition", "Content-ID", "Content-Transfer-Encoding"};

// The Part member that holds each of kKnownHeaders, in the same order.
constexpr std::array<std::string Part::*, kKnownHeaders.size()> kKnownMembers = {
    &Part::content_type, &Part::disposition, &Part::content_id, &Part::transfer_encoding};

std::optional<size_t> known_index(std::string_view name) {
  for (size_t i = 0; i < kKnownHeaders.size(); ++i) {
    if (iequals(name, kKnownHeaders[i])) return i;
  }
  return std::nullopt;
}

bool has_crlf(std::string_view s) {
  return s.find_first_of(kCrlf) != std::string_view::npos;
}

const std::string kBoundaryError =
    "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space";

// Serializes one part (headers, empty line, encoded body) or says why it cannot be.
Result<std::string> encode_part(const Part& p, size_t n) {
  std::string out;
  for (size_t i = 0; i < kKnownHeaders.size(); ++i) {
    const std::string& value = p.*kKnownMembers[i];
    if (value.empty()) continue;
    // A header value with a line break would smuggle extra headers (or a delimiter) in.
    if (has_crlf(value)) {
      return fail(Errc::invalid_argument, part_prefix(n) + "CR or LF in the value of header '" +
                                              std::string{kKnownHeaders[i]} + "'");
    }
    out.append(kKnownHeaders[i]).append(": ").append(value).append(kCrlf);
  }
  for (const auto& [name, value] : p.other_headers) {
    if (!is_field_name(name)) {
      return fail(Errc::invalid_argument, part_prefix(n) + "invalid header name '" + name + "'");
    }
    if (known_index(name)) {
      return fail(Errc::invalid_argument, part_prefix(n) + "header '" + name + "' set twice");
    }
    if (has_crlf(value)) {
      return fail(Errc::invalid_argument,
                  part_prefix(n) + "CR or LF in the value of header '" + name + "'");
    }
    out.append(name).append(": ").append(value).append(kCrlf);
  }
  out.append(kCrlf);
  switch (transfer_encoding_of(p.transfer_encoding)) {
    case TransferEncoding::identity:
      out.append(p.body);
      break;
    case TransferEncoding::base64:
      out.append(base64_encode(p.body));
      break;
    case TransferEncoding::unsupported:
      return fail(
          Errc::invalid_argument,
          part_prefix(n) + "unsupported Content-Transfer-Encoding '" + p.transfer_encoding + "'");
  }
  return out;
}

// `collided` tells build_multipart_fresh that another boundary may succeed.
Result<std::string> build(std::span<const Part> parts, std::string_view boundary, bool& collided) {
  collided = false;
  if (parts.empty()) return fail(Errc::invalid_argument, "no body parts");
  if (!is_valid_boundary(boundary)) return fail(Errc::invalid_argument, kBoundaryError);
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto text = encode_part(parts[i], i + 1);
    if (!text) return Unexpected{text.error()};
    // RFC 2046 §5.1.1: the delimiter "must not appear inside any of the encapsulated parts".
    // Refusing the bare boundary anywhere in the part is stricter than refusing CRLF "--"
    // boundary, and cheap to satisfy with a random boundary.
    if (text->find(boundary) != std::string::npos) {
      collided = true;
      return fail(Errc::invalid_argument, part_prefix(i + 1) + "the boundary occurs in the part");
    }
    // The CRLF before "--" belongs to the delimiter (RFC 2046 §5.1.1), so it is added here and
    // not as part of the preceding body.
    if (i != 0) out.append(kCrlf);
    out.append("--").append(boundary).append(kCrlf);
    out.append(*text);
  }
  out.append(kCrlf).append("--").append(boundary).append("--").append(kCrlf);
  return out;
}

// ---- parsing ----

enum class DelimiterKind { none, part, close };

struct Delimiter {
  DelimiterKind kind = DelimiterKind::none;
  size_t next = 0;  // index just past the delimiter line (past its CRLF, if any)
};

// `at` indexes the character after "--" boundary. A delimiter line is "--" boundary, "--" for the
// close delimiter, transport padding (*LWSP-char), then CRLF (or, after a close delimiter, the end
// of the body). Anything else means the boundary text was only a prefix of a longer line, which is
// not a delimiter (RFC 2046 §5.1.1 requires the delimiter to be the whole line).
Delimiter classify(std::string_view body, size_t at) {
  bool close = body.substr(at, 2) == "--";
  if (close) at += 2;
  while (at < body.size() && is_lwsp(body[at])) ++at;
  if (body.substr(at, 2) == kCrlf)
    return {close ? DelimiterKind::close : DelimiterKind::part, at + 2};
  if (close && at == body.size()) return {DelimiterKind::close, at};
  return {};
}

struct Found {
  size_t start = std::string_view::npos;  // index of the delimiter's CRLF (or of "--" at offset 0)
  Delimiter delimiter;
};

// The first delimiter line (CRLF "--" boundary ...) starting at or after `from`.
Found find_delimiter(std::string_view body, std::string_view dash_boundary, size_t from) {
  while (from < body.size()) {
    size_t i = body.find(kCrlf, from);
    if (i == std::string_view::npos) break;
    if (body.substr(i + 2, dash_boundary.size()) == dash_boundary) {
      Delimiter d = classify(body, i + 2 + dash_boundary.size());
      if (d.kind != DelimiterKind::none) return {i, d};
    }
    from = i + 1;
  }
  return {};
}

// Parses the header section (each line CRLF-terminated, possibly empty) into `p`.
Result<void> parse_headers(std::string_view section, Part& p, size_t n) {
  struct Field {
    std::string_view name;
    std::string value;
  };
  std::vector<Field> fields;
  size_t pos = 0;
  while (pos < section.size()) {
    size_t end = section.find(kCrlf, pos);
    if (end == std::string_view::npos) end = section.size();  // not reached: section ends in CRLF
    std::string_view line = section.substr(pos, end - pos);
    pos = end + 2;
    // RFC 5322 §2.2: CR and LF occur in a header section only together, as CRLF.
    if (has_crlf(line))
      return fail(Errc::parse, part_prefix(n) + "bare CR or LF in the header section");
    if (!line.empty() && is_lwsp(line[0])) {
      // RFC 5322 §2.2.3: unfolding removes the CRLF before white space, keeping the white space.
      if (fields.empty()) {
        return fail(Errc::parse, part_prefix(n) + "continuation line before the first header");
      }
      fields.back().value.append(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return fail(Errc::parse, part_prefix(n) + "header line without ':'");
    }
    // RFC 5322 §4.5 (obs-optional): white space before the colon is obsolete but must be read.
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && is_lwsp(name.back())) name.remove_suffix(1);
    if (!is_field_name(name)) {
      return fail(Errc::parse, part_prefix(n) + "invalid header name '" + std::string{name} + "'");
    }
    fields.push_back({name, std::string{line.substr(colon + 1)}});
  }
  std::array<bool, kKnownHeaders.size()> seen{};
  for (auto& f : fields) {
    std::string value{sip::trim(f.value)};
    if (auto i = known_index(f.name)) {
      if (seen[*i]) {
        return fail(Errc::parse,
                    part_prefix(n) + "more than one " + std::string{kKnownHeaders[*i]} + " header");
      }
      seen[*i] = true;
      // An empty Content-Transfer-Encoding names no mechanism (RFC 2045 §6.1); only its absence
      // means 7bit.
      if (kKnownMembers[*i] == &Part::transfer_encoding && value.empty()) {
        return fail(Errc::parse, part_prefix(n) + "unsupported Content-Transfer-Encoding ''");
      }
      p.*kKnownMembers[*i] = std::move(value);
    } else {
      p.other_headers.emplace_back(std::string{f.name}, std::move(value));
    }
  }
  return {};
}

// One body part: the bytes between the delimiter line before it and the CRLF of the one after.
Result<Part> parse_part(std::string_view raw, size_t n, const Limits& limits) {
  // RFC 2046 §5.1.1: body-part := MIME-part-headers [CRLF *OCTET]. A part that starts with CRLF
  // has no headers; otherwise the header section ends at the first empty line, or the part is
  // headers only.
  std::string_view headers, body;
  if (raw.substr(0, 2) == kCrlf) {
    headers = {};
    body = raw.substr(2);
  } else if (size_t blank = raw.find("\r\n\r\n"); blank != std::string_view::npos) {
    headers = raw.substr(0, blank + 2);
    body = raw.substr(blank + 4);
  } else if (raw.size() >= 2 && raw.substr(raw.size() - 2) == kCrlf) {
    headers = raw;
  } else if (raw.empty()) {
    // "--b" CRLF CRLF "--b": an empty part, all defaults (RFC 2046 §5.1.1).
  } else {
    if (raw.size() > limits.max_header_bytes) {
      return fail(Errc::limit, part_prefix(n) + "header section larger than " +
                                   std::to_string(limits.max_header_bytes) + " bytes");
    }
    return fail(Errc::parse, part_prefix(n) + "header section not ended by an empty line");
  }
  size_t header_bytes = raw.size() - body.size();
  if (header_bytes > limits.max_header_bytes) {
    return fail(Errc::limit, part_prefix(n) + "header section larger than " +
                                 std::to_string(limits.max_header_bytes) + " bytes");
  }
  if (body.size() > limits.max_part_size) {
    return fail(Errc::limit,
                part_prefix(n) + "larger than " + std::to_string(limits.max_part_size) + " bytes");
  }
  Part p;
  if (auto r = parse_headers(headers, p, n); !r) return Unexpected{r.error()};
  switch (transfer_encoding_of(p.transfer_encoding)) {
    case TransferEncoding::identity:
      p.body.assign(body);
      break;
    case TransferEncoding::base64: {
      auto decoded = base64_decode(body);
      if (!decoded) return fail(Errc::parse, part_prefix(n) + decoded.error().detail);
      p.body = std::move(*decoded);
      break;
    }
    case TransferEncoding::unsupported:
      return fail(Errc::parse, part_prefix(n) + "unsupported Content-Transfer-Encoding '" +
                                   p.transfer_encoding + "'");
  }
  return p;
}

// The boundary parameter of a multipart Content-Type value.
Result<std::string> boundary_of(const sip::MediaType& type) {
  if (!iequals(type.type, "multipart")) return fail(Errc::parse, "Content-Type is not multipart");
  const sip::GenericParam* boundary = nullptr;
  for (const auto& p : type.params.items()) {
    if (!iequals(p.name, "boundary")) continue;
    if (boundary != nullptr) {
      return fail(Errc::parse, "multipart Content-Type has more than one boundary parameter");
    }
    boundary = &p;
  }
  if (boundary == nullptr || !boundary->has_value) {
    return fail(Errc::parse, "multipart Content-Type has no boundary parameter");
  }
  std::string value = boundary->value.size() >= 2 && boundary->value.front() == '"'
                          ? sip::unquote(boundary->value.substr(1, boundary->value.size() - 2))
                          : std::string{boundary->value};
  if (!is_valid_boundary(value)) return fail(Errc::parse, kBoundaryError);
  return value;
}

Result<sip::MediaType> media_type(std::string_view value, std::string_view prefix) {
  auto type = sip::parse_media_type(value);
  if (!type) return fail(Errc::parse, std::string{prefix} + "Content-Type: " + type.error().detail);
  return type;
}

std::vector<uint8_t> to_bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

}  // namespace

bool is_valid_boundary(std::string_view boundary) {
  if (boundary.empty() || boundary.size() > kMaxBoundaryLength) return false;
  for (char c : boundary) {
    if (c != ' ' && !is_bchar_nospace(c)) return false;
  }
  return boundary.back() != ' ';
}

std::string make_boundary() {
  constexpr std::string_view kAlnum =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(kGeneratedBoundaryLength);
  std::array<uint8_t, 64> random{};
  while (out.size() < kGeneratedBoundaryLength) {
    crypto::random_fill(random);
    for (uint8_t r : random) {
      // Rejection sampling: 248 = 4 * 62, so every character is equally likely.
      if (r >= 248 || out.size() == kGeneratedBoundaryLength) continue;
      out.push_back(kAlnum[r % kAlnum.size()]);
    }
  }
  return out;
}

std::string multipart_content_type(std::string_view boundary, std::string_view subtype) {
  std::string out = "multipart/";
  out.append(subtype).append(";boundary=");
  // bchars hold no '"' or '\', so quoting needs no escapes.
  if (sip::is_token(boundary)) {
    out.append(boundary);
  } else {
    out.append("\"").append(boundary).append("\"");
  }
  return out;
}

Result<std::string> build_multipart(std::span<const Part> parts, std::string_view boundary) {
  bool collided = false;
  return build(parts, boundary, collided);
}

Result<BuiltMultipart> build_multipart_fresh(std::span<const Part> parts, int max_attempts) {
  for (int i = 0; i < max_attempts; ++i) {
    std::string boundary = make_boundary();
    bool collided = false;
    auto body = build(parts, boundary, collided);
    if (body) {
      std::string type = multipart_content_type(boundary);
      return BuiltMultipart{std::move(*body), std::move(boundary), std::move(type)};
    }
    if (!collided) return Unexpected{body.error()};
  }
  return fail(Errc::internal, "no collision-free boundary found");
}

Result<std::vector<Part>> parse_multipart(std::string_view body,
                                          std::string_view content_type_value,
                                          const Limits& limits) {
  auto type = media_type(content_type_value, "");
  if (!type) return Unexpected{type.error()};
  auto boundary = boundary_of(*type);
  if (!boundary) return Unexpected{boundary.error()};
  const std::string dash_boundary = "--" + *boundary;

  // The first delimiter may open the body (empty preamble) or follow the preamble's CRLF.
  Found open;
  if (body.substr(0, dash_boundary.size()) == dash_boundary) {
    Delimiter d = classify(body, dash_boundary.size());
    if (d.kind != DelimiterKind::none) open = {0, d};
  }
  if (open.delimiter.kind == DelimiterKind::none) open = find_delimiter(body, dash_boundary, 0);
  if (open.delimiter.kind == DelimiterKind::none) {
    return fail(Errc::parse, "multipart body has no opening delimiter");
  }
  // RFC 2046 §5.1.1: multipart-body := [preamble CRLF] dash-boundary ... body-part ...: at least
  // one part.
  if (open.delimiter.kind == DelimiterKind::close) {
    return fail(Errc::parse, "multipart body has no body parts");
  }

  std::vector<Part> parts;
  size_t start = open.delimiter.next;
  while (true) {
    if (parts.size() == limits.max_parts) {
      return fail(Errc::limit, "more than " + std::to_string(limits.max_parts) + " body parts");
    }
    Found next = find_delimiter(body, dash_boundary, start);
    if (next.delimiter.kind == DelimiterKind::none) {
      return fail(Errc::parse, "multipart body has no close delimiter");
    }
    auto part = parse_part(body.substr(start, next.start - start), parts.size() + 1, limits);
    if (!part) return Unexpected{part.error()};
    parts.push_back(std::move(*part));
    if (next.delimiter.kind == DelimiterKind::close) break;  // the epilogue is ignored
    start = next.delimiter.next;
  }
  return parts;
}

std::string build_credential_body(std::span<const uint8_t> cert_der,
                                  std::span<const uint8_t> pkcs8_der,
                                  std::string& content_type_out) {
  // REQ CRED-4, PUB-2: draft-ietf-sip-certs-06 §7.5: pkix-cert and pkcs8 parts, "signal"
  // disposition (RFC 3204), binary transfer encoding.
  std::vector<Part> parts;
  auto add = [&parts](std::string_view type, std::span<const uint8_t> der) {
    Part p;
    p.content_type = type;
    p.disposition = "signal";
    p.transfer_encoding = "binary";
    p.body.assign(der.begin(), der.end());
    parts.push_back(std::move(p));
  };
  add("application/pkix-cert", cert_der);
  if (!pkcs8_der.empty()) add("application/pkcs8", pkcs8_der);
  // The headers are fixed and valid, so only boundary collisions can fail, and 64 collisions of
  // a 190-bit random boundary in a row mean the RNG is broken: stop rather than go on with it.
  auto built = build_multipart_fresh(parts, 64);
  if (!built) std::abort();
  content_type_out = std::move(built->content_type);
  return std::move(built->body);
}

Result<CredentialParts> parse_credential_body(std::string_view body, std::string_view content_type,
                                              const Limits& limits) {
  auto type = media_type(content_type, "");
  if (!type) return Unexpected{type.error()};
  CredentialParts out;
  // REQ PUB-2: a certificate alone comes as a bare application/pkix-cert body (§7.9).
  if (type->matches("application", "pkix-cert")) {
    if (body.empty()) return fail(Errc::parse, "empty application/pkix-cert body");
    out.cert_der = to_bytes(body);
    return out;
  }
  if (!type->matches("multipart", "mixed")) {
    return fail(Errc::parse, "credential body must be application/pkix-cert or multipart/mixed");
  }
  auto parts = parse_multipart(body, content_type, limits);
  if (!parts) return Unexpected{parts.error()};
  bool have_cert = false;
  for (size_t i = 0; i < parts->size(); ++i) {
    const Part& p = (*parts)[i];
    const std::string prefix = part_prefix(i + 1);
    if (p.content_type.empty()) return fail(Errc::parse, prefix + "missing Content-Type");
    auto part_type = media_type(p.content_type, prefix);
    if (!part_type) return Unexpected{part_type.error()};
    bool is_cert = part_type->matches("application", "pkix-cert");
    bool is_key = part_type->matches("application", "pkcs8");
    if (!is_cert && !is_key) {
      return fail(Errc::parse, prefix + "unexpected type " + std::string{part_type->type} + "/" +
                                   std::string{part_type->subtype} +
                                   "; expected application/pkix-cert or application/pkcs8");
    }
    if ((is_cert && have_cert) || (is_key && out.pkcs8_der)) {
      return fail(Errc::parse,
                  prefix + "second application/" + (is_cert ? "pkix-cert" : "pkcs8") + " part");
    }
    if (p.body.empty()) {
      return fail(Errc::parse,
                  prefix + "empty application/" + (is_cert ? "pkix-cert" : "pkcs8") + " part");
    }
    if (is_cert) {
      out.cert_der = to_bytes(p.body);
      have_cert = true;
    } else {
      out.pkcs8_der = to_bytes(p.body);
    }
  }
  if (!have_cert) return fail(Errc::parse, "credential body has no application/pkix-cert part");
  return out;
}

}  // namespace sipcred::mime
