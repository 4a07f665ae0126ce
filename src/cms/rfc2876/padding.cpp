#include "cms/rfc2876/padding.hpp"

#include <cassert>
#include <string>

namespace sipcred::cms::rfc2876 {
namespace {

Unexpected decryption_failed() {
  return fail(Errc::crypto, std::string{kDecryptionFailed});
}

// 1 when a < b, else 0, without a branch (both below 2^31).
inline uint32_t ct_lt(uint32_t a, uint32_t b) {
  return (a - b) >> 31;
}

}  // namespace

std::vector<uint8_t> cms_pad(std::span<const uint8_t> data, size_t block_size) {
  // RFC 5652 §6.3 defines the rule for k < 256 only: the pad value must fit in an octet.
  assert(block_size >= 1 && block_size <= 255);
  const size_t n = block_size - data.size() % block_size;
  std::vector<uint8_t> out;
  out.reserve(data.size() + n);
  out.assign(data.begin(), data.end());
  out.insert(out.end(), n, static_cast<uint8_t>(n));
  return out;
}

Result<size_t> cms_unpadded_size(std::span<const uint8_t> padded, size_t block_size) {
  // The length is public (it travels with the ciphertext), so branching on it leaks nothing.
  if (block_size == 0 || block_size > 255 || padded.empty() || padded.size() % block_size != 0) {
    return decryption_failed();
  }
  const auto k = static_cast<uint32_t>(block_size);
  const uint32_t n = padded.back();
  uint32_t bad = ct_lt(n, 1) | ct_lt(k, n);  // n must be 1..k
  // Always the last k octets, each masked in or out by i < n: no early exit, no branch on the
  // secret pad bytes.
  for (uint32_t i = 0; i < k; ++i) {
    const uint32_t in_pad = 0u - ct_lt(i, n);
    bad |= in_pad & (padded[padded.size() - 1 - i] ^ n);
  }
  if (bad != 0) return decryption_failed();
  return padded.size() - n;
}

Result<std::vector<uint8_t>> cms_unpad(std::span<const uint8_t> padded, size_t block_size) {
  auto size = cms_unpadded_size(padded, block_size);
  if (!size) return Unexpected{size.error()};
  return std::vector<uint8_t>(padded.begin(), padded.begin() + static_cast<ptrdiff_t>(*size));
}

}  // namespace sipcred::cms::rfc2876
