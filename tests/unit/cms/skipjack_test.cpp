#include "cms/rfc2876/skipjack.hpp"

#include <cryptopp/modes.h>
#include <cryptopp/skipjack.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "crypto/hash.hpp"
#include "support/vec_file.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

using test::read_vec;
using Bytes = std::vector<uint8_t>;

ByteOrder order_of(const test::VecBlock& b) {
  return b.text("order") == "spec" ? ByteOrder::spec : ByteOrder::fortezza;
}

KeyView key_of(const Bytes& k) {
  EXPECT_EQ(k.size(), kSkipjackKeySize);
  return KeyView{k.data(), kSkipjackKeySize};
}

BlockView block_of(const Bytes& b) {
  EXPECT_EQ(b.size(), kSkipjackBlockSize);
  return BlockView{b.data(), kSkipjackBlockSize};
}

Bytes to_bytes(const SkipjackBlock& b) {
  return Bytes(b.begin(), b.end());
}

// Checks every single-block vector of a file in both directions; returns how many there were.
size_t check_block_vectors(const std::string& file) {
  size_t n = 0;
  for (const auto& v : read_vec(file)) {
    const Bytes key = v.bytes("key"), pt = v.bytes("pt"), ct = v.bytes("ct");
    const Skipjack sj{key_of(key), order_of(v)};
    EXPECT_EQ(to_bytes(sj.encrypt_block(block_of(pt))), ct) << file << " " << v.where();
    EXPECT_EQ(to_bytes(sj.decrypt_block(block_of(ct))), pt) << file << " " << v.where();
    ++n;
  }
  return n;
}

Bytes reversed(Bytes b) {
  std::reverse(b.begin(), b.end());
  return b;
}

// Facts §1.5: the F-table is a permutation with the listed entries and digest.
TEST(SkipjackFTable, MatchesThePublishedTable) {
  const auto f = skipjack_f_table();
  std::set<uint8_t> values(f.begin(), f.end());
  EXPECT_EQ(values.size(), 256u);
  EXPECT_EQ(f[0x00], 0xa3);
  EXPECT_EQ(f[0xff], 0x46);
  EXPECT_EQ(f[0x69], 0x00);
  EXPECT_EQ(crypto::to_hex(crypto::hash(crypto::HashAlg::sha256, f)),
            "3587a8b7cde06e199ec29100dfe96c61ae1999de95308b8abc49d38f12565624");
}

// Facts §1.7.1 and §1.7.2: the NSA spec's Annex III.A vector, once in each byte order.
TEST(SkipjackVectors, OfficialVectorInBothByteOrders) {
  EXPECT_EQ(check_block_vectors("rfc2876/skipjack_official.vec"), 2u);
}

// Facts §1.7.3: SP 800-17 Table 6 passes in FORTEZZA order only (§1.6).
TEST(SkipjackVectors, Sp800_17VariableKeyKats) {
  EXPECT_EQ(check_block_vectors("rfc2876/skipjack_sp800_17.vec"), 80u);
  size_t spec_passes = 0;
  for (const auto& v : read_vec("rfc2876/skipjack_sp800_17.vec")) {
    const Bytes key = v.bytes("key"), pt = v.bytes("pt"), ct = v.bytes("ct");
    const Skipjack spec{key_of(key), ByteOrder::spec};
    if (to_bytes(spec.encrypt_block(block_of(pt))) == ct) ++spec_passes;
  }
  EXPECT_EQ(spec_passes, 0u) << "facts §1.6: the KATs fail (0 of 80) under the spec mapping";
}

// Facts §1.7.5: Catacomb's spec-notation vectors.
TEST(SkipjackVectors, CatacombSpecNotation) {
  EXPECT_EQ(check_block_vectors("rfc2876/skipjack_catacomb.vec"), 9u);
}

// Facts §1.6: FORTEZZA order = reverse key and block, run spec order, reverse the output. Every
// spec-order vector must therefore hold in FORTEZZA order with its octets reversed.
TEST(SkipjackByteOrder, FortezzaIsSpecOnReversedOctets) {
  size_t n = 0;
  for (const char* file : {"rfc2876/skipjack_official.vec", "rfc2876/skipjack_catacomb.vec",
                           "rfc2876/skipjack_sp800_17.vec"}) {
    for (const auto& v : read_vec(file)) {
      const ByteOrder other =
          order_of(v) == ByteOrder::spec ? ByteOrder::fortezza : ByteOrder::spec;
      const Bytes key = reversed(v.bytes("key")), pt = reversed(v.bytes("pt")),
                  ct = reversed(v.bytes("ct"));
      const Skipjack sj{key_of(key), other};
      EXPECT_EQ(to_bytes(sj.encrypt_block(block_of(pt))), ct) << file << " " << v.where();
      EXPECT_EQ(to_bytes(sj.decrypt_block(block_of(ct))), pt) << file << " " << v.where();
      ++n;
    }
  }
  EXPECT_EQ(n, 91u);
}

// Facts §1.7.4: plain CBC (the mode of RFC 2876 §2), both directions and in place.
TEST(SkipjackVectors, CbcBotanVectors) {
  // REQ-PART CMS-1 (no EnvelopedData yet) REQ CMS-2
  size_t n = 0;
  for (const auto& v : read_vec("rfc2876/skipjack_cbc.vec")) {
    const Bytes key = v.bytes("key"), iv = v.bytes("iv"), pt = v.bytes("pt"), ct = v.bytes("ct");
    const Skipjack sj{key_of(key), order_of(v)};
    Bytes out(pt.size());
    ASSERT_TRUE(sj.cbc_encrypt(block_of(iv), pt, out));
    EXPECT_EQ(out, ct) << v.where();
    ASSERT_TRUE(sj.cbc_decrypt(block_of(iv), ct, out));
    EXPECT_EQ(out, pt) << v.where();
    Bytes in_place = ct;
    ASSERT_TRUE(sj.cbc_decrypt(block_of(iv), in_place, in_place));
    EXPECT_EQ(in_place, pt) << v.where();
    ASSERT_TRUE(sj.cbc_encrypt(block_of(iv), in_place, in_place));
    EXPECT_EQ(in_place, ct) << v.where();
    ++n;
  }
  EXPECT_EQ(n, 3u);
}

TEST(SkipjackApi, RefusesPartialBlocksAndMismatchedOutput) {
  const SkipjackKey key{};
  const SkipjackBlock iv{};
  const Skipjack sj{key};
  Bytes in(15), out(15);
  auto r = sj.ecb_encrypt(in, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_FALSE(sj.ecb_decrypt(in, out));
  EXPECT_FALSE(sj.cbc_encrypt(iv, in, out));
  EXPECT_FALSE(sj.cbc_decrypt(iv, in, out));
  Bytes in16(16), out8(8);
  EXPECT_FALSE(sj.cbc_encrypt(iv, in16, out8));
  Bytes empty;
  EXPECT_TRUE(sj.cbc_encrypt(iv, empty, empty));  // zero blocks is a whole number of blocks
  EXPECT_EQ(sj.byte_order(), ByteOrder::fortezza);
}

TEST(SkipjackApi, SecureWipeZeroes) {
  Bytes secret{1, 2, 3, 4, 5};
  secure_wipe(secret.data(), secret.size());
  EXPECT_EQ(secret, Bytes(5, 0));
}

// --- Differential tests against Crypto++ (an independent implementation, FORTEZZA order) ---

class SkipjackCryptopp : public ::testing::Test {
 protected:
  std::mt19937_64 rng{0x5eed2876};  // fixed: a failure reproduces
  Bytes random_bytes(size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
  }
};

// The oracle first has to agree with the official vector in FORTEZZA order (facts §1.7.2), which
// confirms its byte order before it is trusted with random inputs.
TEST_F(SkipjackCryptopp, OracleUsesFortezzaOrder) {
  const Bytes key = test::hex_bytes("11223344556677889900");
  const Bytes pt = test::hex_bytes("aabbccdd00112233");
  Bytes ct(8);
  CryptoPP::SKIPJACK::Encryption enc{key.data(), key.size()};
  enc.ProcessBlock(pt.data(), ct.data());
  EXPECT_EQ(ct, test::hex_bytes("00d3127ae2ca8725"));
}

TEST_F(SkipjackCryptopp, EcbRandomKeysAndLengths) {
  for (int i = 0; i < 300; ++i) {
    const Bytes key = random_bytes(10);
    const size_t blocks = rng() % 19;  // below, at and past the interleaved group size
    const Bytes pt = random_bytes(8 * blocks);
    Bytes want(pt.size());
    CryptoPP::SKIPJACK::Encryption enc{key.data(), key.size()};
    for (size_t b = 0; b < blocks; ++b) enc.ProcessBlock(pt.data() + 8 * b, want.data() + 8 * b);

    const Skipjack sj{key_of(key)};
    Bytes got(pt.size());
    ASSERT_TRUE(sj.ecb_encrypt(pt, got));
    ASSERT_EQ(got, want) << "key " << crypto::to_hex(key) << " blocks " << blocks;
    Bytes back(pt.size());
    ASSERT_TRUE(sj.ecb_decrypt(got, back));
    ASSERT_EQ(back, pt);

    // Decryption against the oracle's decryption of random data too.
    const Bytes ct = random_bytes(8 * blocks);
    Bytes want_pt(ct.size());
    CryptoPP::SKIPJACK::Decryption dec{key.data(), key.size()};
    for (size_t b = 0; b < blocks; ++b) dec.ProcessBlock(ct.data() + 8 * b, want_pt.data() + 8 * b);
    ASSERT_TRUE(sj.ecb_decrypt(ct, back));
    ASSERT_EQ(back, want_pt);
  }
}

TEST_F(SkipjackCryptopp, CbcRandomKeysIvsAndLengths) {
  // REQ-PART CMS-1 (no EnvelopedData yet) REQ CMS-2
  for (int i = 0; i < 300; ++i) {
    const Bytes key = random_bytes(10), iv = random_bytes(8);
    const size_t blocks = rng() % 41;
    const Bytes pt = random_bytes(8 * blocks);

    Bytes want(pt.size());
    CryptoPP::CBC_Mode<CryptoPP::SKIPJACK>::Encryption enc{key.data(), key.size(), iv.data()};
    if (blocks) enc.ProcessData(want.data(), pt.data(), pt.size());
    const Skipjack sj{key_of(key)};
    Bytes got(pt.size());
    ASSERT_TRUE(sj.cbc_encrypt(block_of(iv), pt, got));
    ASSERT_EQ(got, want) << "key " << crypto::to_hex(key) << " blocks " << blocks;

    const Bytes ct = random_bytes(8 * blocks);
    Bytes want_pt(ct.size());
    CryptoPP::CBC_Mode<CryptoPP::SKIPJACK>::Decryption dec{key.data(), key.size(), iv.data()};
    if (blocks) dec.ProcessData(want_pt.data(), ct.data(), ct.size());
    Bytes back(ct.size());
    ASSERT_TRUE(sj.cbc_decrypt(block_of(iv), ct, back));
    ASSERT_EQ(back, want_pt) << "key " << crypto::to_hex(key) << " blocks " << blocks;
    Bytes in_place = ct;
    ASSERT_TRUE(sj.cbc_decrypt(block_of(iv), in_place, in_place));
    ASSERT_EQ(in_place, want_pt);
  }
}

// Spec order is FORTEZZA order on reversed octets (facts §1.6), so the oracle covers it too.
TEST_F(SkipjackCryptopp, SpecOrderThroughReversedOctets) {
  for (int i = 0; i < 200; ++i) {
    const Bytes key = random_bytes(10), pt = random_bytes(8);
    const Bytes rkey = reversed(key), rpt = reversed(pt);
    Bytes rct(8);
    CryptoPP::SKIPJACK::Encryption enc{rkey.data(), rkey.size()};
    enc.ProcessBlock(rpt.data(), rct.data());
    const Skipjack sj{key_of(key), ByteOrder::spec};
    ASSERT_EQ(to_bytes(sj.encrypt_block(block_of(pt))), reversed(rct));
    ASSERT_EQ(to_bytes(sj.decrypt_block(block_of(reversed(rct)))), pt);
  }
}

}  // namespace
}  // namespace sipcred::cms::rfc2876
