#include "cms/rfc2876/kea_cert.hpp"

#include "asn1/der.hpp"
#include "crypto/hash.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

using asn1::Writer;

// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on.
void write_time(Writer& w, WallTime t) {
  const std::string iso = to_iso8601(t);  // YYYY-MM-DDTHH:MM:SSZ
  std::string digits;
  for (char ch : iso) {
    if (ch >= '0' && ch <= '9') digits += ch;
  }
  const int year = std::stoi(iso.substr(0, 4));
  const std::string text = (year < 2050 ? digits.substr(2) : digits) + "Z";
  const std::span<const uint8_t> bytes{reinterpret_cast<const uint8_t*>(text.data()), text.size()};
  w.tlv(year < 2050 ? asn1::tag::kUtcTime : asn1::tag::kGeneralizedTime, bytes);
}

struct SigAlg {
  std::string_view oid;
  bool null_params;
  crypto::HashAlg hash;
};

Result<SigAlg> signature_algorithm_for(const crypto::PrivateKey& key) {
  const std::string alg = key.algorithm();
  if (alg == "RSA") return SigAlg{"1.2.840.113549.1.1.11", true, crypto::HashAlg::sha256};
  if (alg == "DSA") return SigAlg{"2.16.840.1.101.3.4.3.2", false, crypto::HashAlg::sha256};
  if (alg == "EC") return SigAlg{"1.2.840.10045.4.3.2", false, crypto::HashAlg::sha256};
  return fail(Errc::invalid_argument, "cannot sign certificates with a " + alg + " key");
}

Result<crypto::HashAlg> hash_of_signature(std::string_view oid) {
  if (oid == "1.2.840.113549.1.1.5" || oid == "1.2.840.10040.4.3" || oid == "1.2.840.10045.4.1") {
    return crypto::HashAlg::sha1;
  }
  if (oid == "1.2.840.113549.1.1.11" || oid == "2.16.840.1.101.3.4.3.2" ||
      oid == "1.2.840.10045.4.3.2") {
    return crypto::HashAlg::sha256;
  }
  if (oid == "1.2.840.113549.1.1.13" || oid == "1.2.840.10045.4.3.4") {
    return crypto::HashAlg::sha512;
  }
  return fail(Errc::crypto, "unsupported certificate signature algorithm " + std::string{oid});
}

void write_name_cn(Writer& w, std::string_view cn) {
  const std::span<const uint8_t> bytes{reinterpret_cast<const uint8_t*>(cn.data()), cn.size()};
  w.sequence([&](Writer& name) {
    name.set([&](Writer& rdn) {
      rdn.sequence([&](Writer& atv) { atv.oid("2.5.4.3").tlv(asn1::tag::kUtf8String, bytes); });
    });
  });
}

void write_extension(Writer& w, std::string_view oid, bool critical, const Bytes& value) {
  w.sequence([&](Writer& ext) {
    ext.oid(oid);
    if (critical) ext.boolean(true);
    ext.octet_string(value);
  });
}

Bytes der_of(Writer&& w) {
  return std::move(w).finish().value_or(Bytes{});
}

}  // namespace

Bytes kea_spki_der(const KeaDomainId& domain_id, std::span<const uint8_t> y) {
  Writer w;
  w.sequence([&](Writer& spki) {
    spki.sequence([&](Writer& alg) { alg.oid(kIdKeyExchangeAlgorithm).octet_string(domain_id); });
    spki.bit_string(y);
  });
  return der_of(std::move(w));
}

Result<KeaCertificate> parse_kea_certificate(std::span<const uint8_t> der) {
  auto fields = parse_certificate(der);
  if (!fields) return Unexpected{fields.error()};
  if (fields->spki_algorithm != kIdKeyExchangeAlgorithm) {
    return fail(Errc::parse,
                "not a KEA certificate (subject key algorithm " + fields->spki_algorithm + ")");
  }
  // RFC 2528 §3.1.1: parameters = KEA-Parms-Id ::= OCTET STRING (the 10-octet domain identifier).
  asn1::Reader params{fields->spki_parameters};
  auto id = params.read_octet_string();
  if (!id || !params.at_end() || id->size() != 10) {
    return fail(Errc::parse, "KEA certificate: parameters are not a 10-octet domain identifier");
  }
  KeaCertificate out;
  std::copy(id->begin(), id->end(), out.domain_id.begin());
  if (fields->public_key.empty()) return fail(Errc::parse, "KEA certificate: empty public key");
  auto y = kea_fixed_public(fields->public_key);
  if (!y) return Unexpected{y.error()};
  out.y = std::move(*y);
  if (fields->key_usage) {
    // RFC 3279 §2.3.4: keyAgreement; encipherOnly or decipherOnly only with it, never both.
    const uint16_t ku = *fields->key_usage;
    const uint16_t allowed = kKeyAgreement | kEncipherOnly | kDecipherOnly;
    const bool only_bits = (ku & ~allowed) == 0;
    const bool with_agreement = (ku & (kEncipherOnly | kDecipherOnly)) == 0 || (ku & kKeyAgreement);
    const bool not_both = (ku & kEncipherOnly) == 0 || (ku & kDecipherOnly) == 0;
    if (!only_bits || !with_agreement || !not_both) {
      return fail(Errc::parse, "KEA certificate: keyUsage not allowed by RFC 3279 §2.3.4");
    }
  }
  out.fields = std::move(*fields);
  return out;
}

Result<Bytes> make_kea_certificate(const KeaCertRequest& req, std::span<const uint8_t> issuer_der,
                                   const crypto::PrivateKey& issuer_key) {
  auto issuer = parse_certificate(issuer_der);
  if (!issuer) return Unexpected{issuer.error()};
  auto alg = signature_algorithm_for(issuer_key);
  if (!alg) return Unexpected{alg.error()};
  auto y = kea_fixed_public(req.y);
  if (!y) return Unexpected{y.error()};
  if (req.subject_cn.empty() || req.days <= 0) {
    return fail(Errc::invalid_argument, "KEA certificate: empty subject or no validity");
  }
  Bytes serial = req.serial;
  if (serial.empty()) {
    serial = Bytes(16);
    crypto::random_fill(serial);
    serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);  // positive, 16 octets
  }
  // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value.
  const Bytes ski = crypto::hash(crypto::HashAlg::sha1, *y);

  auto write_alg = [&](Writer& w) {
    w.sequence([&](Writer& a) {
      a.oid(alg->oid);
      if (alg->null_params) a.null();
    });
  };
  Writer tbs;
  tbs.sequence([&](Writer& t) {
    t.explicit_tag(0, [](Writer& v) { v.integer(2); });  // v3
    t.integer_from_unsigned(serial);
    write_alg(t);
    t.raw(issuer->subject);
    t.sequence([&](Writer& validity) {
      write_time(validity, req.not_before);
      write_time(validity, req.not_before + std::chrono::hours{24} * req.days);
    });
    write_name_cn(t, req.subject_cn);
    t.raw(kea_spki_der(req.domain_id, *y));
    t.explicit_tag(3, [&](Writer& wrapper) {
      wrapper.sequence([&](Writer& exts) {
        Writer ski_value;
        ski_value.octet_string(ski);
        write_extension(exts, "2.5.29.14", false, der_of(std::move(ski_value)));
        if (!issuer->subject_key_id.empty()) {
          Writer aki;
          aki.sequence(
              [&](Writer& s) { s.octet_string(issuer->subject_key_id, asn1::context(0)); });
          write_extension(exts, "2.5.29.35", false, der_of(std::move(aki)));
        }
        // keyAgreement is bit 4: one octet 0000 1000 with three unused bits (X.690 §11.2.2).
        Writer ku;
        const uint8_t bits[1] = {0x08};
        ku.bit_string(bits, 3);
        write_extension(exts, "2.5.29.15", true, der_of(std::move(ku)));
      });
    });
  });
  auto tbs_der = std::move(tbs).finish();
  if (!tbs_der) return Unexpected{tbs_der.error()};
  auto signature = issuer_key.sign(alg->hash, *tbs_der);
  if (!signature) return Unexpected{signature.error()};
  Writer cert;
  cert.sequence([&](Writer& c) {
    c.raw(*tbs_der);
    write_alg(c);
    c.bit_string(*signature);
  });
  return std::move(cert).finish();
}

Result<void> verify_certificate_signature(const CertFields& cert, const crypto::PublicKey& issuer) {
  auto hash = hash_of_signature(cert.signature_algorithm);
  if (!hash) return Unexpected{hash.error()};
  if (!issuer.verify(*hash, cert.tbs, cert.signature)) {
    return fail(Errc::crypto, "certificate signature does not verify");
  }
  return {};
}

}  // namespace sipcred::cms::rfc2876

namespace sipcred::cms::rfc2876 {

Bytes kea_private_key_der(const KeaDomain& domain, const KeaKeyPair& key) {
  asn1::Writer inner;
  inner.integer_from_unsigned(key.x);
  Bytes x_der = std::move(inner).finish().value_or(Bytes{});
  asn1::Writer w;
  w.sequence([&](asn1::Writer& s) {
    s.integer(0);
    s.sequence(
        [&](asn1::Writer& alg) { alg.oid(kIdKeyExchangeAlgorithm).raw(dss_parms_der(domain)); });
    s.octet_string(x_der);
  });
  secure_wipe(x_der.data(), x_der.size());
  return std::move(w).finish().value_or(Bytes{});
}

Result<KeaPrivateKey> parse_kea_private_key(std::span<const uint8_t> der) {
  asn1::Reader top{der};
  auto seq = top.read_sequence();
  if (!seq || !top.at_end()) return fail(Errc::parse, "KEA key: not one PrivateKeyInfo");
  auto version = seq->read_int64();
  if (!version || *version != 0) return fail(Errc::parse, "KEA key: version is not 0");
  auto alg = seq->read_sequence();
  if (!alg) return Unexpected{alg.error()};
  if (auto o = alg->expect_oid(kIdKeyExchangeAlgorithm); !o) {
    return fail(Errc::parse, "KEA key: algorithm is not id-keyExchangeAlgorithm");
  }
  auto params = alg->read(asn1::tag::kSequence);
  if (!params || !alg->at_end()) return fail(Errc::parse, "KEA key: Dss-Parms missing");
  auto domain = parse_dss_parms(params->encoding);
  if (!domain) return Unexpected{domain.error()};
  auto octets = seq->read_octet_string();
  if (!octets || !seq->at_end()) return fail(Errc::parse, "KEA key: privateKey missing");
  asn1::Reader xr{*octets};
  auto x = xr.read_unsigned();
  if (!x || !xr.at_end()) return fail(Errc::parse, "KEA key: privateKey is not an INTEGER");
  if (auto v = validate_kea_domain(*domain); !v) return Unexpected{v.error()};
  auto pair = kea_key_pair_from_private(*domain, *x);
  if (!pair) return Unexpected{pair.error()};
  return KeaPrivateKey{std::move(*domain), std::move(*pair)};
}

}  // namespace sipcred::cms::rfc2876
