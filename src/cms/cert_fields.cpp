#include "cms/cert_fields.hpp"

#include "asn1/der.hpp"

namespace sipcred::cms {
namespace {

template <class T>
Result<T> forward_error(const Error& e) {
  return Unexpected{e};
}

Bytes copy(std::span<const uint8_t> s) {
  return Bytes(s.begin(), s.end());
}

// RFC 5280 §4.2.1.3: KeyUsage ::= BIT STRING; bit 0 is the first (most significant) bit.
uint16_t key_usage_bits(const asn1::BitString& bits) {
  uint16_t out = 0;
  for (size_t i = 0; i < bits.bit_length() && i < 16; ++i) {
    if (bits.bytes[i / 8] & (0x80 >> (i % 8))) out |= static_cast<uint16_t>(1u << i);
  }
  return out;
}

Result<void> read_extensions(asn1::Reader& exts, CertFields& c) {
  while (!exts.at_end()) {
    auto ext = exts.read_sequence();
    if (!ext) return Unexpected{ext.error()};
    auto id = ext->read_oid();
    if (!id) return Unexpected{id.error()};
    if (ext->next_is(asn1::tag::kBoolean)) {
      auto crit = ext->read_boolean();
      if (!crit) return Unexpected{crit.error()};
      // X.690 §11.5: a DEFAULT value (critical FALSE) is not encoded in DER.
      if (!*crit) return fail(Errc::parse, "certificate: extension with critical FALSE encoded");
    }
    auto value = ext->read_octet_string();
    if (!value) return Unexpected{value.error()};
    if (auto e = ext->expect_end(); !e) return e;
    asn1::Reader inner{*value};
    if (*id == "2.5.29.14") {  // subjectKeyIdentifier ::= OCTET STRING
      auto ski = inner.read_octet_string();
      if (!ski) return Unexpected{ski.error()};
      c.subject_key_id = copy(*ski);
    } else if (*id == "2.5.29.35") {  // AuthorityKeyIdentifier, keyIdentifier [0] IMPLICIT
      auto aki = inner.read_sequence();
      if (!aki) return Unexpected{aki.error()};
      if (aki->next_is(asn1::context(0))) {
        auto kid = aki->read_octet_string(asn1::context(0));
        if (!kid) return Unexpected{kid.error()};
        c.authority_key_id = copy(*kid);
      }
      continue;  // the other AKI fields are not needed
    } else if (*id == "2.5.29.15") {
      auto ku = inner.read_bit_string();
      if (!ku) return Unexpected{ku.error()};
      c.key_usage = key_usage_bits(*ku);
    } else {
      continue;
    }
    if (auto e = inner.expect_end(); !e) return e;
  }
  return {};
}

}  // namespace

Result<CertFields> parse_certificate(std::span<const uint8_t> der) {
  CertFields c;
  c.der = copy(der);
  asn1::Reader top{der};
  auto cert = top.read_sequence();
  if (!cert) return forward_error<CertFields>(cert.error());
  if (auto e = top.expect_end(); !e) return forward_error<CertFields>(e.error());
  auto tbs_tlv = cert->read_any();
  if (!tbs_tlv) return forward_error<CertFields>(tbs_tlv.error());
  if (tbs_tlv->tag != asn1::tag::kSequence)
    return fail(Errc::parse, "certificate: no TBSCertificate");
  c.tbs = copy(tbs_tlv->encoding);
  auto sig_alg = cert->read_sequence();
  if (!sig_alg) return forward_error<CertFields>(sig_alg.error());
  auto sig_oid = sig_alg->read_oid();
  if (!sig_oid) return forward_error<CertFields>(sig_oid.error());
  c.signature_algorithm = *sig_oid;
  auto sig = cert->read_bit_string();
  if (!sig) return forward_error<CertFields>(sig.error());
  if (sig->unused_bits != 0) return fail(Errc::parse, "certificate: signature with unused bits");
  c.signature = copy(sig->bytes);
  if (auto e = cert->expect_end(); !e) return forward_error<CertFields>(e.error());

  auto tbs = cert->enter(*tbs_tlv);
  if (!tbs) return forward_error<CertFields>(tbs.error());
  if (tbs->next_is(asn1::context(0, true))) {  // version [0] EXPLICIT
    auto v = tbs->read_explicit(0);
    if (!v) return forward_error<CertFields>(v.error());
    auto n = v->read_int64();
    if (!n) return forward_error<CertFields>(n.error());
    if (*n < 0 || *n > 2) return fail(Errc::parse, "certificate: unknown version");
  }
  auto serial = tbs->read_integer();
  if (!serial) return forward_error<CertFields>(serial.error());
  c.serial = copy(*serial);
  if (auto a = tbs->read_sequence(); !a) return forward_error<CertFields>(a.error());
  auto issuer = tbs->read(asn1::tag::kSequence);
  if (!issuer) return forward_error<CertFields>(issuer.error());
  c.issuer = copy(issuer->encoding);
  if (auto v = tbs->read_sequence(); !v) return forward_error<CertFields>(v.error());
  auto subject = tbs->read(asn1::tag::kSequence);
  if (!subject) return forward_error<CertFields>(subject.error());
  c.subject = copy(subject->encoding);
  auto spki_tlv = tbs->read(asn1::tag::kSequence);
  if (!spki_tlv) return forward_error<CertFields>(spki_tlv.error());
  c.spki = copy(spki_tlv->encoding);
  {
    auto spki = tbs->enter(*spki_tlv);
    if (!spki) return forward_error<CertFields>(spki.error());
    auto alg = spki->read_sequence();
    if (!alg) return forward_error<CertFields>(alg.error());
    auto oid = alg->read_oid();
    if (!oid) return forward_error<CertFields>(oid.error());
    c.spki_algorithm = *oid;
    if (!alg->at_end()) {
      auto params = alg->read_any();
      if (!params) return forward_error<CertFields>(params.error());
      c.spki_parameters = copy(params->encoding);
    }
    if (auto e = alg->expect_end(); !e) return forward_error<CertFields>(e.error());
    auto key = spki->read_bit_string();
    if (!key) return forward_error<CertFields>(key.error());
    c.public_key = copy(key->bytes);
    if (auto e = spki->expect_end(); !e) return forward_error<CertFields>(e.error());
  }
  // issuerUniqueID [1], subjectUniqueID [2] (skipped), extensions [3] EXPLICIT.
  for (uint32_t n : {1u, 2u}) {
    if (tbs->next_is(asn1::context(n))) {
      if (auto u = tbs->read_any(); !u) return forward_error<CertFields>(u.error());
    }
  }
  if (tbs->next_is(asn1::context(3, true))) {
    auto wrapper = tbs->read_explicit(3);
    if (!wrapper) return forward_error<CertFields>(wrapper.error());
    auto exts = wrapper->read_sequence();
    if (!exts) return forward_error<CertFields>(exts.error());
    if (auto e = read_extensions(*exts, c); !e) return forward_error<CertFields>(e.error());
    if (auto e = wrapper->expect_end(); !e) return forward_error<CertFields>(e.error());
  }
  if (auto e = tbs->expect_end(); !e) return forward_error<CertFields>(e.error());
  return c;
}

Bytes issuer_and_serial_der(const CertFields& c) {
  asn1::Writer w;
  w.sequence([&](asn1::Writer& s) { s.raw(c.issuer).integer_from_twos_complement(c.serial); });
  return std::move(w).finish().value_or(Bytes{});
}

}  // namespace sipcred::cms
