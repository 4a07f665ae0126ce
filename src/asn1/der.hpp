// Strict DER (X.690 §8 basic rules restricted by §10–11) reader and writer for the structures of
// CMS, X.509 and RFC 2876. The reader works on a byte span it never reads past: every length is
// checked against the TLV that contains it, and every value comes back as a Result, never an
// exception. It accepts only DER: definite minimal lengths, minimal tag numbers, minimal INTEGERs
// and OID subidentifiers, BOOLEAN as 00/FF, BIT STRING with zero unused bits. Nesting is limited
// (default 32 levels) so that hostile input cannot exhaust the stack of a recursive caller.
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

namespace sipcred::asn1 {

using Bytes = std::vector<uint8_t>;

// X.690 §8.1.2.2: bits 8-7 of the identifier octet.
enum class TagClass : uint8_t { universal = 0, application = 1, context = 2, private_use = 3 };

struct Tag {
  TagClass cls = TagClass::universal;
  bool constructed = false;
  uint32_t number = 0;
  friend bool operator==(const Tag&, const Tag&) = default;
};

constexpr Tag universal(uint32_t number, bool constructed = false) {
  return Tag{TagClass::universal, constructed, number};
}
// A context-specific tag [n]: primitive for an IMPLICIT primitive type, constructed for EXPLICIT
// tagging or an IMPLICIT constructed type.
constexpr Tag context(uint32_t number, bool constructed = false) {
  return Tag{TagClass::context, constructed, number};
}

// Universal tags (X.680 §8.4 Table 1).
namespace tag {
inline constexpr Tag kBoolean = universal(1);
inline constexpr Tag kInteger = universal(2);
inline constexpr Tag kBitString = universal(3);
inline constexpr Tag kOctetString = universal(4);
inline constexpr Tag kNull = universal(5);
inline constexpr Tag kOid = universal(6);
inline constexpr Tag kUtf8String = universal(12);
inline constexpr Tag kSequence = universal(16, true);
inline constexpr Tag kSet = universal(17, true);
inline constexpr Tag kPrintableString = universal(19);
inline constexpr Tag kIa5String = universal(22);
inline constexpr Tag kUtcTime = universal(23);
inline constexpr Tag kGeneralizedTime = universal(24);
}  // namespace tag

inline constexpr size_t kDefaultMaxDepth = 32;
// Tag numbers above this are refused (Errc::limit); none of the modules we read comes close.
inline constexpr uint32_t kMaxTagNumber = (1u << 28) - 1;

// One TLV: its tag, its contents octets and its whole encoding (identifier, length, contents),
// both views into the reader's input.
struct Tlv {
  Tag tag;
  std::span<const uint8_t> value;
  std::span<const uint8_t> encoding;
};

struct BitString {
  std::span<const uint8_t> bytes;  // without the leading unused-bits octet
  uint8_t unused_bits = 0;         // 0..7, 0 when bytes is empty
  size_t bit_length() const { return bytes.size() * 8 - unused_bits; }
};

// Decoders of contents octets, for universal types and for IMPLICIT-tagged ones alike.
// Every error is Errc::parse unless noted.
// INTEGER (X.690 §8.3): at least one octet, no redundant leading 00 or FF; returns the contents
// (minimal two's complement, big-endian).
Result<std::span<const uint8_t>> decode_integer(std::span<const uint8_t> contents);
// An INTEGER that fits int64_t (Errc::limit otherwise).
Result<int64_t> decode_int64(std::span<const uint8_t> contents);
// OBJECT IDENTIFIER (X.690 §8.19) as dotted decimal "1.2.840.113549". Subidentifiers must be
// minimal (no leading 0x80) and complete; arcs above 2^64-1 are refused (Errc::limit).
Result<std::string> decode_oid(std::span<const uint8_t> contents);
// BIT STRING (X.690 §8.6, §11.2.1): unused-bits octet 0..7, 0 for an empty string, and the
// unused bits themselves zero.
Result<BitString> decode_bit_string(std::span<const uint8_t> contents);
// BOOLEAN (X.690 §11.1): one octet, 00 or FF.
Result<bool> decode_boolean(std::span<const uint8_t> contents);

// Dotted decimal to OID contents octets: at least two arcs, the first 0..2, the second below 40
// when the first is 0 or 1, decimal arcs without leading zeros, each below 2^64.
// Error: Errc::invalid_argument.
Result<Bytes> encode_oid(std::string_view dotted);

// Reads consecutive TLVs from one container (the whole input, or the contents of a constructed
// TLV). A failed read leaves the position where it was.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> der, size_t max_depth = kDefaultMaxDepth)
      : data_(der), max_depth_(max_depth) {}

  bool at_end() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  size_t depth() const { return depth_; }  // 0 for the outermost reader

  // The tag of the next TLV; nullopt at the end or when the identifier is malformed.
  std::optional<Tag> peek_tag() const;
  bool next_is(Tag t) const { return peek_tag() == t; }

  // The next TLV, whatever its tag ("ANY": its raw encoding is tlv.encoding).
  Result<Tlv> read_any();
  // The next TLV, which must carry tag `expected` (class, constructed bit and number).
  Result<Tlv> read(Tag expected);
  // A reader over the contents of a constructed TLV read with read_any(). Errc::limit beyond the
  // depth limit.
  Result<Reader> enter(const Tlv& tlv) const;
  // The next TLV with constructed tag `expected`, as a reader over its contents.
  Result<Reader> read_constructed(Tag expected);
  Result<Reader> read_sequence() { return read_constructed(tag::kSequence); }
  Result<Reader> read_set() { return read_constructed(tag::kSet); }
  // [n] EXPLICIT: a reader over the tagged contents (which hold the inner TLV).
  Result<Reader> read_explicit(uint32_t n) { return read_constructed(context(n, true)); }

  // Typed values. Pass a context tag (e.g. context(0)) to read an IMPLICIT-tagged one.
  Result<std::span<const uint8_t>> read_integer(Tag t = tag::kInteger);
  Result<int64_t> read_int64(Tag t = tag::kInteger);
  // A non-negative INTEGER as its magnitude, big-endian, without the sign octet (serial numbers,
  // KEA/DSA values). Errc::parse for a negative value.
  Result<std::span<const uint8_t>> read_unsigned(Tag t = tag::kInteger);
  Result<std::string> read_oid(Tag t = tag::kOid);
  // Reads an OID and fails unless it equals `dotted`.
  Result<void> expect_oid(std::string_view dotted);
  Result<std::span<const uint8_t>> read_octet_string(Tag t = tag::kOctetString);
  Result<BitString> read_bit_string(Tag t = tag::kBitString);
  Result<void> read_null(Tag t = tag::kNull);
  Result<bool> read_boolean(Tag t = tag::kBoolean);

  // Fails ("trailing data") unless every octet of the container was read.
  Result<void> expect_end() const;

 private:
  Reader(std::span<const uint8_t> der, size_t depth, size_t max_depth)
      : data_(der), depth_(depth), max_depth_(max_depth) {}

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  size_t max_depth_;
};

// Builds DER. Lengths are computed, INTEGERs and OIDs minimal by construction. A value that cannot
// be encoded (a malformed OID string, a BIT STRING with bad unused bits) puts the writer in an
// error state; finish() then returns that first error.
class Writer {
 public:
  // A TLV with the given tag and contents (any class; the caller vouches for the contents).
  Writer& tlv(Tag t, std::span<const uint8_t> contents);
  // Already encoded TLVs, appended as they are.
  Writer& raw(std::span<const uint8_t> encoded);
  // A constructed TLV whose contents `build(Writer&)` writes.
  template <class F>
  Writer& constructed(Tag t, F&& build);
  template <class F>
  Writer& sequence(F&& build) {
    return constructed(tag::kSequence, std::forward<F>(build));
  }
  // SET with the elements in the order written (SET with distinct tags, written in tag order).
  template <class F>
  Writer& set(F&& build) {
    return constructed(tag::kSet, std::forward<F>(build));
  }
  // SET OF: X.690 §11.6 orders the elements by their encodings; done here.
  template <class F>
  Writer& set_of(F&& build);
  // [n] EXPLICIT around what `build` writes.
  template <class F>
  Writer& explicit_tag(uint32_t n, F&& build) {
    return constructed(context(n, true), std::forward<F>(build));
  }

  Writer& integer(int64_t v, Tag t = tag::kInteger);
  // From two's-complement octets (big-endian); redundant sign octets are dropped, empty is 0.
  Writer& integer_from_twos_complement(std::span<const uint8_t> v, Tag t = tag::kInteger);
  // From an unsigned magnitude (big-endian); leading zeros dropped, a 00 added when the top bit
  // is set.
  Writer& integer_from_unsigned(std::span<const uint8_t> magnitude, Tag t = tag::kInteger);
  Writer& oid(std::string_view dotted, Tag t = tag::kOid);
  Writer& octet_string(std::span<const uint8_t> v, Tag t = tag::kOctetString);
  Writer& bit_string(std::span<const uint8_t> bytes, uint8_t unused_bits = 0,
                     Tag t = tag::kBitString);
  Writer& null(Tag t = tag::kNull);
  Writer& boolean(bool v, Tag t = tag::kBoolean);

  bool ok() const { return !error_.has_value(); }
  // What was written so far (meaningful when ok()).
  std::span<const uint8_t> bytes() const { return out_; }
  // The encoding, or the first error.
  Result<Bytes> finish() &&;

 private:
  void fail_with(Error e) {
    if (!error_) error_ = std::move(e);
  }
  void append_constructed(Tag t, const Writer& inner, bool sort_elements);

  Bytes out_;
  std::vector<size_t> starts_;  // offset of each top-level element, for SET OF
  std::optional<Error> error_;
};

template <class F>
Writer& Writer::constructed(Tag t, F&& build) {
  Writer inner;
  build(inner);
  append_constructed(Tag{t.cls, true, t.number}, inner, false);
  return *this;
}

template <class F>
Writer& Writer::set_of(F&& build) {
  Writer inner;
  build(inner);
  append_constructed(tag::kSet, inner, true);
  return *this;
}

}  // namespace sipcred::asn1
