#include "asn1/der.hpp"

#include <algorithm>
#include <charconv>

namespace sipcred::asn1 {
namespace {

Unexpected parse_error(const char* what) {
  return fail(Errc::parse, std::string{"DER: "} + what);
}

struct Header {
  Tag tag;
  size_t header_size = 0;  // identifier and length octets
  size_t length = 0;       // contents octets
};

// Identifier and length octets at `pos` (X.690 §8.1.2–8.1.3 with the DER restrictions of §10.1:
// definite form, fewest octets). The contents must fit in what is left of `data`.
Result<Header> parse_header(std::span<const uint8_t> data, size_t pos) {
  const size_t size = data.size();
  if (pos >= size) return parse_error("truncated: identifier octet missing");
  const uint8_t id = data[pos];
  Header h;
  h.tag.cls = static_cast<TagClass>(id >> 6);
  h.tag.constructed = (id & 0x20) != 0;
  size_t i = pos + 1;
  uint32_t number = id & 0x1f;
  if (number == 0x1f) {
    // High-tag-number form (§8.1.2.4): base 128, bit 8 set on all but the last octet; the first
    // octet may not be 0x80 (§8.1.2.4.2 c) and numbers below 31 use the low form.
    number = 0;
    for (bool first = true;; first = false) {
      if (i >= size) return parse_error("truncated: tag number");
      const uint8_t b = data[i++];
      if (first && b == 0x80) return parse_error("tag number with a leading zero septet");
      if (number > (kMaxTagNumber >> 7)) return fail(Errc::limit, "DER: tag number too large");
      number = (number << 7) | (b & 0x7f);
      if ((b & 0x80) == 0) break;
    }
    if (number < 31) return parse_error("high-tag-number form for a tag number below 31");
  }
  h.tag.number = number;

  if (i >= size) return parse_error("truncated: length octet missing");
  const uint8_t l0 = data[i++];
  size_t length = l0;
  if (l0 == 0x80) return parse_error("indefinite length (not allowed in DER)");
  if (l0 == 0xff) return parse_error("reserved length octet 0xFF");
  if (l0 > 0x80) {
    const size_t n = l0 & 0x7f;
    if (n > sizeof(size_t)) return fail(Errc::limit, "DER: length too large");
    if (n > size - i) return parse_error("truncated: length octets");
    if (data[i] == 0) return parse_error("length with a leading zero octet");
    length = 0;
    for (size_t k = 0; k < n; ++k) length = (length << 8) | data[i + k];
    if (length < 0x80) return parse_error("long-form length below 128");
    i += n;
  }
  if (length > size - i) return parse_error("length exceeds its container");
  h.header_size = i - pos;
  h.length = length;
  return h;
}

void append_tag(Bytes& out, Tag t) {
  const uint8_t lead =
      static_cast<uint8_t>((static_cast<uint8_t>(t.cls) << 6) | (t.constructed ? 0x20 : 0x00));
  if (t.number < 31) {
    out.push_back(static_cast<uint8_t>(lead | t.number));
    return;
  }
  out.push_back(static_cast<uint8_t>(lead | 0x1f));
  uint8_t septets[5];
  size_t n = 0;
  for (uint32_t v = t.number; v != 0; v >>= 7) septets[n++] = v & 0x7f;
  while (n > 0) {
    --n;
    out.push_back(static_cast<uint8_t>(septets[n] | (n > 0 ? 0x80 : 0x00)));
  }
}

void append_length(Bytes& out, size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
    return;
  }
  uint8_t octets[sizeof(size_t)];
  size_t n = 0;
  for (size_t v = len; v != 0; v >>= 8) octets[n++] = static_cast<uint8_t>(v);
  out.push_back(static_cast<uint8_t>(0x80 | n));
  while (n > 0) out.push_back(octets[--n]);
}

// Base-128 subidentifier, fewest octets (X.690 §8.19.2).
void append_base128(Bytes& out, uint64_t v) {
  uint8_t septets[10];
  size_t n = 0;
  do {
    septets[n++] = v & 0x7f;
    v >>= 7;
  } while (v != 0);
  while (n > 0) {
    --n;
    out.push_back(static_cast<uint8_t>(septets[n] | (n > 0 ? 0x80 : 0x00)));
  }
}

// Two's-complement octets with redundant sign octets removed (X.690 §8.3.2); "0" when empty.
std::span<const uint8_t> minimal_twos_complement(std::span<const uint8_t> v) {
  size_t i = 0;
  while (i + 1 < v.size() &&
         ((v[i] == 0x00 && (v[i + 1] & 0x80) == 0) || (v[i] == 0xff && (v[i + 1] & 0x80) != 0))) {
    ++i;
  }
  return v.subspan(i);
}

}  // namespace

Result<std::span<const uint8_t>> decode_integer(std::span<const uint8_t> contents) {
  if (contents.empty()) return parse_error("INTEGER with no contents octets");
  if (contents.size() > 1 && ((contents[0] == 0x00 && (contents[1] & 0x80) == 0) ||
                              (contents[0] == 0xff && (contents[1] & 0x80) != 0))) {
    return parse_error("INTEGER not in its shortest form");
  }
  return contents;
}

Result<int64_t> decode_int64(std::span<const uint8_t> contents) {
  auto v = decode_integer(contents);
  if (!v) return Unexpected{v.error()};
  if (v->size() > 8) return fail(Errc::limit, "DER: INTEGER does not fit 64 bits");
  // Sign-extend from the first octet, then shift the rest in (unsigned, so no overflow).
  uint64_t u = ((*v)[0] & 0x80) ? ~uint64_t{0} : 0;
  for (uint8_t b : *v) u = (u << 8) | b;
  return static_cast<int64_t>(u);
}

Result<std::string> decode_oid(std::span<const uint8_t> contents) {
  if (contents.empty()) return parse_error("OBJECT IDENTIFIER with no contents octets");
  std::string out;
  uint64_t v = 0;
  bool first_arc = true;
  bool at_start = true;  // at the first octet of a subidentifier
  for (size_t i = 0; i < contents.size(); ++i) {
    const uint8_t b = contents[i];
    if (at_start && b == 0x80) return parse_error("OID subidentifier with a leading zero septet");
    if (v > (~uint64_t{0} >> 7)) return fail(Errc::limit, "DER: OID arc above 2^64-1");
    v = (v << 7) | (b & 0x7f);
    at_start = (b & 0x80) == 0;
    if (!at_start) continue;
    if (first_arc) {
      // §8.19.4: the first subidentifier is 40 * X + Y, X in 0..2 (Y < 40 unless X = 2).
      const uint64_t x = v < 40 ? 0 : v < 80 ? 1 : 2;
      out = std::to_string(x) + "." + std::to_string(v - 40 * x);
      first_arc = false;
    } else {
      out += '.';
      out += std::to_string(v);
    }
    v = 0;
  }
  if (!at_start) return parse_error("OID ends inside a subidentifier");
  return out;
}

Result<BitString> decode_bit_string(std::span<const uint8_t> contents) {
  if (contents.empty()) return parse_error("BIT STRING with no contents octets");
  const uint8_t unused = contents[0];
  if (unused > 7) return parse_error("BIT STRING with more than 7 unused bits");
  if (contents.size() == 1 && unused != 0) {
    return parse_error("empty BIT STRING with unused bits");
  }
  if (unused != 0 && (contents.back() & ((1u << unused) - 1)) != 0) {
    return parse_error("BIT STRING unused bits not zero");  // X.690 §11.2.1
  }
  return BitString{contents.subspan(1), unused};
}

Result<bool> decode_boolean(std::span<const uint8_t> contents) {
  if (contents.size() != 1) return parse_error("BOOLEAN not one octet");
  if (contents[0] != 0x00 && contents[0] != 0xff) return parse_error("BOOLEAN not 00 or FF");
  return contents[0] == 0xff;
}

Result<Bytes> encode_oid(std::string_view dotted) {
  auto bad = [&] {
    return fail(Errc::invalid_argument, "not a dotted OID: " + std::string{dotted});
  };
  std::vector<uint64_t> arcs;
  size_t start = 0;
  while (true) {
    const size_t dot = dotted.find('.', start);
    const std::string_view arc =
        dotted.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (arc.empty() || (arc.size() > 1 && arc[0] == '0')) return bad();
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(arc.data(), arc.data() + arc.size(), v);
    if (ec != std::errc{} || end != arc.data() + arc.size()) return bad();
    arcs.push_back(v);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40)) return bad();
  if (arcs[1] > ~uint64_t{0} - 80) return bad();
  Bytes out;
  append_base128(out, arcs[0] * 40 + arcs[1]);
  for (size_t i = 2; i < arcs.size(); ++i) append_base128(out, arcs[i]);
  return out;
}

std::optional<Tag> Reader::peek_tag() const {
  auto h = parse_header(data_, pos_);
  if (!h) return std::nullopt;
  return h->tag;
}

Result<Tlv> Reader::read_any() {
  auto h = parse_header(data_, pos_);
  if (!h) return Unexpected{h.error()};
  Tlv tlv{h->tag, data_.subspan(pos_ + h->header_size, h->length),
          data_.subspan(pos_, h->header_size + h->length)};
  pos_ += h->header_size + h->length;
  return tlv;
}

Result<Tlv> Reader::read(Tag expected) {
  auto h = parse_header(data_, pos_);
  if (!h) return Unexpected{h.error()};
  if (!(h->tag == expected)) return parse_error("unexpected tag");
  return read_any();
}

Result<Reader> Reader::enter(const Tlv& tlv) const {
  if (!tlv.tag.constructed) return parse_error("primitive TLV has no elements");
  if (depth_ + 1 > max_depth_) return fail(Errc::limit, "DER: nesting deeper than the limit");
  return Reader{tlv.value, depth_ + 1, max_depth_};
}

Result<Reader> Reader::read_constructed(Tag expected) {
  if (depth_ + 1 > max_depth_) return fail(Errc::limit, "DER: nesting deeper than the limit");
  auto tlv = read(expected);
  if (!tlv) return Unexpected{tlv.error()};
  return enter(*tlv);
}

Result<std::span<const uint8_t>> Reader::read_integer(Tag t) {
  const size_t at = pos_;
  auto tlv = read(t);
  if (!tlv) return Unexpected{tlv.error()};
  auto v = decode_integer(tlv->value);
  if (!v) pos_ = at;
  return v;
}

Result<int64_t> Reader::read_int64(Tag t) {
  const size_t at = pos_;
  auto tlv = read(t);
  if (!tlv) return Unexpected{tlv.error()};
  auto v = decode_int64(tlv->value);
  if (!v) pos_ = at;
  return v;
}

Result<std::span<const uint8_t>> Reader::read_unsigned(Tag t) {
  const size_t at = pos_;
  auto v = read_integer(t);
  if (!v) return v;
  if (((*v)[0] & 0x80) != 0) {
    pos_ = at;
    return parse_error("negative INTEGER where a non-negative one is required");
  }
  // A positive value whose top bit is set carries one 00 sign octet; the magnitude is without it.
  return (*v)[0] == 0x00 && v->size() > 1 ? v->subspan(1) : *v;
}

Result<std::string> Reader::read_oid(Tag t) {
  const size_t at = pos_;
  auto tlv = read(t);
  if (!tlv) return Unexpected{tlv.error()};
  auto v = decode_oid(tlv->value);
  if (!v) pos_ = at;
  return v;
}

Result<void> Reader::expect_oid(std::string_view dotted) {
  const size_t at = pos_;
  auto oid = read_oid();
  if (!oid) return Unexpected{oid.error()};
  if (*oid != dotted) {
    pos_ = at;
    return fail(Errc::parse, "DER: OID " + *oid + " where " + std::string{dotted} + " is required");
  }
  return {};
}

Result<std::span<const uint8_t>> Reader::read_octet_string(Tag t) {
  auto tlv = read(t);
  if (!tlv) return Unexpected{tlv.error()};
  return tlv->value;
}

Result<BitString> Reader::read_bit_string(Tag t) {
  const size_t at = pos_;
  auto tlv = read(t);
  if (!tlv) return Unexpected{tlv.error()};
  auto v = decode_bit_string(tlv->value);
  if (!v) pos_ = at;
  return v;
}

Result<void> Reader::read_null(Tag t) {
  const size_t at = pos_;
  auto tlv = read(t);
  if (!tlv) return Unexpected{tlv.error()};
  if (!tlv->value.empty()) {
    pos_ = at;
    return parse_error("NULL with contents octets");
  }
  return {};
}

Result<bool> Reader::read_boolean(Tag t) {
  const size_t at = pos_;
  auto tlv = read(t);
  if (!tlv) return Unexpected{tlv.error()};
  auto v = decode_boolean(tlv->value);
  if (!v) pos_ = at;
  return v;
}

Result<void> Reader::expect_end() const {
  if (!at_end()) return parse_error("trailing data");
  return {};
}

Writer& Writer::tlv(Tag t, std::span<const uint8_t> contents) {
  starts_.push_back(out_.size());
  append_tag(out_, t);
  append_length(out_, contents.size());
  out_.insert(out_.end(), contents.begin(), contents.end());
  return *this;
}

Writer& Writer::raw(std::span<const uint8_t> encoded) {
  starts_.push_back(out_.size());
  out_.insert(out_.end(), encoded.begin(), encoded.end());
  return *this;
}

void Writer::append_constructed(Tag t, const Writer& inner, bool sort_elements) {
  if (inner.error_) fail_with(*inner.error_);
  if (!sort_elements) {
    tlv(t, inner.out_);
    return;
  }
  std::vector<std::span<const uint8_t>> elements;
  for (size_t i = 0; i < inner.starts_.size(); ++i) {
    const size_t b = inner.starts_[i];
    const size_t e = i + 1 < inner.starts_.size() ? inner.starts_[i + 1] : inner.out_.size();
    elements.push_back(std::span<const uint8_t>{inner.out_}.subspan(b, e - b));
  }
  // X.690 §11.6: ascending order of the encodings, shorter first when one is a prefix.
  std::sort(elements.begin(), elements.end(), [](auto a, auto b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  });
  Bytes sorted;
  sorted.reserve(inner.out_.size());
  for (auto e : elements) sorted.insert(sorted.end(), e.begin(), e.end());
  tlv(t, sorted);
}

Writer& Writer::integer(int64_t v, Tag t) {
  uint8_t octets[8];
  for (int i = 0; i < 8; ++i)
    octets[i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (56 - 8 * i));
  return integer_from_twos_complement(octets, t);
}

Writer& Writer::integer_from_twos_complement(std::span<const uint8_t> v, Tag t) {
  static constexpr uint8_t kZero[] = {0};
  return tlv(t, v.empty() ? std::span<const uint8_t>{kZero} : minimal_twos_complement(v));
}

Writer& Writer::integer_from_unsigned(std::span<const uint8_t> magnitude, Tag t) {
  size_t i = 0;
  while (i < magnitude.size() && magnitude[i] == 0) ++i;
  Bytes contents;
  if (i == magnitude.size() || (magnitude[i] & 0x80) != 0) contents.push_back(0);
  contents.insert(contents.end(), magnitude.begin() + static_cast<ptrdiff_t>(i), magnitude.end());
  return tlv(t, contents);
}

Writer& Writer::oid(std::string_view dotted, Tag t) {
  auto contents = encode_oid(dotted);
  if (!contents) {
    fail_with(contents.error());
    return *this;
  }
  return tlv(t, *contents);
}

Writer& Writer::octet_string(std::span<const uint8_t> v, Tag t) {
  return tlv(t, v);
}

Writer& Writer::bit_string(std::span<const uint8_t> bytes, uint8_t unused_bits, Tag t) {
  if (unused_bits > 7 || (bytes.empty() && unused_bits != 0) ||
      (unused_bits != 0 && (bytes.back() & ((1u << unused_bits) - 1)) != 0)) {
    fail_with(make_error(Errc::invalid_argument, "BIT STRING unused bits invalid"));
    return *this;
  }
  Bytes contents;
  contents.reserve(bytes.size() + 1);
  contents.push_back(unused_bits);
  contents.insert(contents.end(), bytes.begin(), bytes.end());
  return tlv(t, contents);
}

Writer& Writer::null(Tag t) {
  return tlv(t, {});
}

Writer& Writer::boolean(bool v, Tag t) {
  const uint8_t octet = v ? 0xff : 0x00;
  return tlv(t, std::span<const uint8_t>{&octet, 1});
}

Result<Bytes> Writer::finish() && {
  if (error_) return Unexpected{std::move(*error_)};
  return std::move(out_);
}

}  // namespace sipcred::asn1
