#include "cms/print.hpp"

#include <map>
#include <sstream>

#include "cms/structures.hpp"
#include "crypto/hash.hpp"

namespace sipcred::cms {
namespace {

std::string hex(std::span<const uint8_t> b) {
  return crypto::to_hex(b);
}

void alg_line(std::ostringstream& o, const std::string& indent, std::string_view label,
              const AlgorithmIdentifier& a) {
  o << indent << label << ": " << oid_name(a.algorithm);
  if (!a.parameters.empty()) {
    if (auto inner = parse_algorithm_identifier(a.parameters)) {
      o << " (" << oid_name(inner->algorithm) << (inner->parameters.empty() ? "" : ", params")
        << ")";
    } else {
      o << " parameters " << hex(a.parameters);
    }
  }
  o << "\n";
}

void ias_line(std::ostringstream& o, const std::string& indent, const IssuerAndSerialNumber& ias) {
  o << indent << "issuerAndSerialNumber: serial " << hex(ias.serial) << ", issuer "
    << ias.issuer.size() << " octets\n";
}

void recipient(std::ostringstream& o, const RecipientInfo& ri) {
  if (const auto* kt = std::get_if<KeyTransRecipientInfo>(&ri)) {
    o << "  ktri version " << kt->version << "\n";
    if (const auto* ias = std::get_if<IssuerAndSerialNumber>(&kt->rid)) {
      ias_line(o, "    rid ", *ias);
    } else {
      o << "    rid subjectKeyIdentifier " << hex(std::get<SubjectKeyIdentifier>(kt->rid).value)
        << "\n";
    }
    alg_line(o, "    ", "keyEncryptionAlgorithm", kt->key_encryption_algorithm);
    o << "    encryptedKey " << kt->encrypted_key.size() << " octets\n";
  } else if (const auto* ka = std::get_if<KeyAgreeRecipientInfo>(&ri)) {
    o << "  kari version " << ka->version << "\n";
    if (const auto* ias = std::get_if<IssuerAndSerialNumber>(&ka->originator)) {
      ias_line(o, "    originator ", *ias);
    } else if (const auto* ski = std::get_if<SubjectKeyIdentifier>(&ka->originator)) {
      o << "    originator subjectKeyIdentifier " << hex(ski->value) << "\n";
    } else {
      const auto& opk = std::get<OriginatorPublicKey>(ka->originator);
      o << "    originator originatorKey " << oid_name(opk.algorithm.algorithm) << ", "
        << opk.public_key.size() << " octets\n";
    }
    if (ka->ukm) o << "    ukm " << ka->ukm->size() << " octets\n";
    alg_line(o, "    ", "keyEncryptionAlgorithm", ka->key_encryption_algorithm);
    for (const auto& rek : ka->recipient_encrypted_keys) {
      if (const auto* rk = std::get_if<RecipientKeyIdentifier>(&rek.rid)) {
        o << "    rid rKeyId " << hex(rk->subject_key_identifier)
          << (rk->date.empty() ? "" : " +date") << (rk->other.empty() ? "" : " +other");
      } else {
        o << "    rid issuerAndSerialNumber serial "
          << hex(std::get<IssuerAndSerialNumber>(rek.rid).serial);
      }
      o << ", encryptedKey " << rek.encrypted_key.size() << " octets\n";
    }
  } else if (const auto* kek = std::get_if<KekRecipientInfo>(&ri)) {
    o << "  kekri version " << kek->version << "\n    kekid " << hex(kek->key_identifier) << "\n";
    alg_line(o, "    ", "keyEncryptionAlgorithm", kek->key_encryption_algorithm);
    o << "    encryptedKey " << kek->encrypted_key.size() << " octets\n";
  } else {
    o << "  other RecipientInfo, " << std::get<OtherRecipientInfo>(ri).encoding.size()
      << " octets\n";
  }
}

void eci_lines(std::ostringstream& o, const EncryptedContentInfo& e) {
  o << "encryptedContentInfo\n  contentType: " << oid_name(e.content_type) << "\n";
  o << "  contentEncryptionAlgorithm: " << oid_name(e.content_encryption_algorithm.algorithm);
  if (!e.content_encryption_algorithm.parameters.empty()) {
    o << " parameters " << hex(e.content_encryption_algorithm.parameters);
  }
  o << "\n  encryptedContent: ";
  if (e.encrypted_content) {
    o << e.encrypted_content->size() << " octets\n";
  } else {
    o << "absent (detached)\n";
  }
}

}  // namespace

std::string oid_name(std::string_view dotted) {
  static const std::map<std::string_view, std::string_view> names{
      {oid::kData, "id-data"},
      {oid::kEnvelopedData, "id-envelopedData"},
      {oid::kEncryptedData, "id-encryptedData"},
      {oid::kFortezzaConfidentiality, "id-fortezzaConfidentialityAlgorithm (SKIPJACK-CBC)"},
      {oid::kKeyExchangeAlgorithm, "id-keyExchangeAlgorithm (KEA)"},
      {oid::kFortezzaWrap80, "id-fortezzaWrap80"},
      {oid::kKeaKeyEncryption, "id-kEAKeyEncryptionAlgorithm"},
      {"2.16.840.1.101.3.4.1.2", "aes128-CBC"},
      {"2.16.840.1.101.3.4.1.42", "aes256-CBC"},
      {"2.16.840.1.101.3.4.1.5", "id-aes128-wrap"},
      {"2.16.840.1.101.3.4.1.45", "id-aes256-wrap"},
      {"1.2.840.113549.1.1.1", "rsaEncryption"},
      {"1.2.840.113549.1.1.7", "id-RSAES-OAEP"},
      {"1.3.133.16.840.63.0.2", "dhSinglePass-stdDH-sha1kdf-scheme"},
      {"1.3.132.1.11.1", "dhSinglePass-stdDH-sha256kdf-scheme"},
  };
  const auto it = names.find(dotted);
  if (it == names.end()) return std::string{dotted};
  return std::string{it->second} + " " + std::string{dotted};
}

Result<std::string> describe(std::span<const uint8_t> der) {
  auto ci = parse_content_info(der);
  if (!ci) return Unexpected{ci.error()};
  std::ostringstream o;
  o << "ContentInfo " << oid_name(ci->content_type) << "\n";
  if (ci->content_type == oid::kEnvelopedData) {
    auto ed = parse_enveloped_data(ci->content);
    if (!ed) return Unexpected{ed.error()};
    o << "EnvelopedData version " << ed->version << "\n";
    if (ed->has_originator_info) {
      o << "originatorInfo: " << ed->originator_certificates.size() << " certificate(s), "
        << ed->originator_crls.size() << " CRL(s)\n";
    }
    o << "recipientInfos: " << ed->recipient_infos.size() << "\n";
    for (const auto& ri : ed->recipient_infos) recipient(o, ri);
    eci_lines(o, ed->encrypted_content_info);
    if (!ed->unprotected_attrs.empty()) {
      o << "unprotectedAttrs: " << ed->unprotected_attrs.size() << "\n";
    }
  } else if (ci->content_type == oid::kEncryptedData) {
    auto ed = parse_encrypted_data(ci->content);
    if (!ed) return Unexpected{ed.error()};
    o << "EncryptedData version " << ed->version << "\n";
    eci_lines(o, ed->encrypted_content_info);
    if (!ed->unprotected_attrs.empty()) {
      o << "unprotectedAttrs: " << ed->unprotected_attrs.size() << "\n";
    }
  } else {
    o << "content: " << ci->content.size() << " octets (not interpreted)\n";
  }
  return o.str();
}

}  // namespace sipcred::cms
