#include "cms/rfc2876/envelope.hpp"

#include <algorithm>

#include "asn1/der.hpp"
#include "cms/rfc2876/fortezza_wrap.hpp"
#include "cms/try.hpp"
#include "crypto/hash.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

Bytes der_of(asn1::Writer&& w) {
  return std::move(w).finish().value_or(Bytes{});
}

// RFC 2876 §4.2.1: keyEncryptionAlgorithm { id-kEAKeyEncryptionAlgorithm, KeyWrapAlgorithm
// { id-fortezzaWrap80 } } with the KeyWrapAlgorithm's parameters absent.
AlgorithmIdentifier kea_key_encryption_algorithm() {
  AlgorithmIdentifier wrap{std::string{oid::kFortezzaWrap80}, {}};
  return AlgorithmIdentifier{std::string{oid::kKeaKeyEncryption}, encode(wrap).value_or(Bytes{})};
}

bool is_kea_algorithm(std::string_view alg) {
  return alg == oid::kKeyExchangeAlgorithm || alg == oid::kKeaKeyEncryption ||
         alg == oid::kFortezzaWrap80;
}

bool same_cert(const KeaCertificate& a, const KeaCertificate& b) {
  return a.fields.der == b.fields.der;
}

bool matches(const KeyAgreeRecipientIdentifier& rid, const CertFields& cert) {
  if (const auto* rk = std::get_if<RecipientKeyIdentifier>(&rid)) {
    return !cert.subject_key_id.empty() && rk->subject_key_identifier == cert.subject_key_id;
  }
  const auto& ias = std::get<IssuerAndSerialNumber>(rid);
  return ias.issuer == cert.issuer && ias.serial == cert.serial;
}

Result<SkipjackKey> random_key() {
  SkipjackKey k;
  CMS_TRY(r, crypto::random_bytes(k.size()));
  std::copy(r->begin(), r->end(), k.begin());
  secure_wipe(r->data(), r->size());
  return k;
}

KeyView key_view(const SkipjackKey& k) {
  return KeyView{k.data(), k.size()};
}

Result<OriginatorIdentifierOrKey> originator_field(const KeaCredential& o,
                                                   const KeaEnvelopeOptions& opt) {
  switch (opt.originator) {
    case OriginatorChoice::subject_key_identifier:
      // §4.2: subjectKeyIdentifier only when originatorInfo holds the certificate.
      if (!opt.include_originator_certificate) {
        return fail(Errc::invalid_argument,
                    "RFC 2876 §4.2: without the originator's certificate in originatorInfo the "
                    "originator MUST be issuerAndSerialNumber");
      }
      if (o.cert.fields.subject_key_id.empty()) {
        return fail(Errc::invalid_argument, "originator certificate has no subjectKeyIdentifier");
      }
      return OriginatorIdentifierOrKey{SubjectKeyIdentifier{o.cert.fields.subject_key_id}};
    case OriginatorChoice::issuer_and_serial_number:
      return OriginatorIdentifierOrKey{
          IssuerAndSerialNumber{o.cert.fields.issuer, o.cert.fields.serial}};
    case OriginatorChoice::originator_key: {
      // §4.2: id-keyExchangeAlgorithm, the domain identifier as OCTET STRING, y in the BIT STRING.
      asn1::Writer params;
      params.octet_string(o.cert.domain_id);
      return OriginatorIdentifierOrKey{OriginatorPublicKey{
          {std::string{oid::kKeyExchangeAlgorithm}, der_of(std::move(params))}, o.cert.y}};
    }
  }
  return fail(Errc::invalid_argument, "unknown originator choice");
}

// One KeyAgreeRecipientInfo with a fresh UKM (R_A) for `group`.
Result<KeyAgreeRecipientInfo> make_kari(const KeaCredential& o, const OriginatorIdentifierOrKey& id,
                                        std::span<const KeaCertificate* const> group,
                                        const SkipjackKey& cek) {
  CMS_TRY(ephemeral, generate_kea_key_pair(o.domain));
  KeyAgreeRecipientInfo kari;
  kari.version = 3;  // RFC 5652 §6.2.2
  kari.originator = id;
  kari.ukm = ephemeral->y;  // §4.2.1.1: the 128-octet UKM is R_A
  kari.key_encryption_algorithm = kea_key_encryption_algorithm();
  for (const KeaCertificate* r : group) {
    CMS_TRY(tek, kea_email_originator(o.domain, o.key, *ephemeral, r->y));
    const WrappedKey wrapped = fortezza_wrap80(key_view(*tek), key_view(cek));
    secure_wipe(tek->data(), tek->size());
    // §4.2.1.1 step 4: rid is rKeyId with the recipient's SKI, date and other absent.
    kari.recipient_encrypted_keys.push_back(
        {RecipientKeyIdentifier{r->fields.subject_key_id, {}, {}},
         Bytes(wrapped.begin(), wrapped.end())});
  }
  return kari;
}

// Finds the originator's public value and domain identifier named by a KeyAgreeRecipientInfo.
struct OriginatorKey {
  Bytes y;
  KeaDomainId domain_id;
};

Result<OriginatorKey> resolve_originator(const OriginatorIdentifierOrKey& id,
                                         const std::vector<KeaCertificate>& candidates) {
  if (const auto* opk = std::get_if<OriginatorPublicKey>(&id)) {
    if (opk->algorithm.algorithm != oid::kKeyExchangeAlgorithm) {
      return fail(Errc::parse, "originatorKey is not id-keyExchangeAlgorithm");
    }
    asn1::Reader r{opk->algorithm.parameters};
    auto did = r.read_octet_string();
    if (!did || !r.at_end() || did->size() != 10) {
      return fail(Errc::parse, "originatorKey parameters are not a 10-octet domain identifier");
    }
    CMS_TRY(y, kea_fixed_public(opk->public_key));
    OriginatorKey k{std::move(*y), {}};
    std::copy(did->begin(), did->end(), k.domain_id.begin());
    return k;
  }
  for (const auto& c : candidates) {
    bool hit = false;
    if (const auto* ski = std::get_if<SubjectKeyIdentifier>(&id)) {
      hit = !ski->value.empty() && ski->value == c.fields.subject_key_id;
    } else {
      const auto& ias = std::get<IssuerAndSerialNumber>(id);
      hit = ias.issuer == c.fields.issuer && ias.serial == c.fields.serial;
    }
    if (hit) return OriginatorKey{c.y, c.domain_id};
  }
  return fail(Errc::not_found, "the originator's KEA certificate is not known");
}

Result<Bytes> decrypt_content(const EncryptedContentInfo& eci, const SkipjackKey& cek) {
  CMS_TRY(iv, skipjack_iv(eci.content_encryption_algorithm));
  if (!eci.encrypted_content) return fail(Errc::parse, "CMS: detached content is not supported");
  return skipjack_cbc_decrypt(key_view(cek), *iv, *eci.encrypted_content);
}

Result<EncryptedContentInfo> encrypt_content(std::span<const uint8_t> plaintext,
                                             const SkipjackKey& cek) {
  CMS_TRY(iv_bytes, crypto::random_bytes(kSkipjackBlockSize));
  SkipjackBlock iv;
  std::copy(iv_bytes->begin(), iv_bytes->end(), iv.begin());
  EncryptedContentInfo eci;
  eci.content_type = std::string{oid::kData};
  eci.content_encryption_algorithm = skipjack_algorithm(iv);
  eci.encrypted_content = skipjack_cbc_encrypt(key_view(cek), iv, plaintext);
  return eci;
}

}  // namespace

AlgorithmIdentifier skipjack_algorithm(BlockView iv) {
  asn1::Writer parm;
  parm.sequence([&](asn1::Writer& s) { s.octet_string(iv); });
  return AlgorithmIdentifier{std::string{oid::kFortezzaConfidentiality}, der_of(std::move(parm))};
}

Result<SkipjackBlock> skipjack_iv(const AlgorithmIdentifier& alg) {
  if (alg.algorithm != oid::kFortezzaConfidentiality) {
    return fail(Errc::parse, "content encryption is not id-fortezzaConfidentialityAlgorithm");
  }
  // RFC 2876 §8: parameters MUST be present: Skipjack-Parm ::= SEQUENCE { OCTET STRING }.
  asn1::Reader r{alg.parameters};
  auto seq = r.read_sequence();
  if (!seq || !r.at_end()) return fail(Errc::parse, "Skipjack-Parm missing or malformed");
  auto iv = seq->read_octet_string();
  if (!iv || !seq->at_end() || iv->size() != kSkipjackBlockSize) {
    return fail(Errc::parse, "Skipjack-Parm IV is not 8 octets");
  }
  SkipjackBlock out;
  std::copy(iv->begin(), iv->end(), out.begin());
  return out;
}

Result<Bytes> envelop(std::span<const uint8_t> plaintext, const KeaCredential* originator,
                      std::span<const KeaCertificate> recipients,
                      std::span<const KekRecipient> kek_recipients,
                      const KeaEnvelopeOptions& options) {
  if (recipients.empty() && kek_recipients.empty()) {
    return fail(Errc::invalid_argument, "no recipient");
  }
  if (!recipients.empty() && originator == nullptr) {
    return fail(Errc::invalid_argument, "KEA recipients need an originator KEA credential");
  }
  for (const auto& c : options.chain) {
    CMS_TRY(f, parse_certificate(c));
    if (f->issuer == f->subject) {
      return fail(Errc::invalid_argument,
                  "RFC 2876 §4.1: self-signed certificates SHOULD NOT be in originatorInfo");
    }
  }
  // §4: a fresh CEK and IV for every EnvelopedData.
  CMS_TRY(cek, random_key());
  EnvelopedData ed;
  ed.version = 2;  // §4.1
  CMS_TRY(eci, encrypt_content(plaintext, *cek));
  ed.encrypted_content_info = std::move(*eci);

  if (originator != nullptr && !recipients.empty()) {
    if (kea_domain_identifier(originator->domain) != originator->cert.domain_id) {
      return fail(Errc::invalid_argument,
                  "originator's domain parameters do not match its certificate");
    }
    std::vector<const KeaCertificate*> kea;
    for (const auto& r : recipients) {
      if (r.fields.subject_key_id.empty()) {
        return fail(
            Errc::invalid_argument,
            "RFC 2876 §4.2.1.1: a KEA recipient's certificate needs a subjectKeyIdentifier");
      }
      // §4.2.1.1: the parameters must be identical for KEA to agree on a key.
      if (r.domain_id != originator->cert.domain_id) {
        return fail(Errc::invalid_argument,
                    "a recipient's KEA domain identifier differs from the originator's");
      }
      kea.push_back(&r);
    }
    if (options.copy_for_originator &&
        std::none_of(recipients.begin(), recipients.end(),
                     [&](const KeaCertificate& r) { return same_cert(r, originator->cert); })) {
      kea.push_back(&originator->cert);  // §4.2.1: so that the originator can read it
    }
    CMS_TRY(id, originator_field(*originator, options));
    if (options.ukm == UkmOption::shared) {
      // All recipients share the originator's parameters (checked above): exactly one kari.
      CMS_TRY(kari, make_kari(*originator, *id, kea, *cek));
      ed.recipient_infos.emplace_back(std::move(*kari));
    } else {
      for (const KeaCertificate* r : kea) {
        const KeaCertificate* one[1] = {r};
        CMS_TRY(kari, make_kari(*originator, *id, one, *cek));
        ed.recipient_infos.emplace_back(std::move(*kari));
      }
    }
    if (options.include_originator_certificate) {
      ed.originator_certificates.push_back(originator->cert.fields.der);
      for (const auto& c : options.chain) ed.originator_certificates.push_back(c);
    }
  }
  for (const auto& k : kek_recipients) {
    // §4.3: keyEncryptionAlgorithm id-fortezzaWrap80, parameters absent.
    const WrappedKey wrapped = fortezza_wrap80(key_view(k.kek), key_view(*cek));
    ed.recipient_infos.emplace_back(KekRecipientInfo{4,
                                                     k.key_identifier,
                                                     {},
                                                     {},
                                                     {std::string{oid::kFortezzaWrap80}, {}},
                                                     Bytes(wrapped.begin(), wrapped.end())});
  }
  secure_wipe(cek->data(), cek->size());
  CMS_TRY(body, encode(ed));
  return encode(ContentInfo{std::string{oid::kEnvelopedData}, std::move(*body)});
}

Result<Opened> open_enveloped(std::span<const uint8_t> content_info_der, const OpenKeys& keys) {
  CMS_TRY(ci, parse_content_info(content_info_der));
  if (ci->content_type != oid::kEnvelopedData) return fail(Errc::parse, "not an EnvelopedData");
  CMS_TRY(ed, parse_enveloped_data(ci->content));
  if (ed->version != 2) return fail(Errc::parse, "RFC 2876 §4.1: EnvelopedData version is not 2");
  const auto& eci = ed->encrypted_content_info;
  CMS_CHECK(skipjack_iv(eci.content_encryption_algorithm));

  // CMS-11 first: §4 "The key transport technique MUST NOT be used with KEA."
  for (const auto& ri : ed->recipient_infos) {
    const auto* kt = std::get_if<KeyTransRecipientInfo>(&ri);
    if (kt == nullptr) continue;
    bool ours = false;
    if (keys.kea != nullptr) {
      const CertFields& me = keys.kea->cert.fields;
      if (const auto* ias = std::get_if<IssuerAndSerialNumber>(&kt->rid)) {
        ours = ias->issuer == me.issuer && ias->serial == me.serial;
      } else {
        const auto& ski = std::get<SubjectKeyIdentifier>(kt->rid).value;
        ours = !ski.empty() && ski == me.subject_key_id;
      }
    }
    if (ours || is_kea_algorithm(kt->key_encryption_algorithm.algorithm)) {
      return fail(Errc::crypto, "RFC 2876 §4: key transport MUST NOT be used with KEA");
    }
  }

  if (keys.kea != nullptr) {
    const KeaCredential& me = *keys.kea;
    for (const auto& ri : ed->recipient_infos) {
      const auto* kari = std::get_if<KeyAgreeRecipientInfo>(&ri);
      if (kari == nullptr) continue;
      const auto rek = std::find_if(
          kari->recipient_encrypted_keys.begin(), kari->recipient_encrypted_keys.end(),
          [&](const RecipientEncryptedKey& k) { return matches(k.rid, me.cert.fields); });
      if (rek == kari->recipient_encrypted_keys.end()) continue;
      if (kari->version != 3) return fail(Errc::parse, "KeyAgreeRecipientInfo version is not 3");
      // §4.2.1 (.24); cryptlib labels it .22 (facts §5.4), accepted on input.
      const auto& kea_alg = kari->key_encryption_algorithm;
      if (kea_alg.algorithm != oid::kKeaKeyEncryption &&
          kea_alg.algorithm != oid::kKeyExchangeAlgorithm) {
        return fail(Errc::parse, "keyEncryptionAlgorithm is not id-kEAKeyEncryptionAlgorithm");
      }
      auto wrap = parse_algorithm_identifier(kea_alg.parameters);
      if (!wrap || wrap->algorithm != oid::kFortezzaWrap80 || !wrap->parameters.empty()) {
        return fail(Errc::parse,
                    "KeyWrapAlgorithm is not id-fortezzaWrap80 with absent parameters");
      }
      if (!kari->ukm || kari->ukm->size() != kKeaPublicSize) {
        return fail(Errc::parse, "RFC 2876 §4.2.1.1: the UKM must be 128 octets");
      }
      std::vector<KeaCertificate> candidates;
      for (const auto& c : ed->originator_certificates) {
        if (auto k = parse_kea_certificate(c)) candidates.push_back(std::move(*k));
      }
      candidates.insert(candidates.end(), keys.originator_certs.begin(),
                        keys.originator_certs.end());
      CMS_TRY(orig, resolve_originator(kari->originator, candidates));
      if (orig->domain_id != me.cert.domain_id) {
        return fail(Errc::crypto, "the originator's KEA parameters differ from ours");
      }
      CMS_TRY(tek, kea_email_recipient(me.domain, me.key, orig->y, *kari->ukm));
      auto cek = fortezza_unwrap80(key_view(*tek), rek->encrypted_key);
      secure_wipe(tek->data(), tek->size());
      if (!cek) return Unexpected{cek.error()};
      auto content = decrypt_content(eci, *cek);
      secure_wipe(cek->data(), cek->size());
      if (!content) return Unexpected{content.error()};
      return Opened{std::move(*content), eci.content_type, Opened::Via::kea};
    }
  }
  for (const auto& ri : ed->recipient_infos) {
    const auto* kek = std::get_if<KekRecipientInfo>(&ri);
    if (kek == nullptr) continue;
    const auto mine = std::find_if(keys.keks.begin(), keys.keks.end(), [&](const KekRecipient& k) {
      return k.key_identifier == kek->key_identifier;
    });
    if (mine == keys.keks.end()) continue;
    if (kek->version != 4) return fail(Errc::parse, "KEKRecipientInfo version is not 4");
    if (kek->key_encryption_algorithm.algorithm != oid::kFortezzaWrap80 ||
        !kek->key_encryption_algorithm.parameters.empty()) {
      return fail(Errc::parse,
                  "RFC 2876 §4.3: KEK algorithm is not id-fortezzaWrap80 without parameters");
    }
    CMS_TRY(cek, fortezza_unwrap80(key_view(mine->kek), kek->encrypted_key));
    auto content = decrypt_content(eci, *cek);
    secure_wipe(cek->data(), cek->size());
    if (!content) return Unexpected{content.error()};
    return Opened{std::move(*content), eci.content_type, Opened::Via::kek};
  }
  return fail(Errc::not_found, "no RecipientInfo for our KEA certificate or KEKs");
}

Result<Bytes> encrypt_data(std::span<const uint8_t> plaintext, KeyView cek,
                           std::vector<Bytes> unprotected_attrs) {
  SkipjackKey key;
  std::copy(cek.begin(), cek.end(), key.begin());
  EncryptedData ed;
  ed.version = unprotected_attrs.empty() ? 0 : 2;  // RFC 5652 §8
  auto eci = encrypt_content(plaintext, key);
  secure_wipe(key.data(), key.size());
  if (!eci) return Unexpected{eci.error()};
  ed.encrypted_content_info = std::move(*eci);
  ed.unprotected_attrs = std::move(unprotected_attrs);
  CMS_TRY(body, encode(ed));
  return encode(ContentInfo{std::string{oid::kEncryptedData}, std::move(*body)});
}

Result<Bytes> decrypt_data(std::span<const uint8_t> content_info_der, KeyView cek) {
  CMS_TRY(ci, parse_content_info(content_info_der));
  if (ci->content_type != oid::kEncryptedData) return fail(Errc::parse, "not an EncryptedData");
  CMS_TRY(ed, parse_encrypted_data(ci->content));
  const int64_t want = ed->unprotected_attrs.empty() ? 0 : 2;
  if (ed->version != want) return fail(Errc::parse, "EncryptedData version against RFC 5652 §8");
  SkipjackKey key;
  std::copy(cek.begin(), cek.end(), key.begin());
  auto out = decrypt_content(ed->encrypted_content_info, key);
  secure_wipe(key.data(), key.size());
  return out;
}

Bytes smime_capability_kea() {
  asn1::Writer w;
  const AlgorithmIdentifier a = kea_key_encryption_algorithm();
  w.sequence([&](asn1::Writer& s) { s.oid(a.algorithm).raw(a.parameters); });
  return der_of(std::move(w));
}

Bytes smime_capability_skipjack() {
  asn1::Writer w;
  w.sequence([&](asn1::Writer& s) { s.oid(oid::kFortezzaConfidentiality); });
  return der_of(std::move(w));
}

Bytes smime_capabilities() {
  asn1::Writer w;
  // RFC 8551 §2.5.2: SMIMECapabilities ::= SEQUENCE OF SMIMECapability, in preference order.
  w.sequence(
      [&](asn1::Writer& s) { s.raw(smime_capability_kea()).raw(smime_capability_skipjack()); });
  return der_of(std::move(w));
}

Result<std::vector<AlgorithmIdentifier>> parse_smime_capabilities(std::span<const uint8_t> der) {
  CMS_TRY(seq, read_only_sequence(der));
  std::vector<AlgorithmIdentifier> out;
  while (!seq->at_end()) {
    CMS_TRY(cap, seq->read_any());
    CMS_TRY(alg, parse_algorithm_identifier(cap->encoding));
    out.push_back(std::move(*alg));
  }
  return out;
}

}  // namespace sipcred::cms::rfc2876
