// The FORTEZZA 80-bit key wrap, id-fortezzaWrap80 (2.16.840.1.101.2.1.1.23), with which RFC 2876
// §4.2.1 and §4.3 wrap the SKIPJACK CEK into 96 bits: 80 bits of wrapped key and a 16-bit check
// word. RFC 2876 §6: "The United States Government has not published the description of the
// FORTEZZA 80-bit wrap function." What follows restates the one public description, the
// behaviour of Netscape's software FORTEZZA token (NSS swfort, swfutl.c), as the facts sheet §4.2
// gives it; its 10-octet core is the key-formation step of the NSA spec's KEA, which is public
// (facts §2.4), and reproduces that spec's annex. Interoperability with FORTEZZA hardware is
// plausible but unproven (facts §4.4). REQ CMS-12
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "cms/rfc2876/skipjack.hpp"
#include "core/result.hpp"

namespace sipcred::cms::rfc2876 {

inline constexpr size_t kWrappedKeySize =
    12;  // RFC 2876 §4.2.1: "the wrapped SKIPJACK key is 96 bits"
using WrappedKey = std::array<uint8_t, kWrappedKeySize>;

// Steps 1-3 of facts §4.2 under `kek`: T = E(K[0..7]); W[8] = K[8] ^ T[0]; W[9] = K[9] ^ T[1];
// W[0..7] = E(T). Without the check word this is exactly KEA's TEK formation (facts §2.4 step 4:
// kek = v1 XOR pad, key = v2), hence exposed with the cipher (and its byte order) as parameter.
SkipjackKey fortezza_wrap80_core(const Skipjack& kek, KeyView key);
// The inverse: T = D(W[0..7]); K[8] = W[8] ^ T[0]; K[9] = W[9] ^ T[1]; K[0..7] = D(T).
SkipjackKey fortezza_unwrap80_core(const Skipjack& kek, KeyView wrapped);

// Step 4 of facts §4.2: SKIPJACK keyed with the key itself encrypts 55 55 55 55 55 55 55 55;
// octets 1 and 2 of the result (the second and third) are the check word.
std::array<uint8_t, 2> fortezza_check_word(KeyView key);

// Wraps a 10-octet SKIPJACK key (CEK) under a 10-octet KEK, FORTEZZA byte order throughout
// (facts §1.6): the 10-octet core followed by the check word of the CEK. REQ CMS-6
WrappedKey fortezza_wrap80(KeyView kek, KeyView cek);

// Unwraps the encryptedKey of a RecipientEncryptedKey or KEKRecipientInfo.
// Errors: Errc::parse when `wrapped` is not 12 octets; Errc::crypto "FORTEZZA wrap check word
// mismatch" when the recomputed check word differs (wrong KEK or altered octets; the CI library's
// CI_CHECKWORD_FAIL). REQ CMS-6
Result<SkipjackKey> fortezza_unwrap80(KeyView kek, std::span<const uint8_t> wrapped);

}  // namespace sipcred::cms::rfc2876
