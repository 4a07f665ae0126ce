// RFC 2876 in CMS: EnvelopedData with KEA (both UKM options, every originator form, both rid
// forms), KEKRecipientInfo, EncryptedData, SMIMECapabilities, and the refusal of key transport.
// Expected octets come from RFC 2876 §7 and the facts sheet §5; structures are checked with
// `openssl cms -cmsout -print` and `openssl asn1parse`.
#include "cms/rfc2876/envelope.hpp"

#include <gtest/gtest.h>

#include "asn1/der.hpp"
#include "cms/rfc2876/fortezza_wrap.hpp"
#include "cms/rfc2876/padding.hpp"
#include "crypto/hash.hpp"
#include "support/run.hpp"
#include "support/vec_file.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

using test::hex_bytes;

Bytes fixture(const std::string& name) {
  return test::read_bytes((test::data_dir() / "cms" / name).string());
}

Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// Alice is the openssl-made KEA certificate of tests/data/cms with kea.vec's first key; Bob, Carol
// and Dave get fresh keys and certificates from the RSA test CA.
class Rfc2876Cms : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto v = test::read_vec("rfc2876/kea.vec").at(0);
    domain_ = new KeaDomain{v.bytes("p"), v.bytes("q"), v.bytes("g")};
    auto ca = crypto::PrivateKey::from_pem(
        test::read_file_text((test::data_dir() / "cms" / "ca_rsa.key.pem").string()));
    ASSERT_TRUE(ca);
    people_ = new std::vector<KeaCredential>;
    auto alice_cert = parse_kea_certificate(fixture("kea_alice_openssl.crt.der"));
    auto alice_key = kea_key_pair_from_private(*domain_, v.bytes("xa"));
    ASSERT_TRUE(alice_cert && alice_key);
    people_->push_back({*alice_cert, *alice_key, *domain_});
    for (const char* name : {"bob", "carol", "dave"}) {
      auto key = generate_kea_key_pair(*domain_);
      ASSERT_TRUE(key);
      KeaCertRequest req;
      req.subject_cn = name;
      req.not_before = WallTime{std::chrono::seconds{1'780'000'000}};
      req.domain_id = kea_domain_identifier(*domain_);
      req.y = key->y;
      auto der = make_kea_certificate(req, fixture("ca_rsa.crt.der"), *ca);
      ASSERT_TRUE(der);
      auto cert = parse_kea_certificate(*der);
      ASSERT_TRUE(cert);
      people_->push_back({*cert, *key, *domain_});
    }
  }
  static void TearDownTestSuite() {
    delete people_;
    delete domain_;
  }

  static const KeaCredential& alice() { return people_->at(0); }
  static std::vector<KeaCertificate> others() {
    return {people_->at(1).cert, people_->at(2).cert, people_->at(3).cert};
  }
  static const std::vector<KeaCredential>& people() { return *people_; }

  static EnvelopedData parsed(const Bytes& ci_der) {
    auto ci = parse_content_info(ci_der);
    EXPECT_TRUE(ci);
    EXPECT_EQ(ci->content_type, oid::kEnvelopedData);
    auto ed = parse_enveloped_data(ci->content);
    EXPECT_TRUE(ed) << ed.error().message();
    return *ed;
  }
  static Bytes reencoded(const EnvelopedData& ed) {
    auto body = encode(ed);
    EXPECT_TRUE(body);
    auto ci = encode(ContentInfo{std::string{oid::kEnvelopedData}, *body});
    EXPECT_TRUE(ci);
    return *ci;
  }

  // openssl accepts the structure: asn1parse and cms -cmsout -print.
  static std::string openssl_print(const Bytes& der) {
    test::TempDir tmp;
    test::write_bytes(tmp / "m.der", der);
    auto a = test::run("openssl asn1parse -inform DER -in " + tmp / "m.der");
    EXPECT_EQ(a.status, 0) << a.out;
    auto p = test::run("openssl cms -cmsout -print -inform DER -in " + tmp / "m.der");
    EXPECT_EQ(p.status, 0) << p.out;
    return p.out;
  }

  static KeaDomain* domain_;
  static std::vector<KeaCredential>* people_;
};
KeaDomain* Rfc2876Cms::domain_ = nullptr;
std::vector<KeaCredential>* Rfc2876Cms::people_ = nullptr;

// RFC 2876 §7 (the SKIPJACK string without the stray trailing 00, facts §5.7).
TEST(Rfc2876Capabilities, DerEqualsTheRfc) {
  // REQ CMS-10
  EXPECT_EQ(smime_capability_kea(), hex_bytes("30180609608648016502010118300b060960864801650201011"
                                              "7"));
  EXPECT_EQ(smime_capability_skipjack(), hex_bytes("300b06096086480165020101"
                                                   "04"));
  EXPECT_EQ(smime_capabilities(),
            hex_bytes("302730180609608648016502010118300b0609608648016502010117300b0609608648016"
                      "502010104"));
  auto caps = parse_smime_capabilities(smime_capabilities());
  ASSERT_TRUE(caps);
  ASSERT_EQ(caps->size(), 2u);
  EXPECT_EQ((*caps)[0].algorithm, oid::kKeaKeyEncryption);
  EXPECT_EQ((*caps)[1].algorithm, oid::kFortezzaConfidentiality);
  EXPECT_TRUE((*caps)[1].parameters.empty());
  // The RFC's printed SKIPJACK string, stray octet included, is not one DER value.
  EXPECT_FALSE(
      parse_smime_capabilities(hex_bytes("300f300b0609608648016502010104"
                                         "00")));
  test::TempDir tmp;
  test::write_bytes(tmp / "caps.der", smime_capabilities());
  auto a = test::run("openssl asn1parse -inform DER -in " + tmp / "caps.der");
  EXPECT_EQ(a.status, 0);
  EXPECT_NE(a.out.find("2.16.840.1.101.2.1.1.24"), std::string::npos) << a.out;
}

// Facts §5.2: { id-fortezzaConfidentialityAlgorithm, Skipjack-Parm { IV } }.
TEST(Rfc2876Algorithms, SkipjackParmDer) {
  // REQ-PART CMS-3
  const SkipjackBlock iv{1, 2, 3, 4, 5, 6, 7, 8};
  auto der = encode(skipjack_algorithm(iv));
  ASSERT_TRUE(der);
  EXPECT_EQ(*der, hex_bytes("3017060960864801650201010430"
                            "0a04080102030405060708"));
  auto back = skipjack_iv(*parse_algorithm_identifier(*der));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, iv);
  EXPECT_FALSE(skipjack_iv(AlgorithmIdentifier{std::string{oid::kFortezzaConfidentiality}, {}}));
}

TEST_F(Rfc2876Cms, SharedUkmThreeRecipients) {
  // REQ CMS-1 CMS-2 CMS-3 CMS-5 CMS-6 REQ-PART CMS-4 CMS-7
  const Bytes msg = text("INVITE sip:bob@example.com: shared UKM");
  const auto recipients = others();
  auto der = envelop(msg, &alice(), recipients, {});
  ASSERT_TRUE(der) << der.error().message();
  const EnvelopedData ed = parsed(*der);
  EXPECT_EQ(ed.version, 2);
  ASSERT_EQ(ed.originator_certificates.size(), 1u);
  EXPECT_EQ(ed.originator_certificates[0], alice().cert.fields.der);
  ASSERT_EQ(ed.recipient_infos.size(), 1u);  // §4.2.1.1: one kari for all
  const auto& kari = std::get<KeyAgreeRecipientInfo>(ed.recipient_infos[0]);
  EXPECT_EQ(kari.version, 3);
  ASSERT_TRUE(kari.ukm);
  EXPECT_EQ(kari.ukm->size(), 128u);
  EXPECT_EQ(std::get<SubjectKeyIdentifier>(kari.originator).value,
            alice().cert.fields.subject_key_id);
  // Facts §5.4: the keyEncryptionAlgorithm's DER.
  EXPECT_EQ(*encode(kari.key_encryption_algorithm), hex_bytes("301806096086480165020101183"
                                                              "00b0609608648016502010117"));
  ASSERT_EQ(kari.recipient_encrypted_keys.size(), 4u);  // three and the originator's copy
  for (const auto& rek : kari.recipient_encrypted_keys) {
    const auto& rk = std::get<RecipientKeyIdentifier>(rek.rid);
    EXPECT_TRUE(rk.date.empty() && rk.other.empty());
    EXPECT_EQ(rk.subject_key_identifier.size(), 20u);
    EXPECT_EQ(rek.encrypted_key.size(), 12u);  // 96 bits
  }
  EXPECT_EQ(reencoded(ed), *der);
  // §4: a fresh CEK and IV for every EnvelopedData (same content, same recipients).
  auto again = envelop(msg, &alice(), recipients, {});
  ASSERT_TRUE(again);
  const EnvelopedData ed2 = parsed(*again);
  EXPECT_NE(ed2.encrypted_content_info.content_encryption_algorithm.parameters,
            ed.encrypted_content_info.content_encryption_algorithm.parameters);
  EXPECT_NE(ed2.encrypted_content_info.encrypted_content,
            ed.encrypted_content_info.encrypted_content);
  for (const auto& who : people()) {  // alice reads her own copy
    auto out = open_enveloped(*der, OpenKeys{&who, {}, {}});
    ASSERT_TRUE(out) << who.cert.fields.subject.size() << ": " << out.error().message();
    EXPECT_EQ(out->content, msg);
    EXPECT_EQ(out->content_type, oid::kData);
  }
  const std::string printed = openssl_print(*der);
  EXPECT_NE(printed.find("d.kari"), std::string::npos) << printed;
  EXPECT_NE(printed.find("version: 2"), std::string::npos);
  EXPECT_NE(printed.find("2.16.840.1.101.2.1.1.4"), std::string::npos);
}

TEST_F(Rfc2876Cms, UniqueUkmThreeRecipients) {
  // REQ-PART CMS-5 CMS-7
  const Bytes msg = text("unique UKM per recipient");
  const auto recipients = others();
  KeaEnvelopeOptions opt;
  opt.ukm = UkmOption::unique;
  auto der = envelop(msg, &alice(), recipients, {}, opt);
  ASSERT_TRUE(der);
  const EnvelopedData ed = parsed(*der);
  ASSERT_EQ(ed.recipient_infos.size(), 4u);
  std::vector<Bytes> ukms;
  for (const auto& ri : ed.recipient_infos) {
    const auto& kari = std::get<KeyAgreeRecipientInfo>(ri);
    EXPECT_EQ(kari.recipient_encrypted_keys.size(), 1u);
    ukms.push_back(*kari.ukm);
  }
  std::sort(ukms.begin(), ukms.end());
  EXPECT_EQ(std::unique(ukms.begin(), ukms.end()), ukms.end());
  for (const auto& who : people()) {
    auto out = open_enveloped(*der, OpenKeys{&who, {}, {}});
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(out->content, msg);
  }
  openssl_print(*der);
}

// §4.2: without the certificate in originatorInfo the originator is issuerAndSerialNumber, and the
// recipient must know the certificate otherwise.
TEST_F(Rfc2876Cms, OriginatorByIssuerAndSerialWithoutCertificate) {
  // REQ CMS-4
  KeaEnvelopeOptions opt;
  opt.include_originator_certificate = false;
  const auto recipients = others();
  EXPECT_EQ(envelop(text("x"), &alice(), recipients, {}, opt).error().code,
            Errc::invalid_argument);  // SKI would be against §4.2
  opt.originator = OriginatorChoice::issuer_and_serial_number;
  auto der = envelop(text("by issuer and serial"), &alice(), recipients, {}, opt);
  ASSERT_TRUE(der);
  const EnvelopedData ed = parsed(*der);
  EXPECT_FALSE(ed.has_originator_info);
  const auto& kari = std::get<KeyAgreeRecipientInfo>(ed.recipient_infos[0]);
  const auto& ias = std::get<IssuerAndSerialNumber>(kari.originator);
  EXPECT_EQ(ias.serial, (Bytes{0x28, 0x76}));
  auto unknown = open_enveloped(*der, OpenKeys{&people()[1], {}, {}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
  const KeaCertificate known[1] = {alice().cert};
  auto out = open_enveloped(*der, OpenKeys{&people()[1], {}, known});
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->content, text("by issuer and serial"));
  openssl_print(*der);
}

TEST_F(Rfc2876Cms, OriginatorKeyForm) {
  // REQ CMS-4
  KeaEnvelopeOptions opt;
  opt.originator = OriginatorChoice::originator_key;
  opt.include_originator_certificate = false;
  const auto recipients = others();
  auto der = envelop(text("originatorKey"), &alice(), recipients, {}, opt);
  ASSERT_TRUE(der);
  const EnvelopedData ed = parsed(*der);
  const auto& kari = std::get<KeyAgreeRecipientInfo>(ed.recipient_infos[0]);
  const auto& opk = std::get<OriginatorPublicKey>(kari.originator);
  EXPECT_EQ(opk.algorithm.algorithm, oid::kKeyExchangeAlgorithm);
  EXPECT_EQ(opk.public_key, alice().cert.y);
  auto out = open_enveloped(*der, OpenKeys{&people()[2], {}, {}});
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->content, text("originatorKey"));
  openssl_print(*der);
}

// §4.2.2 step 1: the receiver matches an issuerAndSerialNumber rid too.
TEST_F(Rfc2876Cms, ReceiverMatchesIssuerAndSerialRid) {
  // REQ CMS-7
  const auto recipients = others();
  auto der = envelop(text("rid forms"), &alice(), recipients, {});
  ASSERT_TRUE(der);
  EnvelopedData ed = parsed(*der);
  auto& kari = std::get<KeyAgreeRecipientInfo>(ed.recipient_infos[0]);
  for (auto& rek : kari.recipient_encrypted_keys) {
    for (const auto& who : people()) {
      const auto& rk = std::get<RecipientKeyIdentifier>(rek.rid);
      if (rk.subject_key_identifier == who.cert.fields.subject_key_id) {
        rek.rid = IssuerAndSerialNumber{who.cert.fields.issuer, who.cert.fields.serial};
        break;
      }
    }
  }
  const Bytes changed = reencoded(ed);
  for (const auto& who : people()) {
    auto out = open_enveloped(changed, OpenKeys{&who, {}, {}});
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(out->content, text("rid forms"));
  }
  openssl_print(changed);
}

TEST_F(Rfc2876Cms, TamperingIsRefused) {
  const auto recipients = others();
  const KeaCredential& bob = people()[1];
  auto der = envelop(text("tamper with me, please, at least two blocks"), &alice(), recipients, {});
  ASSERT_TRUE(der);
  // The wrapped key: the check word no longer matches.
  {
    EnvelopedData ed = parsed(*der);
    auto& kari = std::get<KeyAgreeRecipientInfo>(ed.recipient_infos[0]);
    for (auto& rek : kari.recipient_encrypted_keys) rek.encrypted_key[3] ^= 0x40;
    auto out = open_enveloped(reencoded(ed), OpenKeys{&bob, {}, {}});
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().detail, "FORTEZZA wrap check word mismatch");
  }
  // The UKM: no longer a valid public value (facts §2.2), or a different TEK.
  {
    EnvelopedData ed = parsed(*der);
    auto& kari = std::get<KeyAgreeRecipientInfo>(ed.recipient_infos[0]);
    (*kari.ukm)[64] ^= 1;
    auto out = open_enveloped(reencoded(ed), OpenKeys{&bob, {}, {}});
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().code, Errc::crypto);
    EXPECT_NE(out.error().detail.find("KEA public value"), std::string::npos) << out.error().detail;
    kari.ukm->resize(127);
    EXPECT_EQ(open_enveloped(reencoded(ed), OpenKeys{&bob, {}, {}}).error().code, Errc::parse);
  }
  // The ciphertext: CMS EnvelopedData has no integrity check, so only damage that reaches the
  // padding is detectable; the last block is refused except when the damaged plaintext happens
  // to end in valid padding (about 1 in 256).
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    auto fresh = envelop(text("ciphertext tampering, last block"), &alice(), recipients, {});
    EnvelopedData ed = parsed(*fresh);
    auto& ct = *ed.encrypted_content_info.encrypted_content;
    ct[ct.size() - 9] ^= 0x01;  // flips the last plaintext octet through CBC
    auto out = open_enveloped(reencoded(ed), OpenKeys{&bob, {}, {}});
    if (!out) {
      EXPECT_EQ(out.error().detail, kDecryptionFailed);
      ++refused;
    }
  }
  EXPECT_GE(refused, 19);
}

TEST_F(Rfc2876Cms, KekRecipientInfo) {
  // REQ CMS-8
  KekRecipient list{text("mail list key 1"), {}};
  for (size_t i = 0; i < list.kek.size(); ++i) list.kek[i] = static_cast<uint8_t>(0x31 * i + 7);
  const KekRecipient keks[1] = {list};
  auto der = envelop(text("to the list"), nullptr, {}, keks);
  ASSERT_TRUE(der) << der.error().message();
  const EnvelopedData ed = parsed(*der);
  EXPECT_EQ(ed.version, 2);
  const auto& kekri = std::get<KekRecipientInfo>(ed.recipient_infos.at(0));
  EXPECT_EQ(kekri.version, 4);
  EXPECT_EQ(*encode(kekri.key_encryption_algorithm),
            hex_bytes("300b0609608648016502010117"));  // facts §5.5
  EXPECT_EQ(kekri.encrypted_key.size(), 12u);
  auto out = open_enveloped(*der, OpenKeys{nullptr, keks, {}});
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->content, text("to the list"));
  EXPECT_EQ(out->via, Opened::Via::kek);
  KekRecipient wrong = list;
  wrong.kek[0] ^= 1;
  const KekRecipient wrong_keks[1] = {wrong};
  EXPECT_EQ(open_enveloped(*der, OpenKeys{nullptr, wrong_keks, {}}).error().detail,
            "FORTEZZA wrap check word mismatch");
  const std::string printed = openssl_print(*der);
  EXPECT_NE(printed.find("d.kekri"), std::string::npos) << printed;
  // The wrapped CEK unwraps under the KEK with the wrap alone.
  auto cek = fortezza_unwrap80(list.kek, kekri.encrypted_key);
  ASSERT_TRUE(cek);
  // KEA recipients and a KEK recipient together.
  const auto recipients = others();
  auto both = envelop(text("both"), &alice(), recipients, keks);
  ASSERT_TRUE(both);
  EXPECT_EQ(parsed(*both).recipient_infos.size(), 2u);
  EXPECT_TRUE(open_enveloped(*both, OpenKeys{nullptr, keks, {}}));
  EXPECT_TRUE(open_enveloped(*both, OpenKeys{&people()[3], {}, {}}));
}

TEST(Rfc2876EncryptedData, RoundTripAndVersions) {
  // REQ CMS-9
  const SkipjackKey cek{9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
  auto der = encrypt_data(text("encrypted-data"), cek);
  ASSERT_TRUE(der);
  auto ci = parse_content_info(*der);
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->content_type, oid::kEncryptedData);
  auto ed = parse_encrypted_data(ci->content);
  ASSERT_TRUE(ed);
  EXPECT_EQ(ed->version, 0);
  EXPECT_TRUE(skipjack_iv(ed->encrypted_content_info.content_encryption_algorithm));
  auto out = decrypt_data(*der, cek);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, text("encrypted-data"));
  SkipjackKey wrong = cek;
  wrong[9] ^= 0x80;
  auto bad = decrypt_data(*der, wrong);
  if (!bad)
    EXPECT_EQ(bad.error().detail, kDecryptionFailed);
  else
    EXPECT_NE(*bad, text("encrypted-data"));
  // With an unprotected attribute (a contentDescription-like attribute), version 2.
  asn1::Writer attr;
  attr.sequence([](asn1::Writer& a) {
    a.oid("1.2.840.113549.1.9.2").set([](asn1::Writer& s) {
      const std::string_view v = "x";
      s.tlv(asn1::tag::kUtf8String, {reinterpret_cast<const uint8_t*>(v.data()), v.size()});
    });
  });
  auto with_attrs =
      encrypt_data(text("attrs"), cek, {Bytes(attr.bytes().begin(), attr.bytes().end())});
  ASSERT_TRUE(with_attrs);
  EXPECT_EQ(parse_encrypted_data(parse_content_info(*with_attrs)->content)->version, 2);
  EXPECT_EQ(*decrypt_data(*with_attrs, cek), text("attrs"));
  test::TempDir tmp;
  test::write_bytes(tmp / "ed.der", *with_attrs);
  auto p = test::run("openssl cms -cmsout -print -inform DER -in " + tmp / "ed.der");
  EXPECT_EQ(p.status, 0) << p.out;
  EXPECT_NE(p.out.find("d.encryptedData"), std::string::npos) << p.out;
}

// RFC 2876 §4: "The key transport technique MUST NOT be used with KEA."
TEST_F(Rfc2876Cms, KeyTransportWithKeaIsRefused) {
  // REQ CMS-11
  const auto recipients = others();
  auto der = envelop(text("ktri"), &alice(), recipients, {});
  ASSERT_TRUE(der);
  const KeaCredential& bob = people()[1];
  {  // a ktri with a KEA algorithm, for anyone
    EnvelopedData ed = parsed(*der);
    ed.recipient_infos.emplace_back(
        KeyTransRecipientInfo{2,
                              SubjectKeyIdentifier{Bytes(20, 0xaa)},
                              {std::string{oid::kKeyExchangeAlgorithm}, {}},
                              Bytes(12, 1)});
    auto out = open_enveloped(reencoded(ed), OpenKeys{&bob, {}, {}});
    ASSERT_FALSE(out);
    EXPECT_NE(out.error().detail.find("key transport MUST NOT be used with KEA"),
              std::string::npos);
  }
  {  // a ktri (rsaEncryption) naming Bob's KEA certificate
    EnvelopedData ed = parsed(*der);
    ed.recipient_infos.emplace_back(
        KeyTransRecipientInfo{0,
                              IssuerAndSerialNumber{bob.cert.fields.issuer, bob.cert.fields.serial},
                              {"1.2.840.113549.1.1.1", hex_bytes("0500")},
                              Bytes(128, 1)});
    auto out = open_enveloped(reencoded(ed), OpenKeys{&bob, {}, {}});
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().code, Errc::crypto);
  }
}

TEST_F(Rfc2876Cms, RecipientWithOtherDomainIsRefused) {
  auto d2 = test::read_vec("rfc2876/kea.vec").at(2);
  KeaCertificate stranger = people()[1].cert;
  const KeaDomain other{d2.bytes("p"), d2.bytes("q"), d2.bytes("g")};
  stranger.domain_id = kea_domain_identifier(other);
  const KeaCertificate list[1] = {stranger};
  auto r = envelop(text("x"), &alice(), list, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  // Self-signed certificates SHOULD NOT go into originatorInfo (§4.1).
  KeaEnvelopeOptions opt;
  opt.chain.push_back(fixture("ca_rsa.crt.der"));
  const auto recipients = others();
  EXPECT_FALSE(envelop(text("x"), &alice(), recipients, {}, opt));
}

}  // namespace
}  // namespace sipcred::cms::rfc2876
