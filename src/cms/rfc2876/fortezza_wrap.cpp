#include "cms/rfc2876/fortezza_wrap.hpp"

#include <algorithm>

namespace sipcred::cms::rfc2876 {

SkipjackKey fortezza_wrap80_core(const Skipjack& kek, KeyView key) {
  SkipjackKey w;
  const SkipjackBlock t = kek.encrypt_block(key.first<8>());
  w[8] = key[8] ^ t[0];
  w[9] = key[9] ^ t[1];
  kek.encrypt_block(t, std::span<uint8_t, 8>{w.data(), 8});
  return w;
}

SkipjackKey fortezza_unwrap80_core(const Skipjack& kek, KeyView wrapped) {
  SkipjackKey k;
  const SkipjackBlock t = kek.decrypt_block(wrapped.first<8>());
  k[8] = wrapped[8] ^ t[0];
  k[9] = wrapped[9] ^ t[1];
  kek.decrypt_block(t, std::span<uint8_t, 8>{k.data(), 8});
  return k;
}

std::array<uint8_t, 2> fortezza_check_word(KeyView key) {
  SkipjackBlock fives;
  fives.fill(0x55);
  const Skipjack self{key, ByteOrder::fortezza};
  SkipjackBlock c = self.encrypt_block(fives);
  const std::array<uint8_t, 2> word{c[1], c[2]};
  secure_wipe(c.data(), c.size());
  return word;
}

WrappedKey fortezza_wrap80(KeyView kek, KeyView cek) {
  const Skipjack cipher{kek, ByteOrder::fortezza};
  SkipjackKey core = fortezza_wrap80_core(cipher, cek);
  const auto check = fortezza_check_word(cek);
  WrappedKey out;
  std::copy(core.begin(), core.end(), out.begin());
  out[10] = check[0];
  out[11] = check[1];
  return out;
}

Result<SkipjackKey> fortezza_unwrap80(KeyView kek, std::span<const uint8_t> wrapped) {
  if (wrapped.size() != kWrappedKeySize) {
    return fail(Errc::parse, "FORTEZZA wrapped key is not 12 octets");
  }
  const Skipjack cipher{kek, ByteOrder::fortezza};
  SkipjackKey key = fortezza_unwrap80_core(cipher, wrapped.first<kSkipjackKeySize>());
  const auto check = fortezza_check_word(key);
  if (((check[0] ^ wrapped[10]) | (check[1] ^ wrapped[11])) != 0) {
    secure_wipe(key.data(), key.size());
    return fail(Errc::crypto, "FORTEZZA wrap check word mismatch");
  }
  return key;
}

}  // namespace sipcred::cms::rfc2876
