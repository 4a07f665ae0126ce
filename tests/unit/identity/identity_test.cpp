// RFC 4474 / RFC 8224 authentication service and verifier. Expected values come from the RFC's
// digest-string rule worked by hand (tests/data/identity/README.md), from the openssl CLI signing
// the same digest-string with the same key (RSA PKCS#1 v1.5 is deterministic, so the Identity
// must be byte-identical), from RFC 7515 A.3 and RFC 8225 erratum 5985.
#include <gtest/gtest.h>

#include "crypto/certificate.hpp"
#include "crypto/hash.hpp"
#include "identity/identity.hpp"
#include "identity/passport.hpp"
#include "identity/verifier.hpp"
#include "sip/headers.hpp"
#include "sip/parser.hpp"
#include "support/files.hpp"
#include "support/run.hpp"

namespace sipcred::identity {
namespace {

using test::run;

// A CA and domain certificates made with the openssl CLI once for the whole suite.
class Pki {
 public:
  Pki() {
    std::string d = dir_.path().string();
    auto ok = [](const test::Ran& r) {
      if (r.status != 0) ADD_FAILURE() << r.out;
    };
    ok(run("cd " + d +
           " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 "
           "-subj /CN=Test-CA -addext basicConstraints=critical,CA:TRUE"));
    auto leaf = [&](const std::string& name, const std::string& newkey, const std::string& san) {
      ok(run("cd " + d + " && printf 'subjectAltName=" + san + "\\n' > " + name +
             ".ext && openssl req -newkey " + newkey + " -nodes -keyout " + name + ".key -out " +
             name + ".csr -subj /CN=" + name + " && openssl x509 -req -in " + name +
             ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out " + name +
             ".pem -extfile " + name + ".ext"));
      ok(run("cd " + d + " && openssl x509 -in " + name + ".pem -outform DER -out " + name +
             ".der"));
    };
    leaf("example.com", "rsa:2048", "DNS:example.com");
    leaf("other.example", "rsa:2048", "DNS:other.example");
    leaf("ec.example.com", "ec -pkeyopt ec_paramgen_curve:P-256", "DNS:example.com");
    ok(run("cd " + d +
           " && openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out "
           "rogue.pem -days 30 -subj /CN=example.com -addext "
           "subjectAltName=DNS:example.com"));
  }
  std::string path(const std::string& f) const { return dir_ / f; }
  std::string read(const std::string& f) const { return test::read_file(path(f)); }
  crypto::PrivateKey key(const std::string& name) const {
    return *crypto::PrivateKey::from_pem(read(name + ".key"));
  }
  crypto::Certificate cert(const std::string& name) const {
    return *crypto::Certificate::from_pem(read(name + ".pem"));
  }
  DomainKey domain(const std::string& name, Alg alg = Alg::rsa_sha1,
                   Scheme scheme = Scheme::rfc4474) const {
    DomainKey k{"example.com", key(name), cert(name), "https://certs.example.com/" + name + ".der",
                scheme,        alg};
    return k;
  }

 private:
  test::TempDir dir_;
};

const Pki& pki() {
  static Pki p;
  return p;
}

sip::Message parse(const std::string& text) {
  auto m = sip::parse_datagram(text);
  EXPECT_TRUE(m) << (m ? "" : m.error().detail);
  return std::move(*m);
}

std::string notify_text() {
  return test::read_file(test::data_dir() / "identity" / "notify.sip");
}

WallTime at(std::string_view date) {
  return *sip::parse_date(date);
}
const WallTime kSigned = at("Thu, 21 Feb 2002 13:02:03 GMT");

// The verifier checks the certificates (made today by openssl) at the time it is given, so its
// requests are dated now.
// Taken after the certificates are made (their notBefore is the moment openssl ran).
WallTime test_now() {
  static const WallTime t =
      (pki(), std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  return t;
}
std::string dated_now(std::string text) {
  size_t p = text.find("Thu, 21 Feb 2002 13:02:03 GMT");
  text.replace(p, 29, to_rfc1123(test_now()));
  return text;
}

// REQ-PART ID-1: the RFC 4474 §9 digest-string.
TEST(DigestString, MatchesTheRfcRuleWorkedByHand) {
  auto m = parse(notify_text());
  auto f = request_fields(m);
  ASSERT_TRUE(f);
  std::string expected = test::read_file(test::data_dir() / "identity" / "notify.digest-string");
  EXPECT_EQ(digest_string(*f, *f->date), expected);
  EXPECT_EQ(f->from_host, "example.com");
  EXPECT_EQ(f->from_tag, "1928301774");
}

TEST(DigestString, EmptyContactPartWhenThereIsNone) {
  std::string t = notify_text();
  t.erase(t.find("Contact:"), t.find("Event:") - t.find("Contact:"));
  auto f = request_fields(parse(t));
  ASSERT_TRUE(f);
  EXPECT_NE(digest_string(*f, "D").find("|D||Hello"), std::string::npos);
}

// REQ-PART ID-1: rsa-sha1 (default) and rsa-sha256 Identity equal the openssl CLI's signature over
// the same digest-string with the same key.
TEST(AuthenticationService, Rfc4474IdentityEqualsOpensslSignature) {
  for (Alg alg : {Alg::rsa_sha1, Alg::rsa_sha256}) {
    AuthenticationService as;
    ASSERT_TRUE(as.add(pki().domain("example.com", alg)));
    auto m = parse(notify_text());
    ASSERT_TRUE(as.sign_message(m, kSigned + std::chrono::seconds{5}));
    test::TempDir dir;
    std::ofstream{dir / "ds", std::ios::binary}
        << test::read_file(test::data_dir() / "identity" / "notify.digest-string");
    std::string dgst = alg == Alg::rsa_sha1 ? "-sha1" : "-sha256";
    auto sig = run("openssl dgst " + dgst + " -sign " + pki().path("example.com.key") + " " +
                   (dir / "ds") + " | base64 -w0");
    ASSERT_EQ(sig.status, 0) << sig.out;
    EXPECT_EQ(*m.first(sip::HeaderId::identity), "\"" + sig.out + "\"");
    EXPECT_EQ(*m.first(sip::HeaderId::identity_info),
              "<https://certs.example.com/example.com.der>;alg=" +
                  std::string{alg == Alg::rsa_sha1 ? "rsa-sha1" : "rsa-sha256"});
    // The Date that was there is kept (it is what was signed).
    EXPECT_EQ(*m.first(sip::HeaderId::date), "Thu, 21 Feb 2002 13:02:03 GMT");
  }
}

TEST(AuthenticationService, AddsDateWhenAbsentAndSignsIt) {
  AuthenticationService as;
  ASSERT_TRUE(as.add(pki().domain("example.com")));
  std::string t = notify_text();
  t.erase(t.find("Date:"), t.find("Contact:") - t.find("Date:"));
  auto m = parse(t);
  ASSERT_TRUE(as.sign_message(m, kSigned));
  EXPECT_EQ(*m.first(sip::HeaderId::date), "Thu, 21 Feb 2002 13:02:03 GMT");
  // The wire form verifies with openssl: re-parse what would be sent.
  auto sent = parse(m.serialize());
  auto f = request_fields(sent);
  ASSERT_TRUE(f);
  test::TempDir dir;
  std::ofstream{dir / "ds", std::ios::binary} << digest_string(*f, *f->date);
  std::string b64{*sent.first(sip::HeaderId::identity)};
  std::ofstream{dir / "sig.b64"} << b64.substr(1, b64.size() - 2);
  auto v = run("base64 -d " + (dir / "sig.b64") + " > " + (dir / "sig") + " && openssl x509 -in " +
               pki().path("example.com.pem") + " -pubkey -noout > " + (dir / "pub.pem") +
               " && openssl dgst -sha1 -verify " + (dir / "pub.pem") + " -signature " +
               (dir / "sig") + " " + (dir / "ds"));
  EXPECT_EQ(v.status, 0) << v.out;
}

// REQ-PART ID-1: the service signs nothing whose From it does not serve.
TEST(AuthenticationService, RefusesForeignFromAndMismatchedKeys) {
  AuthenticationService as;
  ASSERT_TRUE(as.add(pki().domain("example.com")));
  std::string t = notify_text();
  t.replace(t.find("alice@example.com"), 17, "alice@example.net");
  auto m = parse(t);
  auto r = as.sign_message(m, kSigned);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_FALSE(m.first(sip::HeaderId::identity));

  DomainKey wrong = pki().domain("example.com");
  wrong.certificate = pki().cert("other.example");
  EXPECT_FALSE(as.add(wrong));
  EXPECT_FALSE(as.add(pki().domain("example.com", Alg::es256, Scheme::rfc8224)));  // RSA key
  DomainKey http = pki().domain("example.com");
  http.info_url = "http://certs.example.com/c.der";
  EXPECT_FALSE(as.add(http));
}

class VerifierTest : public ::testing::Test {
 protected:
  VerifierConfig config() {
    VerifierConfig c;
    c.anchors = {pki().cert("ca")};
    return c;
  }
  // Signs `text` for example.com and returns the wire form.
  std::string signed_text(const std::string& text, const std::string& key = "example.com",
                          Alg alg = Alg::rsa_sha1, Scheme scheme = Scheme::rfc4474,
                          bool body_claim = true) {
    AuthenticationService as;
    DomainKey k = pki().domain(key, alg, scheme);
    k.body_claim = body_claim;
    EXPECT_TRUE(as.add(k));
    auto m = parse(text);
    EXPECT_TRUE(as.sign_message(m, test_now()));
    return m.serialize();
  }
  Outcome verify(Verifier& v, const std::string& text, const std::string& cert_name,
                 WallTime now = test_now() + std::chrono::seconds{30}) {
    auto m = parse(text);
    auto step = v.begin(m, now);
    if (auto* o = std::get_if<Outcome>(&step)) return *o;
    EXPECT_EQ(std::get<NeedCertificate>(step).url,
              "https://certs.example.com/" + cert_name + ".der");
    return v.finish(m, pki().read(cert_name + ".der"), now);
  }
};

// REQ ID-2
TEST_F(VerifierTest, ValidRfc4474RequestAndEachFailureGetsItsCode) {
  Verifier v{config()};
  std::string good = signed_text(dated_now(notify_text()));
  Outcome ok = verify(v, good, "example.com");
  EXPECT_TRUE(ok.valid()) << ok.text();
  EXPECT_EQ(ok.asserted, "sip:alice@example.com");
  EXPECT_EQ(ok.text(), "valid rfc4474 sip:alice@example.com");

  // The same request again within the window: a replay.
  EXPECT_EQ(verify(v, good, "example.com").status, 403);

  auto tampered = [&](std::string from, std::string to) {
    std::string t = good;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  Verifier fresh{config()};
  EXPECT_EQ(verify(fresh, tampered("Hello, Bob!", "Hello, Eve!"), "example.com").status, 438);
  EXPECT_EQ(
      verify(fresh, tampered("sip:bob@example.org", "sip:eve@example.org"), "example.com").status,
      438);
  Outcome stale = verify(fresh, good, "example.com", test_now() + std::chrono::seconds{3601});
  EXPECT_EQ(stale.status, 403);
  EXPECT_EQ(stale.reason, "Stale Date");
  EXPECT_EQ(verify(fresh, good, "example.com", test_now() - std::chrono::seconds{3601}).status,
            403);

  std::string no_identity = dated_now(notify_text());
  Outcome o428 = verify(fresh, no_identity, "example.com");
  EXPECT_EQ(o428.status, 428);
  EXPECT_EQ(o428.reason, "Use Identity Header");

  std::string http_info = tampered("<https://", "<http://");
  EXPECT_EQ(verify(fresh, http_info, "example.com").status, 436);
  std::string no_date = good;
  no_date.erase(no_date.find("Date:"), no_date.find("Contact:") - no_date.find("Date:"));
  EXPECT_EQ(verify(fresh, no_date, "example.com").status, 403);
}

TEST_F(VerifierTest, CertificateProblemsAre436And437) {
  std::string good = signed_text(dated_now(notify_text()));
  auto m = parse(good);
  const WallTime now = test_now() + std::chrono::seconds{30};
  {
    Verifier v{config()};
    Outcome o = v.finish(m, fail(Errc::io, "timed out after 5 s"), now);
    EXPECT_EQ(o.status, 436);
    EXPECT_EQ(o.reason, "Bad Identity-Info");
  }
  {
    Verifier v{config()};
    EXPECT_EQ(v.finish(m, std::string{"not a certificate"}, now).status, 436);
  }
  {
    // A certificate of another domain, properly issued.
    Verifier v{config()};
    Outcome o = v.finish(m, pki().read("other.example.der"), now);
    EXPECT_EQ(o.status, 437);
    EXPECT_NE(o.detail.find("example.com"), std::string::npos);
  }
  {
    // The right name but not issued by a trust anchor.
    Verifier v{config()};
    EXPECT_EQ(v.finish(m, pki().read("rogue.pem"), now).status, 437);
  }
  {
    // A valid certificate for the domain whose key did not sign: 438.
    std::string forged = signed_text(dated_now(notify_text()), "ec.example.com", Alg::es256,
                                     Scheme::rfc8224);  // signed by the EC key
    Verifier v{config()};
    auto fm = parse(forged);
    EXPECT_EQ(v.finish(fm, pki().read("example.com.der"), now).status, 437);  // wrong key type
    Verifier v2{config()};
    std::string rsa_signed_by_other = good;
    // Same request signed by another domain's key but claiming example.com's certificate.
    AuthenticationService as;
    DomainKey k = pki().domain("other.example");
    k.certificate = pki().cert("other.example");
    ASSERT_TRUE(as.add(k));
    auto om = parse(dated_now(notify_text()));
    ASSERT_TRUE(as.sign_message(om, test_now()));
    EXPECT_EQ(v2.finish(parse(om.serialize()), pki().read("example.com.der"), now).status, 438);
  }
}

// REQ-PART ID-1 REQ-PART ID-2: RFC 8224 with our body claim, checked against openssl.
TEST_F(VerifierTest, Rfc8224PassportVerifiesInOpensslAndInOurs) {
  std::string text =
      signed_text(dated_now(notify_text()), "ec.example.com", Alg::es256, Scheme::rfc8224, true);
  auto m = parse(text);
  auto id = sip::parse_identity(*m.first(sip::HeaderId::identity));
  ASSERT_TRUE(id);
  ASSERT_TRUE(id->rfc8224);
  EXPECT_EQ(id->info_uri, "https://certs.example.com/ec.example.com.der");
  EXPECT_EQ(id->params.value("ppt"), "sipcred-body");
  auto pp = parse_passport(id->signature);
  ASSERT_TRUE(pp) << pp.error().detail;
  // The payload is RFC 8225 §9 canonical JSON; the body hash is openssl's.
  test::TempDir dir;
  std::ofstream{dir / "body", std::ios::binary} << "Hello, Bob!\n";
  auto h = run("openssl dgst -sha256 -binary " + (dir / "body") +
               " | base64 -w0 | tr '+/' '-_' | tr -d '='");
  std::string payload =
      *base64url_decode(pp->signing_input.substr(pp->signing_input.find('.') + 1));
  EXPECT_EQ(payload, "{\"body\":{\"sha256\":\"" + h.out +
                         "\"},\"dest\":{\"uri\":[\"sip:bob@example.org\"]},\"iat\":" +
                         std::to_string(test_now().time_since_epoch().count()) +
                         ","
                         "\"orig\":{\"uri\":\"sip:alice@example.com\"}}");
  std::string header = *base64url_decode(pp->signing_input.substr(0, pp->signing_input.find('.')));
  EXPECT_EQ(header,
            "{\"alg\":\"ES256\",\"ppt\":\"sipcred-body\",\"typ\":\"passport\",\"x5u\":"
            "\"https://certs.example.com/ec.example.com.der\"}");
  // openssl verifies the JWS signature (r || s turned into DER by python3 here).
  std::ofstream{dir / "in", std::ios::binary} << pp->signing_input;
  std::ofstream{dir / "raw", std::ios::binary} << pp->signature;
  auto v =
      run("python3 -c \"import sys; d=open(sys.argv[1],'rb').read(); "
          "i=lambda b: (lambda v: b'\\\\x02'+bytes([len(v)])+v)(b'\\\\x00'+b.lstrip(b'\\\\x00') "
          "if b.lstrip(b'\\\\x00')[0]>=128 else b.lstrip(b'\\\\x00')); "
          "body=i(d[:32])+i(d[32:]); "
          "open(sys.argv[2],'wb').write(b'\\\\x30'+bytes([len(body)])+body)\" " +
          (dir / "raw") + " " + (dir / "sig.der") + " && openssl x509 -in " +
          pki().path("ec.example.com.pem") + " -pubkey -noout > " + (dir / "pub.pem") +
          " && openssl dgst -sha256 -verify " + (dir / "pub.pem") + " -signature " +
          (dir / "sig.der") + " " + (dir / "in"));
  EXPECT_EQ(v.status, 0) << v.out;

  // Ours, with the freshness window of RFC 8224 (60 s).
  Verifier ours{config()};
  Outcome ok = verify(ours, text, "ec.example.com");
  EXPECT_TRUE(ok.valid()) << ok.text();
  EXPECT_EQ(ok.scheme, Scheme::rfc8224);
  Verifier late{config()};
  EXPECT_EQ(verify(late, text, "ec.example.com", test_now() + std::chrono::seconds{61}).status,
            403);
  std::string tampered = text;
  tampered.replace(tampered.find("Hello, Bob!"), 11, "Hello, Eve!");
  Verifier t{config()};
  Outcome o = verify(t, tampered, "ec.example.com");
  EXPECT_EQ(o.status, 438);
  EXPECT_NE(o.detail.find("body"), std::string::npos);
}

TEST_F(VerifierTest, PlainRfc8224TokenAndTheBodyRequirement) {
  std::string text =
      signed_text(dated_now(notify_text()), "ec.example.com", Alg::es256, Scheme::rfc8224, false);
  auto m = parse(text);
  auto id = sip::parse_identity(*m.first(sip::HeaderId::identity));
  EXPECT_FALSE(id->params.has("ppt"));
  Verifier plain{config()};
  EXPECT_TRUE(verify(plain, text, "ec.example.com").valid());
  VerifierConfig c = config();
  c.require_body_claim = true;
  Verifier strict{c};
  EXPECT_EQ(verify(strict, text, "ec.example.com").status, 438);
}

// Published vectors: RFC 7515 A.3 (ES256 JWS) verifies with raw r || s; RFC 8225's canonical
// payload (erratum 5985) is what our encoder writes for the same claims.
TEST(Passport, PublishedVectors) {
  std::map<std::string, std::string> v;
  std::istringstream in{test::read_file(test::data_dir() / "identity" / "rfc7515-a3.txt")};
  std::string k, val;
  while (in >> k >> val) {
    if (k != "#") v[k] = val;
    in.ignore(1 << 20, '\n');
  }
  // SubjectPublicKeyInfo of an uncompressed P-256 point (RFC 5480 §2): a fixed 27-octet prefix.
  static constexpr char kPrefix[] =
      "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48"
      "\xce\x3d\x03\x01\x07\x03\x42\x00\x04";
  std::string spki(kPrefix, sizeof kPrefix - 1);
  spki += *base64url_decode(v["x"]) + *base64url_decode(v["y"]);
  auto pub = crypto::PublicKey::from_der(crypto::as_bytes(spki));
  ASSERT_TRUE(pub);
  std::string sig = *base64url_decode(v["signature"]);
  EXPECT_TRUE(pub->verify_raw_ecdsa(crypto::HashAlg::sha256, crypto::as_bytes(v["input"]),
                                    crypto::as_bytes(sig)));
  sig[5] ^= 1;
  EXPECT_FALSE(pub->verify_raw_ecdsa(crypto::HashAlg::sha256, crypto::as_bytes(v["input"]),
                                     crypto::as_bytes(sig)));

  std::string expected;
  std::istringstream e{test::read_file(test::data_dir() / "identity" / "rfc8225-erratum5985.txt")};
  while (std::getline(e, expected) && expected.starts_with("#")) {
  }
  PassportClaims c;
  c.dest_uri = {"sip:alice@example.com"};
  c.iat = 1443208345;
  c.orig_tn = "12155551212";
  PassportHeader h;
  std::string input = passport_signing_input(h, c);
  EXPECT_EQ(input.substr(input.find('.') + 1), expected);
}

TEST(Json, StrictParsingAndCanonicalForm) {
  auto v = parse_json(
      " {\"b\" : [1, -2, \"x\\u00e9\\ud83d\\ude00\"], \"a\": {\"n\": null, \"t\": true}} ");
  ASSERT_TRUE(v) << v.error().detail;
  EXPECT_EQ(v->canonical(),
            "{\"a\":{\"n\":null,\"t\":true},\"b\":[1,-2,\"x\xc3\xa9\xf0\x9f\x98\x80\"]}");
  for (std::string_view bad :
       {"{\"a\":1,\"a\":2}", "{\"a\":1.5}", "[01]", "{\"a\":1", "\"\\ud800\"", "[1,]", "{} x",
        "\"a\tb\"", "[[[[[[[[[[1]]]]]]]]]]", "{\"a\":99999999999999999999}"}) {
    EXPECT_FALSE(parse_json(bad)) << bad;
  }
}

TEST(Passport, RejectsMalformedTokens) {
  for (std::string_view bad :
       {"", "a.b", "a.b.c.d", "e30..c2ln", "!!!.e30.c2ln", "e30.e30.c2ln" /* no iat/orig/dest */}) {
    EXPECT_FALSE(parse_passport(bad)) << bad;
  }
}

TEST(CertificateCache, ZeroLifetimeKeepsNothing) {
  CertificateCache none{std::chrono::seconds{0}};
  none.put("https://a/c", "x", kSigned);
  EXPECT_EQ(none.get("https://a/c", kSigned), nullptr);
  CertificateCache c{std::chrono::seconds{60}};
  c.put("https://a/c", "x", kSigned);
  ASSERT_NE(c.get("https://a/c", kSigned + std::chrono::seconds{59}), nullptr);
  EXPECT_EQ(c.get("https://a/c", kSigned + std::chrono::seconds{60}), nullptr);
}

}  // namespace
}  // namespace sipcred::identity

namespace sipcred::identity {
namespace {

// Known answers made by tools independent of sipcred (tests/integration/identity/kat/README.md):
// the openssl CLI's RSASSA-PKCS1-v1_5 signatures over a python digest-string written from RFC
// 4474 §9, and secsipidx's PASSporTs.
std::filesystem::path kat_dir() {
  return test::data_dir().parent_path() / "integration" / "identity";
}

TEST(KnownAnswers, OpensslSignerVectors) {
  auto key = crypto::PrivateKey::from_pem(test::read_file(kat_dir() / "kat" / "key.pem"));
  ASSERT_TRUE(key);
  const WallTime date = at("Sun, 22 Nov 2026 10:00:00 GMT");
  int rows = 0;
  for (const auto& row : test::read_tsv(kat_dir() / "kat" / "vectors.tsv")) {
    ASSERT_EQ(row.size(), 4u);
    const std::string& msg = row[0];
    Alg alg = *parse_alg(row[1]);
    AuthenticationService as;
    ASSERT_TRUE(
        as.add(DomainKey{"example.com", *key, std::nullopt,
                         "https://example.com/cert/example.com.der", Scheme::rfc4474, alg}));
    auto m = parse(test::read_file(kat_dir() / "msgs" / (msg + ".sip")));
    auto f = request_fields(m);
    ASSERT_TRUE(f) << msg;
    EXPECT_EQ(digest_string(*f, f->date.value_or(to_rfc1123(date))),
              test::read_file(kat_dir() / "kat" / (msg + ".digest-string")))
        << msg;
    ASSERT_TRUE(as.sign_message(m, date)) << msg;
    EXPECT_EQ(*m.first(sip::HeaderId::identity), row[3]) << msg << " " << row[1];
    EXPECT_EQ(m.first(sip::HeaderId::date).has_value(), true);
    ++rows;
  }
  EXPECT_EQ(rows, 10);
}

TEST(KnownAnswers, SecsipidxPassportVerifies) {
  auto cert = crypto::Certificate::from_pem(test::read_file(kat_dir() / "kat" / "p256-cert.pem"));
  ASSERT_TRUE(cert);
  std::string token = test::read_file(kat_dir() / "kat" / "passport-uri.token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  std::string req =
      "MESSAGE sip:bob@example.net SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-kat\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:alice@example.com>;tag=k1\r\n"
      "To: <sip:bob@example.net>\r\n"
      "Call-ID: kat@example.com\r\n"
      "CSeq: 1 MESSAGE\r\n"
      "Identity: " +
      token +
      "\r\n"
      "Content-Length: 0\r\n\r\n";
  auto m = parse(req);
  // The token was made (iat) before its certificate: verify when the certificate is valid, with a
  // window reaching back to iat.
  const WallTime iat{std::chrono::seconds{1795341600}};
  const WallTime now = std::max(iat, cert->not_before()) + std::chrono::seconds{5};
  VerifierConfig c;
  c.anchors = {*cert};
  c.window_rfc8224 =
      std::chrono::duration_cast<std::chrono::seconds>(now - iat) + std::chrono::seconds{60};
  Verifier v{c};
  auto step = v.begin(m, now);
  ASSERT_TRUE(std::holds_alternative<NeedCertificate>(step)) << std::get<Outcome>(step).text();
  std::string der{cert->der().begin(), cert->der().end()};
  Outcome o = v.finish(m, der, now);
  EXPECT_TRUE(o.valid()) << o.text();
  EXPECT_EQ(o.scheme, Scheme::rfc8224);
  // Another To than the token's dest: 438.
  std::string other = req;
  other.replace(other.find("To: <sip:bob@example.net>"), 25, "To: <sip:eve@example.net>");
  Verifier v2{c};
  EXPECT_EQ(v2.finish(parse(other), der, now).status, 438);
}

}  // namespace
}  // namespace sipcred::identity
