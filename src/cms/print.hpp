// A readable dump of a CMS ContentInfo (EnvelopedData, EncryptedData or any other type by its
// OID), for `sipcred cms print`: versions, originator and recipient identifiers, algorithms with
// their names, UKM and key sizes. Never prints key material beyond wrapped keys' sizes.
#pragma once

#include <span>
#include <string>

#include "core/result.hpp"

namespace sipcred::cms {

// Errc::parse when the bytes are not a DER ContentInfo (or its EnvelopedData / EncryptedData is
// malformed).
Result<std::string> describe(std::span<const uint8_t> der);

// A short name for the OIDs CMS and RFC 2876 use ("id-fortezzaWrap80", "aes128-CBC", ...), or the
// dotted form.
std::string oid_name(std::string_view dotted);

}  // namespace sipcred::cms
