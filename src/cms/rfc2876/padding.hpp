// CMS content padding (RFC 5652 §6.3 = RFC 2630 §6.3), which RFC 2876 §2 prescribes before
// SKIPJACK-CBC: append n = k - (len mod k) octets of value n, so 1..k octets, a whole block of them
// when the length is already a multiple of k.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sipcred::cms::rfc2876 {

// The one message of every decryption failure: whatever went wrong (length, pad value, pad
// bytes) the caller learns nothing more, so the answer cannot serve as a padding oracle.
inline constexpr std::string_view kDecryptionFailed = "decryption failed";

// Pads `data` for a block size k in 1..255 (8 for SKIPJACK). REQ CMS-1
std::vector<uint8_t> cms_pad(std::span<const uint8_t> data, size_t block_size = 8);

// Checks the padding of a decrypted string and returns the length of the content before it.
// Strict: the length must be a positive multiple of k, the last octet n must be 1..k and all n
// padding octets must equal n. The pad octets are examined without an early exit, always the
// same k octets, so the time taken does not depend on where the padding is wrong.
// Error: Errc::crypto with kDecryptionFailed, for every cause. REQ CMS-2
Result<size_t> cms_unpadded_size(std::span<const uint8_t> padded, size_t block_size = 8);

// cms_unpadded_size, then a copy of the content. Same single error.
Result<std::vector<uint8_t>> cms_unpad(std::span<const uint8_t> padded, size_t block_size = 8);

}  // namespace sipcred::cms::rfc2876
