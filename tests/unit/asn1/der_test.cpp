#include "asn1/der.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/files.hpp"

namespace sipcred::asn1 {
namespace {

Bytes hex(std::string_view h) {
  Bytes out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string digits;
  for (char c : h) {
    if (c != ' ') digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nib(digits[i]) * 16 + nib(digits[i + 1])));
  }
  return out;
}

Bytes file(const char* name) {
  const std::string s = test::read_file(test::data_dir() / "asn1" / name);
  return Bytes(s.begin(), s.end());
}

Bytes to_bytes(std::span<const uint8_t> s) {
  return Bytes(s.begin(), s.end());
}

template <class F>
Bytes build(F&& f) {
  Writer w;
  f(w);
  auto out = std::move(w).finish();
  EXPECT_TRUE(out) << (out ? "" : out.error().message());
  return out ? *out : Bytes{};
}

// Re-encodes every TLV of `r` (recursively) with the writer; false when the input does not parse.
bool reencode(Reader& r, Writer& w) {
  while (!r.at_end()) {
    auto tlv = r.read_any();
    if (!tlv) return false;
    if (tlv->tag.constructed) {
      auto inner = r.enter(*tlv);
      if (!inner) return false;
      bool ok = true;
      w.constructed(tlv->tag, [&](Writer& cw) { ok = reencode(*inner, cw); });
      if (!ok) return false;
    } else {
      w.tlv(tlv->tag, tlv->value);
    }
  }
  return true;
}

// --- Published encodings ---

// X.690 (08/2015) examples: §8.19.5 OID {2 100 3}; §8.6.4.2 BIT STRING '0A3B5F291CD'H; §8.1.3.5
// length 201 in the long form; §11.1 DER BOOLEAN TRUE is FF.
TEST(DerX690, SpecExamples) {
  const Bytes oid = hex("06 03 81 34 03");
  Reader r{oid};
  auto dotted = r.read_oid();
  ASSERT_TRUE(dotted);
  EXPECT_EQ(*dotted, "2.100.3");
  EXPECT_EQ(build([](Writer& w) { w.oid("2.100.3"); }), oid);

  const Bytes bits = hex("03 07 04 0A 3B 5F 29 1C D0");
  Reader rb{bits};
  auto bs = rb.read_bit_string();
  ASSERT_TRUE(bs);
  EXPECT_EQ(bs->unused_bits, 4);
  EXPECT_EQ(bs->bit_length(), 44u);
  EXPECT_EQ(to_bytes(bs->bytes), hex("0A 3B 5F 29 1C D0"));
  EXPECT_EQ(build([&](Writer& w) { w.bit_string(bs->bytes, 4); }), bits);

  const Bytes octets(201, 0x5a);
  const Bytes long_form = build([&](Writer& w) { w.octet_string(octets); });
  EXPECT_EQ(Bytes(long_form.begin(), long_form.begin() + 3), hex("04 81 C9"));
  Reader rl{long_form};
  auto v = rl.read_octet_string();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->size(), 201u);

  const Bytes t = hex("01 01 FF");
  Reader rt{t};
  auto yes = rt.read_boolean();
  ASSERT_TRUE(yes);
  EXPECT_TRUE(*yes);
  EXPECT_EQ(build([](Writer& w) { w.boolean(true).boolean(false).null(); }),
            hex("01 01 FF 01 01 00 05 00"));
}

// B. Kaliski, "A Layman's Guide to a Subset of ASN.1, BER, and DER" (1993) §5.7 INTEGER and
// §5.9 OBJECT IDENTIFIER examples.
TEST(DerX690, LaymansGuideIntegersAndOid) {
  const std::pair<int64_t, const char*> cases[] = {
      {0, "02 01 00"},      {127, "02 01 7F"},  {128, "02 02 00 80"},
      {256, "02 02 01 00"}, {-128, "02 01 80"}, {-129, "02 02 FF 7F"},
  };
  for (auto [value, encoding] : cases) {
    EXPECT_EQ(build([&](Writer& w) { w.integer(value); }), hex(encoding)) << value;
    const Bytes der = hex(encoding);
    Reader r{der};
    auto got = r.read_int64();
    ASSERT_TRUE(got) << encoding;
    EXPECT_EQ(*got, value);
  }
  const Bytes rsadsi = hex("06 06 2A 86 48 86 F7 0D");
  Reader r{rsadsi};
  auto oid = r.read_oid();
  ASSERT_TRUE(oid);
  EXPECT_EQ(*oid, "1.2.840.113549");
  EXPECT_EQ(build([](Writer& w) { w.oid("1.2.840.113549"); }), rsadsi);
}

// RFC 2876 §7 SMIMECapabilities as the facts sheet §5.7 decodes them (the DER of those strings;
// emitting them is the CMS layer's requirement): KEA = { id-kEAKeyEncryptionAlgorithm,
// { id-fortezzaWrap80 } }, SKIPJACK = { id-fortezzaConfidentialityAlgorithm }.
TEST(DerRfcStructures, Rfc2876SmimeCapabilities) {
  const Bytes caps =
      hex("30 27 30 18 06 09 60 86 48 01 65 02 01 01 18 30 0b 06 09 60 86 48 01 65 02 01 01 17"
          " 30 0b 06 09 60 86 48 01 65 02 01 01 04");
  Reader r{caps};
  auto list = r.read_sequence();
  ASSERT_TRUE(list);
  auto kea = list->read_sequence();
  ASSERT_TRUE(kea);
  EXPECT_TRUE(kea->expect_oid("2.16.840.1.101.2.1.1.24"));
  auto wrap = kea->read_sequence();
  ASSERT_TRUE(wrap);
  EXPECT_TRUE(wrap->expect_oid("2.16.840.1.101.2.1.1.23"));
  EXPECT_TRUE(wrap->at_end());  // parameters absent
  EXPECT_TRUE(kea->at_end());
  auto skipjack = list->read_sequence();
  ASSERT_TRUE(skipjack);
  EXPECT_TRUE(skipjack->expect_oid("2.16.840.1.101.2.1.1.4"));
  EXPECT_TRUE(skipjack->at_end());
  EXPECT_TRUE(list->expect_end());
  EXPECT_TRUE(r.expect_end());

  EXPECT_EQ(build([](Writer& w) {
              w.sequence([](Writer& l) {
                l.sequence([](Writer& k) {
                  k.oid("2.16.840.1.101.2.1.1.24");
                  k.sequence([](Writer& a) { a.oid("2.16.840.1.101.2.1.1.23"); });
                });
                l.sequence([](Writer& s) { s.oid("2.16.840.1.101.2.1.1.4"); });
              });
            }),
            caps);

  // The SKIPJACK string as RFC 2876 prints it carries a stray 00 after its 11 octets (facts
  // §5.7): the SEQUENCE parses, the octet after it is trailing data.
  const Bytes printed = hex("300b 0609 6086 4801 6502 0101 0400");
  Reader rp{printed};
  ASSERT_TRUE(rp.read_sequence());
  auto end = rp.expect_end();
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, Errc::parse);
}

// RFC 2876 §4.1 / facts §5.2: contentEncryptionAlgorithm with Skipjack-Parm.
TEST(DerRfcStructures, Rfc2876SkipjackParm) {
  const Bytes iv = hex("01 23 45 67 89 ab cd ef");
  const Bytes want =
      hex("30 17 06 09 60 86 48 01 65 02 01 01 04 30 0a 04 08 01 23 45 67 89 ab cd ef");
  EXPECT_EQ(build([&](Writer& w) {
              w.sequence([&](Writer& a) {
                a.oid("2.16.840.1.101.2.1.1.4");
                a.sequence([&](Writer& p) { p.octet_string(iv); });
              });
            }),
            want);
  Reader r{want};
  auto alg = r.read_sequence();
  ASSERT_TRUE(alg);
  ASSERT_TRUE(alg->expect_oid("2.16.840.1.101.2.1.1.4"));
  auto parm = alg->read_sequence();
  ASSERT_TRUE(parm);
  auto got = parm->read_octet_string();
  ASSERT_TRUE(got);
  EXPECT_EQ(to_bytes(*got), iv);
}

// `openssl asn1parse -genconf types.cnf` (tests/data/asn1/README.md): every type read with its
// typed accessor, with the values asn1parse prints, and rebuilt octet for octet.
TEST(DerOpenssl, GenconfTypes) {
  const Bytes der = file("types.der");
  Reader top{der};
  auto r = top.read_sequence();
  ASSERT_TRUE(r);
  auto version = r->read_explicit(0);
  ASSERT_TRUE(version);
  EXPECT_EQ(*version->read_int64(), 2);
  EXPECT_EQ(*r->read_int64(), 0);
  EXPECT_EQ(*r->read_int64(), 127);
  EXPECT_EQ(to_bytes(*r->read_integer()), hex("00 80"));
  EXPECT_EQ(*r->read_int64(), -129);
  auto big = r->read_unsigned();
  ASSERT_TRUE(big);
  EXPECT_EQ(to_bytes(*big), hex("FFEEDDCCBBAA99887766554433221100"));
  EXPECT_TRUE(*r->read_boolean());
  EXPECT_FALSE(*r->read_boolean());
  EXPECT_TRUE(r->read_null());
  EXPECT_EQ(*r->read_oid(), "1.2.840.113549.1.9.16.3.6");  // id-alg-CMS3DESwrap
  EXPECT_EQ(*r->read_oid(), "2.999.1");
  EXPECT_EQ(to_bytes(*r->read_octet_string()), hex("00112233445566778899"));
  auto bits = r->read_bit_string();
  ASSERT_TRUE(bits);
  EXPECT_EQ(bits->unused_bits, 0);
  EXPECT_EQ(to_bytes(bits->bytes), hex("0A3B5F291CD0"));
  EXPECT_EQ(to_bytes(*r->read_octet_string(context(1))), hex("CAFE"));  // [1] IMPLICIT
  auto explicit_oid = r->read_explicit(2);
  ASSERT_TRUE(explicit_oid);
  EXPECT_EQ(*explicit_oid->read_oid(), "2.16.840.1.101.2.1.1.23");
  EXPECT_EQ(*r->read_int64(context(200)), 5);  // high-tag-number form
  auto text = r->read(tag::kUtf8String);
  ASSERT_TRUE(text);
  EXPECT_EQ(std::string(text->value.begin(), text->value.end()), "sipcred");
  auto set = r->read_set();
  ASSERT_TRUE(set);
  EXPECT_EQ(*set->read_int64(), 1);
  EXPECT_EQ(*set->read_int64(), 3);
  EXPECT_TRUE(set->expect_end());
  EXPECT_TRUE(r->expect_end());
  EXPECT_TRUE(top.expect_end());

  const uint8_t cafe[] = {0xca, 0xfe};
  const auto octets = hex("00112233445566778899");
  const auto bit_bytes = hex("0A3B5F291CD0");
  const auto big_magnitude = hex("FFEEDDCCBBAA99887766554433221100");
  const Bytes rebuilt = build([&](Writer& w) {
    w.sequence([&](Writer& s) {
      s.explicit_tag(0, [](Writer& e) { e.integer(2); });
      s.integer(0).integer(127).integer(128).integer(-129);
      s.integer_from_unsigned(big_magnitude);
      s.boolean(true).boolean(false).null();
      s.oid("1.2.840.113549.1.9.16.3.6").oid("2.999.1");
      s.octet_string(octets).bit_string(bit_bytes);
      s.octet_string(cafe, context(1));
      s.explicit_tag(2, [](Writer& e) { e.oid("2.16.840.1.101.2.1.1.23"); });
      s.integer(5, context(200));
      s.tlv(tag::kUtf8String,
            std::span<const uint8_t>{reinterpret_cast<const uint8_t*>("sipcred"), 7});
      s.set_of([](Writer& e) { e.integer(3).integer(1); });  // sorted on output (X.690 §11.6)
    });
  });
  EXPECT_EQ(rebuilt, der);
}

TEST(DerOpenssl, GenstrOidAndInteger) {
  const Bytes oid = file("oid_kea.der");
  Reader r{oid};
  EXPECT_TRUE(r.expect_oid("2.16.840.1.101.2.1.1.24"));
  EXPECT_EQ(build([](Writer& w) { w.oid("2.16.840.1.101.2.1.1.24"); }), oid);
  const Bytes minus_one = file("int_minus_one.der");
  Reader ri{minus_one};
  EXPECT_EQ(*ri.read_int64(), -1);
  EXPECT_EQ(build([](Writer& w) { w.integer(-1); }), minus_one);
}

// RFC 5280 §4.1 Certificate made by `openssl req -x509` (values as asn1parse shows them).
TEST(DerRfcStructures, Rfc5280CertificateFields) {
  const Bytes der = file("cert_ec.der");
  Reader top{der};
  auto cert = top.read_sequence();
  ASSERT_TRUE(cert);
  auto tbs = cert->read_sequence();
  ASSERT_TRUE(tbs);
  auto version = tbs->read_explicit(0);
  ASSERT_TRUE(version);
  EXPECT_EQ(*version->read_int64(), 2);  // v3
  EXPECT_EQ(to_bytes(*tbs->read_unsigned()), hex("0123456789ABCDEF"));
  auto sig = tbs->read_sequence();
  ASSERT_TRUE(sig);
  EXPECT_TRUE(sig->expect_oid("1.2.840.10045.4.3.2"));  // ecdsa-with-SHA256, no parameters
  EXPECT_TRUE(sig->at_end());
  auto issuer = tbs->read_sequence();
  ASSERT_TRUE(issuer);
  auto rdn = issuer->read_set();
  ASSERT_TRUE(rdn);
  auto atv = rdn->read_sequence();
  ASSERT_TRUE(atv);
  EXPECT_TRUE(atv->expect_oid("2.5.4.3"));  // commonName
  auto cn = atv->read(tag::kUtf8String);
  ASSERT_TRUE(cn);
  EXPECT_EQ(std::string(cn->value.begin(), cn->value.end()), "alice.example.com");
  auto validity = tbs->read_sequence();
  ASSERT_TRUE(validity);
  EXPECT_TRUE(validity->read(tag::kUtcTime));
  EXPECT_TRUE(validity->read(tag::kUtcTime));
  EXPECT_TRUE(validity->expect_end());
  EXPECT_TRUE(tbs->read_sequence());  // subject
  auto spki = tbs->read_sequence();
  ASSERT_TRUE(spki);
  auto alg = spki->read_sequence();
  ASSERT_TRUE(alg);
  EXPECT_TRUE(alg->expect_oid("1.2.840.10045.2.1"));    // id-ecPublicKey
  EXPECT_TRUE(alg->expect_oid("1.2.840.10045.3.1.7"));  // prime256v1
  auto key = spki->read_bit_string();
  ASSERT_TRUE(key);
  EXPECT_EQ(key->bytes.size(), 65u);
  EXPECT_EQ(key->bytes[0], 0x04);               // uncompressed point
  EXPECT_TRUE(tbs->next_is(context(3, true)));  // extensions [3] EXPLICIT
  EXPECT_TRUE(tbs->read_explicit(3));
  EXPECT_TRUE(tbs->expect_end());
  EXPECT_TRUE(cert->read_sequence());  // signatureAlgorithm
  EXPECT_TRUE(cert->read_bit_string());
  EXPECT_TRUE(cert->expect_end());

  // Serial 128 carries a sign octet: the INTEGER contents are 00 80, the magnitude 80.
  const Bytes rsa = file("cert_rsa.der");
  Reader rr{rsa};
  auto rcert = rr.read_sequence();
  ASSERT_TRUE(rcert);
  auto rtbs = rcert->read_sequence();
  ASSERT_TRUE(rtbs);
  ASSERT_TRUE(rtbs->read_explicit(0));
  Reader copy = *rtbs;
  EXPECT_EQ(to_bytes(*rtbs->read_integer()), hex("00 80"));
  EXPECT_EQ(to_bytes(*copy.read_unsigned()), hex("80"));
}

// RFC 5652 §3 ContentInfo / §6.1 EnvelopedData from `openssl cms -encrypt`, with implicit tags:
// kari is [1], its originator [0] EXPLICIT, encryptedContent [0] IMPLICIT OCTET STRING.
TEST(DerRfcStructures, Rfc5652EnvelopedData) {
  const Bytes der = file("cms_enveloped_kari.der");
  Reader top{der};
  auto ci = top.read_sequence();
  ASSERT_TRUE(ci);
  EXPECT_TRUE(ci->expect_oid("1.2.840.113549.1.7.3"));  // id-envelopedData
  auto content = ci->read_explicit(0);
  ASSERT_TRUE(content);
  auto env = content->read_sequence();
  ASSERT_TRUE(env);
  EXPECT_EQ(*env->read_int64(), 2);
  auto ris = env->read_set();
  ASSERT_TRUE(ris);
  auto kari = ris->read_constructed(context(1, true));
  ASSERT_TRUE(kari);
  EXPECT_EQ(*kari->read_int64(), 3);
  EXPECT_TRUE(kari->read_explicit(0));  // originator
  EXPECT_TRUE(kari->read_sequence());   // keyEncryptionAlgorithm
  EXPECT_TRUE(kari->read_sequence());   // recipientEncryptedKeys
  EXPECT_TRUE(kari->expect_end());
  auto eci = env->read_sequence();
  ASSERT_TRUE(eci);
  EXPECT_TRUE(eci->expect_oid("1.2.840.113549.1.7.1"));  // id-data
  auto cea = eci->read_sequence();
  ASSERT_TRUE(cea);
  EXPECT_TRUE(cea->expect_oid("2.16.840.1.101.3.4.1.2"));  // aes128-CBC
  EXPECT_EQ(cea->read_octet_string()->size(), 16u);
  auto ciphertext = eci->read_octet_string(context(0));
  ASSERT_TRUE(ciphertext);
  EXPECT_EQ(ciphertext->size(), 16u);  // "hello, sipcred" padded to one AES block
  EXPECT_TRUE(env->expect_end());
}

// Every file, walked TLV by TLV and re-encoded with the writer, gives back its own octets.
TEST(DerRoundTrip, OpensslFilesReencodeExactly) {
  for (const char* name :
       {"types.der", "oid_kea.der", "int_minus_one.der", "cert_ec.der", "cert_rsa.der",
        "cms_enveloped_kari.der", "cms_enveloped_ktri.der", "cms_signed.der"}) {
    const Bytes der = file(name);
    ASSERT_FALSE(der.empty()) << name;
    Reader r{der};
    Writer w;
    ASSERT_TRUE(reencode(r, w)) << name;
    auto out = std::move(w).finish();
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, der) << name;
  }
}

// --- Malformed input: each refused with a parse (or limit) error, never read past ---

void expect_refused(const Bytes& der, const char* what, Errc code = Errc::parse) {
  Reader r{der};
  Writer w;
  bool parsed = reencode(r, w);
  EXPECT_FALSE(parsed) << what;
  Reader r2{der};
  auto tlv = r2.read_any();
  if (!tlv) {
    EXPECT_EQ(tlv.error().code, code) << what << ": " << tlv.error().message();
  }
}

TEST(DerMalformed, LengthsAndIdentifiers) {
  expect_refused(hex("30"), "truncated: no length");
  expect_refused(hex("02 01"), "truncated: no contents");
  expect_refused(hex("30 03 02 01"), "truncated: length beyond the input");
  expect_refused(hex("04 82 01"), "truncated length octets");
  expect_refused(hex("30 80 02 01 01 00 00"), "indefinite length");
  expect_refused(hex("04 81 05 00 00 00 00 00"), "long form for a length below 128");
  Bytes leading_zero = hex("04 82 00 80");
  leading_zero.resize(leading_zero.size() + 128);
  expect_refused(leading_zero, "length with a leading zero octet");
  expect_refused(hex("04 FF 00"), "reserved length octet");
  expect_refused(hex("04 89 01 00 00 00 00 00 00 00 00"), "more length octets than fit",
                 Errc::limit);
  expect_refused(hex("9f 1e 00"), "high-tag form for 30");
  expect_refused(hex("9f 80 81 00"), "tag number with a leading zero septet");
  expect_refused(hex("9f ff ff ff ff 7f 00"), "tag number too large", Errc::limit);
  expect_refused(hex("9f 81"), "truncated tag number");
  // The inner OCTET STRING claims 4 octets inside a SEQUENCE of 3.
  expect_refused(hex("30 03 04 04 aa bb cc dd"), "length beyond its container");

  // A well-formed high tag number [31] is fine.
  const Bytes ok = hex("9f 1f 00");
  Reader r{ok};
  auto tlv = r.read_any();
  ASSERT_TRUE(tlv);
  EXPECT_EQ(tlv->tag, context(31));
  // Empty input: nothing to read, and at_end from the start.
  Reader empty{std::span<const uint8_t>{}};
  EXPECT_TRUE(empty.at_end());
  EXPECT_FALSE(empty.peek_tag());
}

TEST(DerMalformed, TypedValues) {
  struct Case {
    const char* der;
    const char* what;
  };
  const Case ints[] = {{"02 00", "empty INTEGER"},
                       {"02 02 00 7f", "INTEGER with a redundant 00"},
                       {"02 02 ff 80", "INTEGER with a redundant FF"}};
  for (auto c : ints) {
    const Bytes d = hex(c.der);
    Reader r{d};
    EXPECT_FALSE(r.read_integer()) << c.what;
    EXPECT_EQ(r.remaining(), d.size()) << c.what << ": a failed read does not move";
  }
  const Case oids[] = {{"06 00", "empty OID"},
                       {"06 03 2a 80 01", "OID subidentifier with a leading 0x80"},
                       {"06 02 2a 86", "OID ends inside a subidentifier"},
                       {"06 01 80", "first subidentifier 0x80"}};
  for (auto c : oids) {
    const Bytes d = hex(c.der);
    Reader r{d};
    EXPECT_FALSE(r.read_oid()) << c.what;
  }
  const Case bits[] = {{"03 00", "BIT STRING without the unused-bits octet"},
                       {"03 02 08 00", "8 unused bits"},
                       {"03 01 01", "empty BIT STRING with unused bits"},
                       {"03 02 01 01", "unused bit set"}};
  for (auto c : bits) {
    const Bytes d = hex(c.der);
    Reader r{d};
    EXPECT_FALSE(r.read_bit_string()) << c.what;
  }
  const Case bools[] = {{"01 01 01", "BOOLEAN 01"},
                        {"01 02 00 00", "BOOLEAN of two octets"},
                        {"01 00", "empty BOOLEAN"}};
  for (auto c : bools) {
    const Bytes d = hex(c.der);
    Reader r{d};
    EXPECT_FALSE(r.read_boolean()) << c.what;
  }
  const Bytes null_with_contents = hex("05 01 00");
  Reader rn{null_with_contents};
  EXPECT_FALSE(rn.read_null());
  const Bytes big = hex("02 09 01 00 00 00 00 00 00 00 00");
  Reader rb{big};
  auto too_big = rb.read_int64();
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, Errc::limit);
  const Bytes negative = hex("02 01 80");
  Reader rneg{negative};
  EXPECT_FALSE(rneg.read_unsigned());

  // Wrong tag: refused without moving, so the right reader still works. A constructed
  // (BER) OCTET STRING is not the primitive one DER requires.
  const Bytes octets = hex("04 02 aa bb");
  Reader ro{octets};
  EXPECT_FALSE(ro.read_integer());
  EXPECT_TRUE(ro.read_octet_string());
  const Bytes ber_octets = hex("24 04 04 02 aa bb");
  Reader rc{ber_octets};
  EXPECT_FALSE(rc.read_octet_string());
  // expect_oid names the mismatch.
  const Bytes data_oid = hex("06 09 2a 86 48 86 f7 0d 01 07 01");
  Reader rd{data_oid};
  auto wrong = rd.expect_oid("1.2.840.113549.1.7.3");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().detail.find("1.2.840.113549.1.7.1"), std::string::npos);
}

Bytes nested_sequences(size_t levels) {
  Bytes der = hex("05 00");
  for (size_t i = 0; i < levels; ++i) {
    Writer w;
    w.tlv(tag::kSequence, der);
    der = *std::move(w).finish();
  }
  return der;
}

TEST(DerMalformed, NestingDepthLimit) {
  const Bytes ok = nested_sequences(kDefaultMaxDepth);
  Reader r{ok};
  Writer w;
  EXPECT_TRUE(reencode(r, w));

  const Bytes deep = nested_sequences(kDefaultMaxDepth + 1);
  Reader rd{deep};
  Writer wd;
  EXPECT_FALSE(reencode(rd, wd));
  // Descending level by level, the 33rd reader is refused with Errc::limit.
  Reader level{deep};
  for (size_t i = 0; i < kDefaultMaxDepth; ++i) {
    auto next = level.read_sequence();
    ASSERT_TRUE(next) << i;
    level = *next;
  }
  auto refused = level.read_sequence();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::limit);

  // A reader may be given a smaller limit.
  const Bytes three = nested_sequences(3);
  Reader shallow{three, 2};
  auto l1 = shallow.read_sequence();
  ASSERT_TRUE(l1);
  auto l2 = l1->read_sequence();
  ASSERT_TRUE(l2);
  EXPECT_FALSE(l2->read_sequence());
}

// --- Writer ---

TEST(DerWriter, MinimalIntegersFromBytes) {
  EXPECT_EQ(build([](Writer& w) { w.integer_from_unsigned({}); }), hex("02 01 00"));
  EXPECT_EQ(build([](Writer& w) { w.integer_from_unsigned(hex("00 00 80")); }), hex("02 02 00 80"));
  EXPECT_EQ(build([](Writer& w) { w.integer_from_unsigned(hex("00 7f")); }), hex("02 01 7f"));
  EXPECT_EQ(build([](Writer& w) { w.integer_from_twos_complement(hex("ff ff 80")); }),
            hex("02 01 80"));
  EXPECT_EQ(build([](Writer& w) { w.integer_from_twos_complement(hex("00 00 01")); }),
            hex("02 01 01"));
  EXPECT_EQ(build([](Writer& w) { w.integer_from_twos_complement({}); }), hex("02 01 00"));
  EXPECT_EQ(build([](Writer& w) { w.integer(std::numeric_limits<int64_t>::min()); }),
            hex("02 08 80 00 00 00 00 00 00 00"));
  EXPECT_EQ(build([](Writer& w) { w.integer(std::numeric_limits<int64_t>::max()); }),
            hex("02 08 7f ff ff ff ff ff ff ff"));
  const Bytes min = hex("02 08 80 00 00 00 00 00 00 00");
  Reader r{min};
  EXPECT_EQ(*r.read_int64(), std::numeric_limits<int64_t>::min());
}

TEST(DerWriter, LengthsAndTags) {
  EXPECT_EQ(build([](Writer& w) { w.octet_string(Bytes(127, 0)); })[1], 0x7f);
  const Bytes b256 = build([](Writer& w) { w.octet_string(Bytes(256, 0)); });
  EXPECT_EQ(Bytes(b256.begin(), b256.begin() + 4), hex("04 82 01 00"));
  const Bytes b64k = build([](Writer& w) { w.octet_string(Bytes(65536, 0)); });
  EXPECT_EQ(Bytes(b64k.begin(), b64k.begin() + 5), hex("04 83 01 00 00"));
  Reader r{b64k};
  EXPECT_EQ(r.read_octet_string()->size(), 65536u);
  EXPECT_EQ(build([](Writer& w) { w.null(context(30)); }), hex("9e 00"));
  EXPECT_EQ(build([](Writer& w) { w.null(context(31)); }), hex("9f 1f 00"));
  EXPECT_EQ(build([](Writer& w) { w.null(context(200)); }), hex("9f 81 48 00"));
  EXPECT_EQ(build([](Writer& w) { w.null(Tag{TagClass::application, false, 1}); }), hex("41 00"));
  EXPECT_EQ(build([](Writer& w) { w.constructed(context(0), [](Writer&) {}); }), hex("a0 00"));
  EXPECT_EQ(build([](Writer& w) { w.raw(hex("05 00")).raw(hex("01 01 ff")); }),
            hex("05 00 01 01 ff"));
}

TEST(DerWriter, RefusesWhatCannotBeEncoded) {
  for (const char* bad : {"", "1", "3.1", "1.40", "1..2", "1.2.", ".1.2", "01.2", "1.02", "1.2.x",
                          "1.2.-3", "2.18446744073709551600", "1.2.18446744073709551616"}) {
    Writer w;
    w.oid(bad);
    auto out = std::move(w).finish();
    ASSERT_FALSE(out) << bad;
    EXPECT_EQ(out.error().code, Errc::invalid_argument) << bad;
  }
  // The largest arcs that fit.
  EXPECT_EQ(build([](Writer& w) { w.oid("2.18446744073709551535"); }),
            hex("06 0a 81 ff ff ff ff ff ff ff ff 7f"));
  const Bytes big_arc = hex("06 0a 81 ff ff ff ff ff ff ff ff 7f");
  Reader r{big_arc};
  EXPECT_EQ(*r.read_oid(), "2.18446744073709551535");
  const Bytes too_big = hex("06 0b 82 80 80 80 80 80 80 80 80 80 00");
  Reader rt{too_big};
  auto refused = rt.read_oid();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::limit);

  for (auto [bytes, unused] : {std::pair{Bytes{}, uint8_t{1}}, std::pair{hex("ff"), uint8_t{8}},
                               std::pair{hex("01"), uint8_t{1}}}) {
    Writer w;
    w.bit_string(bytes, unused);
    EXPECT_FALSE(std::move(w).finish());
  }
  // An error inside a constructed value reaches the outermost finish().
  Writer w;
  w.sequence([](Writer& s) { s.integer(1).oid("nonsense"); });
  EXPECT_FALSE(w.ok());
  EXPECT_FALSE(std::move(w).finish());
}

}  // namespace
}  // namespace sipcred::asn1
