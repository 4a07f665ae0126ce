#include "cms/rfc2876/padding.hpp"

#include <cryptopp/filters.h>
#include <cryptopp/modes.h>
#include <cryptopp/skipjack.h>
#include <gtest/gtest.h>

#include <random>

#include "cms/rfc2876/skipjack.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

using Bytes = std::vector<uint8_t>;

void expect_generic_failure(const Result<size_t>& r, const std::string& what) {
  ASSERT_FALSE(r) << what;
  EXPECT_EQ(r.error().code, Errc::crypto) << what;
  EXPECT_EQ(r.error().detail, "decryption failed") << what;
}

// RFC 5652 §6.3: n = k - (len mod k) octets of value n; a whole block for an exact multiple.
TEST(CmsPadding, AddsOneToEightOctetsOfTheirCount) {
  // REQ-PART CMS-1
  for (size_t len = 0; len <= 24; ++len) {
    const Bytes data(len, 0xaa);
    const Bytes padded = cms_pad(data);
    const size_t n = 8 - len % 8;
    ASSERT_EQ(padded.size(), len + n) << len;
    EXPECT_EQ(padded.size() % 8, 0u);
    EXPECT_TRUE(std::equal(data.begin(), data.end(), padded.begin()));
    for (size_t i = len; i < padded.size(); ++i) EXPECT_EQ(padded[i], n) << len;
    auto size = cms_unpadded_size(padded);
    ASSERT_TRUE(size);
    EXPECT_EQ(*size, len);
    auto back = cms_unpad(padded);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, data);
  }
  EXPECT_EQ(cms_pad(Bytes{}, 16).size(), 16u);  // the rule is general in k
}

// Every malformed padding gives the same error and wording: the last octet 0 or above 8, any one
// padding octet different, a length that is not a positive multiple of 8.
TEST(CmsPadding, EveryBadPadRefusedWithTheSameMessage) {
  // REQ CMS-2
  size_t refused = 0;
  for (int last = 0; last < 256; ++last) {
    Bytes block(16, static_cast<uint8_t>(last));
    const bool valid = last >= 1 && last <= 8;
    auto r = cms_unpadded_size(block);
    if (valid) {
      ASSERT_TRUE(r) << last;
      EXPECT_EQ(*r, 16u - last);
      // Alter each padding octet except the last in turn, to every other value.
      for (int pos = 0; pos + 1 < last; ++pos) {
        for (int v = 0; v < 256; ++v) {
          if (v == last) continue;
          Bytes bad = block;
          bad[15 - 1 - pos] = static_cast<uint8_t>(v);
          expect_generic_failure(cms_unpadded_size(bad), "n=" + std::to_string(last));
          ++refused;
        }
      }
    } else {
      expect_generic_failure(r, "last octet " + std::to_string(last));
      ++refused;
    }
  }
  EXPECT_EQ(refused, 248u + 255u * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7));
  for (size_t len : {0u, 1u, 7u, 9u, 15u}) {
    expect_generic_failure(cms_unpadded_size(Bytes(len, 1)), "length " + std::to_string(len));
  }
  // Octets before the padding are content, whatever their value.
  Bytes ok = {9, 9, 9, 9, 9, 9, 9, 1};
  EXPECT_TRUE(cms_unpadded_size(ok));
  auto unpadded = cms_unpad(Bytes(8, 9));
  ASSERT_FALSE(unpadded);
  EXPECT_EQ(unpadded.error().detail, "decryption failed");
}

// RFC 2876 §2–3 end to end: our padded SKIPJACK-CBC equals Crypto++'s CBC with its PKCS #7
// padding (the same rule for 8-octet blocks), and decrypts back.
TEST(CmsPadding, SkipjackContentEncryptionMatchesCryptopp) {
  // REQ-PART CMS-1 (no EnvelopedData yet) REQ CMS-2
  std::mt19937_64 rng{6652};
  for (int i = 0; i < 200; ++i) {
    SkipjackKey cek;
    SkipjackBlock iv;
    for (auto& b : cek) b = static_cast<uint8_t>(rng());
    for (auto& b : iv) b = static_cast<uint8_t>(rng());
    Bytes content(rng() % 70);
    for (auto& b : content) b = static_cast<uint8_t>(rng());

    const Bytes ct = skipjack_cbc_encrypt(cek, iv, content);
    std::string want;
    CryptoPP::CBC_Mode<CryptoPP::SKIPJACK>::Encryption enc{cek.data(), cek.size(), iv.data()};
    CryptoPP::StringSource(
        content.data(), content.size(), true,
        new CryptoPP::StreamTransformationFilter(enc, new CryptoPP::StringSink(want),
                                                 CryptoPP::BlockPaddingSchemeDef::PKCS_PADDING));
    ASSERT_EQ(ct, Bytes(want.begin(), want.end())) << "length " << content.size();

    auto back = skipjack_cbc_decrypt(cek, iv, ct);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, content);
  }
}

// A ciphertext whose decryption ends in bad padding, a truncated or empty one: one answer.
TEST(CmsPadding, SkipjackDecryptionFailuresLookAlike) {
  // REQ CMS-2
  const SkipjackKey cek = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const SkipjackBlock iv = {8, 7, 6, 5, 4, 3, 2, 1};
  std::vector<Bytes> bad_plain = {Bytes(16, 0), Bytes(16, 9), Bytes(16, 0xff)};
  Bytes mixed(16, 4);
  mixed[13] = 5;
  bad_plain.push_back(mixed);
  for (const Bytes& p : bad_plain) {
    // Encrypt without padding with the oracle, so the plaintext ends exactly as chosen.
    Bytes ct(p.size());
    CryptoPP::CBC_Mode<CryptoPP::SKIPJACK>::Encryption enc{cek.data(), cek.size(), iv.data()};
    enc.ProcessData(ct.data(), p.data(), p.size());
    auto r = skipjack_cbc_decrypt(cek, iv, ct);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::crypto);
    EXPECT_EQ(r.error().detail, "decryption failed");
  }
  const Bytes good = skipjack_cbc_encrypt(cek, iv, Bytes(20, 0x41));
  for (size_t len : {size_t{0}, size_t{7}, size_t{9}, good.size() - 1}) {
    auto r = skipjack_cbc_decrypt(cek, iv, std::span<const uint8_t>{good.data(), len});
    ASSERT_FALSE(r) << len;
    EXPECT_EQ(r.error().detail, "decryption failed");
  }
}

}  // namespace
}  // namespace sipcred::cms::rfc2876
