// CMS parsers (src/cms/structures.hpp) and RFC 2876's receiver on arbitrary bytes: ContentInfo,
// EnvelopedData, EncryptedData, certificates (KEA or not), SMIMECapabilities. Whatever parses must
// re-encode to DER that parses to the same encoding again (SET OF order aside, which the encoder
// normalises), and the receiver (KEK path, fixed KEK) and the printer must never crash.
#include <span>

#include "cms/print.hpp"
#include "cms/rfc2876/envelope.hpp"
#include "cms/structures.hpp"
#include "fuzz/registry.hpp"

using sipcred::fuzz::check;
namespace cms = sipcred::cms;
namespace r = sipcred::cms::rfc2876;

namespace {

template <class T, class Parse>
void stable(const T& value, Parse parse) {
  auto once = cms::encode(value);
  if (!once) return;
  auto again = parse(std::span<const uint8_t>{*once});
  check(again.has_value(), "an encoding we made parses");
  auto twice = cms::encode(*again);
  check(twice.has_value() && *twice == *once, "re-encoding is stable");
}

}  // namespace

SIPCRED_FUZZ_TARGET(cms_der) {
  const std::span<const uint8_t> input{data, size};
  if (auto ci = cms::parse_content_info(input)) {
    stable(*ci, cms::parse_content_info);
    (void)cms::describe(input);
    if (auto ed = cms::parse_enveloped_data(ci->content)) stable(*ed, cms::parse_enveloped_data);
    if (auto ed = cms::parse_encrypted_data(ci->content)) stable(*ed, cms::parse_encrypted_data);
    r::KekRecipient kek{{'k', 'e', 'k'}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}};
    const r::KekRecipient keks[1] = {kek};
    (void)r::open_enveloped(input, r::OpenKeys{nullptr, keks, {}});
    (void)r::decrypt_data(input, kek.kek);
  }
  // The same bytes as the inner content types directly (the corpus holds both forms).
  if (auto ed = cms::parse_enveloped_data(input)) stable(*ed, cms::parse_enveloped_data);
  if (auto ed = cms::parse_encrypted_data(input)) stable(*ed, cms::parse_encrypted_data);
  if (auto c = r::parse_kea_certificate(input)) {
    check(c->y.size() == r::kKeaPublicSize, "KEA public value is 128 octets");
  }
  (void)cms::parse_certificate(input);
  (void)r::parse_smime_capabilities(input);
  return 0;
}
