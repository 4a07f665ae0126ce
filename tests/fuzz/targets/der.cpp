// Strict DER reader and writer (X.690 §10–11): any input the reader accepts, walked TLV by TLV
// (recursively, within the reader's depth limit), must come back octet for octet when written
// again; every typed value the decoders accept must re-encode to the same contents.
#include <algorithm>
#include <span>
#include <string>

#include "asn1/der.hpp"
#include "fuzz/registry.hpp"

using sipcred::fuzz::check;
namespace asn1 = sipcred::asn1;

namespace {

// The typed decoders and the writer agree on every primitive universal value they accept.
void check_typed(const asn1::Tlv& tlv) {
  if (tlv.tag.cls != asn1::TagClass::universal || tlv.tag.constructed) return;
  asn1::Writer w;
  switch (tlv.tag.number) {
    case 1:
      if (auto b = asn1::decode_boolean(tlv.value)) w.boolean(*b);
      break;
    case 2:
      if (auto i = asn1::decode_integer(tlv.value)) {
        w.integer_from_twos_complement(*i);
        if (auto small = asn1::decode_int64(tlv.value)) {
          asn1::Writer w64;
          w64.integer(*small);
          check(std::ranges::equal(w64.bytes(), tlv.encoding), "int64 INTEGER re-encodes");
        }
      }
      break;
    case 3:
      if (auto bits = asn1::decode_bit_string(tlv.value))
        w.bit_string(bits->bytes, bits->unused_bits);
      break;
    case 5:
      if (tlv.value.empty()) w.null();
      break;
    case 6:
      if (auto oid = asn1::decode_oid(tlv.value)) w.oid(*oid);
      break;
    default:
      return;
  }
  check(w.ok(), "the writer accepts what the decoder accepted");
  if (!w.bytes().empty()) {
    check(std::ranges::equal(w.bytes(), tlv.encoding), "typed value re-encodes to the same octets");
  }
}

bool walk(asn1::Reader& r, asn1::Writer& w, std::span<const uint8_t> input) {
  while (!r.at_end()) {
    auto tlv = r.read_any();
    if (!tlv) return false;
    check(tlv->encoding.data() >= input.data() &&
              tlv->encoding.data() + tlv->encoding.size() <= input.data() + input.size(),
          "a TLV lies inside the input");
    if (tlv->tag.constructed) {
      auto inner = r.enter(*tlv);
      if (!inner) return false;
      check(inner->depth() <= asn1::kDefaultMaxDepth, "depth limit holds");
      bool ok = true;
      w.constructed(tlv->tag, [&](asn1::Writer& cw) { ok = walk(*inner, cw, input); });
      if (!ok) return false;
    } else {
      check_typed(*tlv);
      w.tlv(tlv->tag, tlv->value);
    }
  }
  return true;
}

}  // namespace

SIPCRED_FUZZ_TARGET(der) {
  const std::span<const uint8_t> input{data, size};
  asn1::Reader r{input};
  asn1::Writer w;
  if (!walk(r, w, input)) return 0;
  check(w.ok(), "writer state after a successful walk");
  check(std::ranges::equal(w.bytes(), input), "DER re-encodes to the input octets");
  return 0;
}
