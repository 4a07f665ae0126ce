#include "cms/structures.hpp"

#include "asn1/der.hpp"
#include "cms/try.hpp"

namespace sipcred::cms {
namespace {

using asn1::context;
using asn1::Reader;
using asn1::Tlv;
using asn1::Writer;
namespace tag = asn1::tag;

Bytes copy(std::span<const uint8_t> s) {
  return Bytes(s.begin(), s.end());
}

Unexpected bad(const std::string& what) {
  return fail(Errc::parse, "CMS: " + what);
}

// --- reading ---

Result<AlgorithmIdentifier> read_alg(Reader& r) {
  CMS_TRY(seq, r.read_sequence());
  AlgorithmIdentifier a;
  CMS_TRY(id, seq->read_oid());
  a.algorithm = *id;
  if (!seq->at_end()) {
    CMS_TRY(params, seq->read_any());
    a.parameters = copy(params->encoding);
  }
  CMS_CHECK(seq->expect_end());
  return a;
}

Result<IssuerAndSerialNumber> read_ias(Reader& r) {
  CMS_TRY(seq, r.read_sequence());
  IssuerAndSerialNumber ias;
  CMS_TRY(name, seq->read(tag::kSequence));
  ias.issuer = copy(name->encoding);
  CMS_TRY(serial, seq->read_integer());
  ias.serial = copy(*serial);
  CMS_CHECK(seq->expect_end());
  return ias;
}

// Optional trailing `date GeneralizedTime, other OtherKeyAttribute` of RecipientKeyIdentifier and
// KEKIdentifier, kept raw.
Result<void> read_date_other(Reader& r, Bytes& date, Bytes& other) {
  if (r.next_is(tag::kGeneralizedTime)) {
    CMS_TRY(d, r.read_any());
    date = copy(d->encoding);
  }
  if (r.next_is(tag::kSequence)) {
    CMS_TRY(o, r.read_any());
    other = copy(o->encoding);
  }
  return r.expect_end();
}

Result<KeyAgreeRecipientInfo> read_kari(Reader& r) {
  KeyAgreeRecipientInfo k;
  CMS_TRY(version, r.read_int64());
  k.version = *version;
  CMS_TRY(orig, r.read_explicit(0));
  if (orig->next_is(tag::kSequence)) {
    CMS_TRY(ias, read_ias(*orig));
    k.originator = std::move(*ias);
  } else if (orig->next_is(context(0))) {
    CMS_TRY(ski, orig->read_octet_string(context(0)));
    k.originator = SubjectKeyIdentifier{copy(*ski)};
  } else if (orig->next_is(context(1, true))) {
    CMS_TRY(key, orig->read_constructed(context(1, true)));
    OriginatorPublicKey opk;
    CMS_TRY(alg, read_alg(*key));
    opk.algorithm = std::move(*alg);
    CMS_TRY(bits, key->read_bit_string());
    if (bits->unused_bits != 0) return bad("originatorKey with unused bits");
    opk.public_key = copy(bits->bytes);
    CMS_CHECK(key->expect_end());
    k.originator = std::move(opk);
  } else {
    return bad("unknown OriginatorIdentifierOrKey");
  }
  CMS_CHECK(orig->expect_end());
  if (r.next_is(context(1, true))) {
    CMS_TRY(ukm_wrapper, r.read_explicit(1));
    CMS_TRY(ukm, ukm_wrapper->read_octet_string());
    CMS_CHECK(ukm_wrapper->expect_end());
    k.ukm = copy(*ukm);
  }
  CMS_TRY(alg, read_alg(r));
  k.key_encryption_algorithm = std::move(*alg);
  CMS_TRY(reks, r.read_sequence());
  while (!reks->at_end()) {
    CMS_TRY(rek, reks->read_sequence());
    RecipientEncryptedKey e;
    if (rek->next_is(tag::kSequence)) {
      CMS_TRY(ias, read_ias(*rek));
      e.rid = std::move(*ias);
    } else if (rek->next_is(context(0, true))) {
      CMS_TRY(rkey, rek->read_constructed(context(0, true)));
      RecipientKeyIdentifier rk;
      CMS_TRY(ski, rkey->read_octet_string());
      rk.subject_key_identifier = copy(*ski);
      CMS_CHECK(read_date_other(*rkey, rk.date, rk.other));
      e.rid = std::move(rk);
    } else {
      return bad("unknown KeyAgreeRecipientIdentifier");
    }
    CMS_TRY(ek, rek->read_octet_string());
    e.encrypted_key = copy(*ek);
    CMS_CHECK(rek->expect_end());
    k.recipient_encrypted_keys.push_back(std::move(e));
  }
  if (k.recipient_encrypted_keys.empty()) return bad("KeyAgreeRecipientInfo without keys");
  CMS_CHECK(r.expect_end());
  return k;
}

// The common end of ktri and kekri: keyEncryptionAlgorithm, encryptedKey, nothing after.
Result<void> read_wrapped_key(Reader& r, AlgorithmIdentifier& alg, Bytes& key) {
  CMS_TRY(a, read_alg(r));
  alg = std::move(*a);
  CMS_TRY(ek, r.read_octet_string());
  key = copy(*ek);
  return r.expect_end();
}

Result<KeyTransRecipientInfo> read_ktri(Reader& r) {
  KeyTransRecipientInfo k;
  CMS_TRY(version, r.read_int64());
  k.version = *version;
  if (r.next_is(tag::kSequence)) {
    CMS_TRY(ias, read_ias(r));
    k.rid = std::move(*ias);
  } else {
    CMS_TRY(ski, r.read_octet_string(context(0)));
    k.rid = SubjectKeyIdentifier{copy(*ski)};
  }
  CMS_CHECK(read_wrapped_key(r, k.key_encryption_algorithm, k.encrypted_key));
  return k;
}

Result<KekRecipientInfo> read_kekri(Reader& r) {
  KekRecipientInfo k;
  CMS_TRY(version, r.read_int64());
  k.version = *version;
  CMS_TRY(kekid, r.read_sequence());
  CMS_TRY(id, kekid->read_octet_string());
  k.key_identifier = copy(*id);
  CMS_CHECK(read_date_other(*kekid, k.date, k.other));
  CMS_CHECK(read_wrapped_key(r, k.key_encryption_algorithm, k.encrypted_key));
  return k;
}

Result<RecipientInfo> read_recipient_info(Reader& set) {
  CMS_TRY(tlv, set.read_any());
  const asn1::Tag t = tlv->tag;
  if (t == context(3, true) || t == context(4, true)) {
    return RecipientInfo{OtherRecipientInfo{copy(tlv->encoding)}};
  }
  CMS_TRY(inner, set.enter(*tlv));
  if (t == tag::kSequence) {
    CMS_TRY(k, read_ktri(*inner));
    return RecipientInfo{std::move(*k)};
  }
  if (t == context(1, true)) {
    CMS_TRY(k, read_kari(*inner));
    return RecipientInfo{std::move(*k)};
  }
  if (t == context(2, true)) {
    CMS_TRY(k, read_kekri(*inner));
    return RecipientInfo{std::move(*k)};
  }
  return bad("unknown RecipientInfo choice");
}

Result<EncryptedContentInfo> read_eci(Reader& r) {
  CMS_TRY(seq, r.read_sequence());
  EncryptedContentInfo e;
  CMS_TRY(type, seq->read_oid());
  e.content_type = *type;
  CMS_TRY(alg, read_alg(*seq));
  e.content_encryption_algorithm = std::move(*alg);
  if (!seq->at_end()) {
    // DER: [0] IMPLICIT OCTET STRING is primitive (the constructed BER form is not DER).
    CMS_TRY(content, seq->read_octet_string(context(0)));
    e.encrypted_content = copy(*content);
  }
  CMS_CHECK(seq->expect_end());
  return e;
}

// SET OF anything, each element kept whole. `tagged` is the IMPLICIT [n] of the SET.
Result<std::vector<Bytes>> read_raw_set(Reader& r, asn1::Tag tagged) {
  CMS_TRY(set, r.read_constructed(tagged));
  std::vector<Bytes> out;
  while (!set->at_end()) {
    CMS_TRY(e, set->read_any());
    out.push_back(copy(e->encoding));
  }
  return out;
}

// unprotectedAttrs [1] IMPLICIT SET SIZE (1..MAX) OF Attribute OPTIONAL (RFC 5652 §6.1, §8).
Result<std::vector<Bytes>> read_unprotected_attrs(Reader& r) {
  if (!r.next_is(context(1, true))) return std::vector<Bytes>{};
  CMS_TRY(attrs, read_raw_set(r, context(1, true)));
  if (attrs->empty()) return bad("empty unprotectedAttrs");
  return attrs;
}

}  // namespace

// One SEQUENCE and nothing after it, as a reader over its contents.
Result<Reader> read_only_sequence(std::span<const uint8_t> der) {
  Reader top{der};
  CMS_TRY(seq, top.read_sequence());
  CMS_CHECK(top.expect_end());
  return seq;
}

namespace {

// --- writing ---

void write_alg(Writer& w, const AlgorithmIdentifier& a) {
  w.sequence([&](Writer& s) {
    s.oid(a.algorithm);
    if (!a.parameters.empty()) s.raw(a.parameters);
  });
}

void write_ias(Writer& w, const IssuerAndSerialNumber& ias) {
  w.sequence([&](Writer& s) { s.raw(ias.issuer).integer_from_twos_complement(ias.serial); });
}

void write_raw_set(Writer& w, asn1::Tag tagged, const std::vector<Bytes>& elements) {
  Writer sorted;
  sorted.set_of([&](Writer& s) {
    for (const auto& e : elements) s.raw(e);
  });
  // set_of writes a universal SET; re-tag its contents with the IMPLICIT tag.
  Reader r{sorted.bytes()};
  auto tlv = r.read_any();
  w.tlv(tagged, tlv ? tlv->value : std::span<const uint8_t>{});
}

void write_kari(Writer& w, const KeyAgreeRecipientInfo& k) {
  w.constructed(context(1, true), [&](Writer& s) {
    s.integer(k.version);
    s.explicit_tag(0, [&](Writer& o) {
      if (const auto* ias = std::get_if<IssuerAndSerialNumber>(&k.originator)) {
        write_ias(o, *ias);
      } else if (const auto* ski = std::get_if<SubjectKeyIdentifier>(&k.originator)) {
        o.octet_string(ski->value, context(0));
      } else {
        const auto& opk = std::get<OriginatorPublicKey>(k.originator);
        o.constructed(context(1, true), [&](Writer& key) {
          write_alg(key, opk.algorithm);
          key.bit_string(opk.public_key);
        });
      }
    });
    if (k.ukm) s.explicit_tag(1, [&](Writer& u) { u.octet_string(*k.ukm); });
    write_alg(s, k.key_encryption_algorithm);
    s.sequence([&](Writer& reks) {
      for (const auto& e : k.recipient_encrypted_keys) {
        reks.sequence([&](Writer& rek) {
          if (const auto* ias = std::get_if<IssuerAndSerialNumber>(&e.rid)) {
            write_ias(rek, *ias);
          } else {
            const auto& rk = std::get<RecipientKeyIdentifier>(e.rid);
            rek.constructed(context(0, true), [&](Writer& id) {
              id.octet_string(rk.subject_key_identifier);
              if (!rk.date.empty()) id.raw(rk.date);
              if (!rk.other.empty()) id.raw(rk.other);
            });
          }
          rek.octet_string(e.encrypted_key);
        });
      }
    });
  });
}

void write_recipient_info(Writer& w, const RecipientInfo& ri) {
  if (const auto* kt = std::get_if<KeyTransRecipientInfo>(&ri)) {
    w.sequence([&](Writer& s) {
      s.integer(kt->version);
      if (const auto* ias = std::get_if<IssuerAndSerialNumber>(&kt->rid)) {
        write_ias(s, *ias);
      } else {
        s.octet_string(std::get<SubjectKeyIdentifier>(kt->rid).value, context(0));
      }
      write_alg(s, kt->key_encryption_algorithm);
      s.octet_string(kt->encrypted_key);
    });
  } else if (const auto* ka = std::get_if<KeyAgreeRecipientInfo>(&ri)) {
    write_kari(w, *ka);
  } else if (const auto* kek = std::get_if<KekRecipientInfo>(&ri)) {
    w.constructed(context(2, true), [&](Writer& s) {
      s.integer(kek->version);
      s.sequence([&](Writer& id) {
        id.octet_string(kek->key_identifier);
        if (!kek->date.empty()) id.raw(kek->date);
        if (!kek->other.empty()) id.raw(kek->other);
      });
      write_alg(s, kek->key_encryption_algorithm);
      s.octet_string(kek->encrypted_key);
    });
  } else {
    w.raw(std::get<OtherRecipientInfo>(ri).encoding);
  }
}

void write_eci(Writer& w, const EncryptedContentInfo& e) {
  w.sequence([&](Writer& s) {
    s.oid(e.content_type);
    write_alg(s, e.content_encryption_algorithm);
    if (e.encrypted_content) s.octet_string(*e.encrypted_content, context(0));
  });
}

}  // namespace

Result<AlgorithmIdentifier> parse_algorithm_identifier(std::span<const uint8_t> der) {
  Reader r{der};
  CMS_TRY(a, read_alg(r));
  CMS_CHECK(r.expect_end());
  return a;
}

Result<ContentInfo> parse_content_info(std::span<const uint8_t> der) {
  CMS_TRY(seq, read_only_sequence(der));
  ContentInfo ci;
  CMS_TRY(type, seq->read_oid());
  ci.content_type = *type;
  CMS_TRY(content, seq->read_explicit(0));
  CMS_TRY(inner, content->read_any());
  ci.content = copy(inner->encoding);
  CMS_CHECK(content->expect_end());
  CMS_CHECK(seq->expect_end());
  return ci;
}

Result<EnvelopedData> parse_enveloped_data(std::span<const uint8_t> der) {
  CMS_TRY(seq, read_only_sequence(der));
  EnvelopedData ed;
  CMS_TRY(version, seq->read_int64());
  ed.version = *version;
  if (seq->next_is(context(0, true))) {
    ed.has_originator_info = true;
    CMS_TRY(oi, seq->read_constructed(context(0, true)));
    if (oi->next_is(context(0, true))) {
      CMS_TRY(certs, read_raw_set(*oi, context(0, true)));
      ed.originator_certificates = std::move(*certs);
    }
    if (oi->next_is(context(1, true))) {
      CMS_TRY(crls, read_raw_set(*oi, context(1, true)));
      ed.originator_crls = std::move(*crls);
    }
    CMS_CHECK(oi->expect_end());
  }
  CMS_TRY(ris, seq->read_set());
  while (!ris->at_end()) {
    CMS_TRY(ri, read_recipient_info(*ris));
    ed.recipient_infos.push_back(std::move(*ri));
  }
  if (ed.recipient_infos.empty()) return bad("EnvelopedData without RecipientInfos");
  CMS_TRY(eci, read_eci(*seq));
  ed.encrypted_content_info = std::move(*eci);
  CMS_TRY(attrs, read_unprotected_attrs(*seq));
  ed.unprotected_attrs = std::move(*attrs);
  CMS_CHECK(seq->expect_end());
  return ed;
}

Result<EncryptedData> parse_encrypted_data(std::span<const uint8_t> der) {
  CMS_TRY(seq, read_only_sequence(der));
  EncryptedData ed;
  CMS_TRY(version, seq->read_int64());
  ed.version = *version;
  CMS_TRY(eci, read_eci(*seq));
  ed.encrypted_content_info = std::move(*eci);
  CMS_TRY(attrs, read_unprotected_attrs(*seq));
  ed.unprotected_attrs = std::move(*attrs);
  CMS_CHECK(seq->expect_end());
  return ed;
}

Result<Bytes> encode(const AlgorithmIdentifier& alg) {
  Writer w;
  write_alg(w, alg);
  return std::move(w).finish();
}

Result<Bytes> encode(const ContentInfo& ci) {
  Writer w;
  w.sequence([&](Writer& s) {
    s.oid(ci.content_type);
    s.explicit_tag(0, [&](Writer& c) { c.raw(ci.content); });
  });
  return std::move(w).finish();
}

Result<Bytes> encode(const EnvelopedData& ed) {
  if (ed.recipient_infos.empty()) {
    return fail(Errc::invalid_argument, "EnvelopedData needs at least one RecipientInfo");
  }
  Writer w;
  w.sequence([&](Writer& s) {
    s.integer(ed.version);
    const bool originator_info = ed.has_originator_info || !ed.originator_certificates.empty() ||
                                 !ed.originator_crls.empty();
    if (originator_info) {
      s.constructed(context(0, true), [&](Writer& oi) {
        if (!ed.originator_certificates.empty()) {
          write_raw_set(oi, context(0, true), ed.originator_certificates);
        }
        if (!ed.originator_crls.empty()) write_raw_set(oi, context(1, true), ed.originator_crls);
      });
    }
    s.set_of([&](Writer& set) {
      for (const auto& ri : ed.recipient_infos) write_recipient_info(set, ri);
    });
    write_eci(s, ed.encrypted_content_info);
    if (!ed.unprotected_attrs.empty()) write_raw_set(s, context(1, true), ed.unprotected_attrs);
  });
  return std::move(w).finish();
}

Result<Bytes> encode(const EncryptedData& ed) {
  Writer w;
  w.sequence([&](Writer& s) {
    s.integer(ed.version);
    write_eci(s, ed.encrypted_content_info);
    if (!ed.unprotected_attrs.empty()) write_raw_set(s, context(1, true), ed.unprotected_attrs);
  });
  return std::move(w).finish();
}

}  // namespace sipcred::cms
