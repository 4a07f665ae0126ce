// Digest computations against published vectors (tests/data/auth/rfc7616.vec) and against the
// openssl CLI run on the A1/A2 strings (STYLE.md §4: expected values from a third party).
#include "auth/digest.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "auth/auth_params.hpp"
#include "auth/client.hpp"
#include "support/run.hpp"
#include "unit/auth/vectors.hpp"

namespace sipcred::auth {
namespace {

using test::load_vectors;
using test::unhex;
using test::Vector;

std::string username_of(const Vector& v) {
  return v.has("UsernameHex") ? unhex(v["UsernameHex"]) : v["Username"];
}

Qop qop_of(const Vector& v) {
  if (!v.has("Qop")) return Qop::none;
  return v["Qop"] == "auth-int" ? Qop::auth_int : Qop::auth;
}

TEST(DigestVectors, EveryBlockNamesItsSource) {
  for (const char* file : {"rfc7616.vec", "nonce.vec"}) {
    auto vecs = load_vectors(file);
    ASSERT_GE(vecs.size(), 3u) << file;
    for (const auto& v : vecs) EXPECT_TRUE(v.has("Source")) << file << " " << v.name;
  }
}

// RFC 7616 §3.9.1 (MD5, SHA-256), §3.9.2 (SHA-512-256 with userhash), RFC 2617 §3.5, and the
// RFC 2069 form without qop.
TEST(DigestVectors, PublishedResponses) {
  // REQ-PART CRED-1 PUB-1 HTTP-8 HTTP-9: the digest computation those requirements rely on.
  for (const auto& v : load_vectors("rfc7616.vec")) {
    SCOPED_TRACE(v.name);
    auto alg = parse_algorithm(v["Algorithm"]);
    ASSERT_TRUE(alg);
    const std::string user = username_of(v);
    const std::string h1 = ha1(alg->hash, user, v["Realm"], v["Password"]);
    EXPECT_EQ(h1, v["HA1"]);
    if (v.has("Userhash")) {
      EXPECT_EQ(userhash(alg->hash, user, v["Realm"]), v["Userhash"]);
    }
    ResponseInput in{
        .algorithm = *alg,
        .ha1 = h1,
        .nonce = v["Nonce"],
        .nc = v.has("Nc") ? std::string_view{v["Nc"]} : std::string_view{},
        .cnonce = v.has("Cnonce") ? std::string_view{v["Cnonce"]} : std::string_view{},
        .qop = qop_of(v),
        .method = v["Method"],
        .uri = v["Uri"],
    };
    EXPECT_EQ(response(in), v["Response"]);
  }
}

// The RFC's own header text parses, and says what the vector says.
TEST(DigestVectors, PublishedHeadersParse) {
  for (const auto& v : load_vectors("rfc7616.vec")) {
    SCOPED_TRACE(v.name);
    if (v.has("Credentials")) {
      auto f = parse_credentials(v["Credentials"]);
      ASSERT_TRUE(f) << f.error().detail;
      EXPECT_TRUE(f->is_scheme("Digest"));
      if (auto ext = f->value("username*")) {
        auto u = decode_ext_value(*ext);
        ASSERT_TRUE(u);
        EXPECT_EQ(*u, username_of(v));  // RFC 7616 §3.9.2's second form
      } else {
        EXPECT_EQ(f->value("username"), username_of(v));
      }
      EXPECT_EQ(f->value("realm"), v["Realm"]);
      EXPECT_EQ(f->value("nonce"), v["Nonce"]);
      EXPECT_EQ(f->value("uri"), v["Uri"]);
      EXPECT_EQ(f->value("response"), v["Response"]);
      EXPECT_EQ(f->value("opaque"), v["Opaque"]);
    }
    if (v.has("Challenge")) {
      auto cs = parse_challenges(v["Challenge"]);
      ASSERT_TRUE(cs);
      ASSERT_EQ(cs->size(), 1u);
      EXPECT_EQ((*cs)[0].value("algorithm"), v["Algorithm"]);
      EXPECT_EQ((*cs)[0].value("nonce"), v["Nonce"]);
    }
  }
}

// A client given the RFC 7616 §3.9.1 challenges (SHA-256 and MD5) picks SHA-256 (§3.7: the
// client uses the strongest it supports) and, with the RFC's cnonce, would send the RFC's
// response: checked through the computation, as the client draws its own cnonce.
TEST(DigestVectors, ClientPicksSha256FromRfcChallenges) {
  auto vecs = load_vectors("rfc7616.vec");
  std::vector<std::string_view> challenges;
  for (const auto& v : vecs)
    if (v.name.rfind("rfc7616-3.9.1", 0) == 0) challenges.push_back(v["Challenge"]);
  ASSERT_EQ(challenges.size(), 2u);
  ClientAuth c{{"Mufasa", "Circle of Life", {}}};
  ASSERT_EQ(c.on_challenge(challenges), ClientAuth::Action::retry);
  EXPECT_EQ(c.algorithm(), kSha256);
  EXPECT_EQ(c.realm(), "http-auth@example.org");
  auto a = c.authorize("GET", "/dir/index.html");
  ASSERT_TRUE(a);
  auto f = parse_credentials(*a);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value("algorithm"), "SHA-256");
  EXPECT_EQ(f->value("nonce"), "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  EXPECT_EQ(f->value("opaque"), "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  EXPECT_EQ(f->value("qop"), "auth");  // "auth, auth-int" offered: auth preferred
  EXPECT_EQ(f->value("nc"), "00000001");
}

TEST(DigestAlgorithms, NamesAndStrength) {
  EXPECT_EQ(parse_algorithm("sha-512-256"), kSha512_256);
  EXPECT_EQ(parse_algorithm("MD5-sess"), (Algorithm{crypto::HashAlg::md5, true}));
  EXPECT_EQ(to_string(Algorithm{crypto::HashAlg::sha256, true}), "SHA-256-sess");
  EXPECT_FALSE(parse_algorithm("SHA-1"));
  EXPECT_FALSE(parse_algorithm("-sess"));
  EXPECT_FALSE(parse_algorithm(""));
  EXPECT_GT(strength(kSha512_256), strength(kSha256));
  EXPECT_GT(strength(kSha256), strength(Algorithm{crypto::HashAlg::sha256, true}));
  EXPECT_GT(strength(Algorithm{crypto::HashAlg::sha256, true}), strength(kMd5));
  EXPECT_TRUE(is_digest_hex(std::string(64, 'A'), crypto::HashAlg::sha256));
  EXPECT_FALSE(is_digest_hex(std::string(63, 'a'), crypto::HashAlg::sha256));
  EXPECT_FALSE(is_digest_hex(std::string(32, 'g'), crypto::HashAlg::md5));
}

// openssl as the independent oracle: H() of each A1/A2/KD string via `openssl dgst`, for inputs
// the RFCs have no vectors for (SIP method and URI, -sess, auth-int, a body, a non-ASCII name).
std::string openssl_hash(crypto::HashAlg hash, std::string_view data) {
  static const std::map<crypto::HashAlg, std::string> kName{
      {crypto::HashAlg::md5, "md5"},
      {crypto::HashAlg::sha256, "sha256"},
      {crypto::HashAlg::sha512_256, "sha512-256"},
  };
  sipcred::test::TempDir dir;
  sipcred::test::write_bytes(dir / "in", sipcred::test::bytes_of(data));
  auto r = sipcred::test::run("openssl dgst -" + kName.at(hash) + " -r " + (dir / "in"));
  EXPECT_EQ(r.status, 0) << r.out;
  return r.out.substr(0, r.out.find(' '));
}

TEST(DigestOpenssl, ResponsesMatchTheOpensslCli) {
  const std::string user =
                        "al\xC3\xAF"
                        "ce",
                    realm = "example.com", pass = "p@ss: w\"rd";
  const std::string nonce = "bm9uY2U", cnonce = "0a4f113b", nc = "0000002a";
  const std::string method = "PUBLISH", uri = "sip:alice@example.com;transport=tls";
  const std::string body = "--boundary\r\nContent-Type: application/pkix-cert\r\n\r\n\x30\x82";
  const std::span<const uint8_t> body_bytes{reinterpret_cast<const uint8_t*>(body.data()),
                                            body.size()};
  for (auto hash : {crypto::HashAlg::md5, crypto::HashAlg::sha256, crypto::HashAlg::sha512_256}) {
    for (bool sess : {false, true}) {
      for (Qop qop : {Qop::auth, Qop::auth_int, Qop::none}) {
        SCOPED_TRACE(to_string(Algorithm{hash, sess}) + " " + std::string{to_string(qop)});
        const std::string h1 = openssl_hash(hash, user + ":" + realm + ":" + pass);
        EXPECT_EQ(ha1(hash, user, realm, pass), h1);
        std::string a1 = sess ? openssl_hash(hash, h1 + ":" + nonce + ":" + cnonce) : h1;
        std::string a2 = method + ":" + uri;
        if (qop == Qop::auth_int) a2 += ":" + openssl_hash(hash, body);
        std::string kd = a1 + ":" + nonce + ":";
        if (qop != Qop::none) kd += nc + ":" + cnonce + ":" + std::string{to_string(qop)} + ":";
        kd += openssl_hash(hash, a2);
        const std::string want = openssl_hash(hash, kd);
        EXPECT_EQ(response(ResponseInput{
                      .algorithm = {hash, sess},
                      .ha1 = h1,
                      .nonce = nonce,
                      .nc = qop == Qop::none ? "" : nc,
                      .cnonce = cnonce,
                      .qop = qop,
                      .method = method,
                      .uri = uri,
                      .body = body_bytes,
                  }),
                  want);
      }
    }
    EXPECT_EQ(userhash(hash, user, realm), openssl_hash(hash, user + ":" + realm));
  }
}

}  // namespace
}  // namespace sipcred::auth
