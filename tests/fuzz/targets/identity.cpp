// RFC 4474 / RFC 8224 verification on untrusted bytes: the input as a SIP request for the
// verifier, as a PASSporT, and as JSON. Properties: nothing verifies without a trust anchor and a
// valid signature (the verifier here trusts nobody); whatever JSON parses prints canonically and
// parses back to the same canonical text.
// Seeds: tests/fuzz/corpus/identity/ (signed requests of both schemes, tokens, JSON).
#include <string>
#include <string_view>

#include "fuzz/registry.hpp"
#include "identity/json.hpp"
#include "identity/passport.hpp"
#include "identity/verifier.hpp"
#include "sip/parser.hpp"

using sipcred::fuzz::check;
namespace identity = sipcred::identity;

SIPCRED_FUZZ_TARGET(identity) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  const sipcred::WallTime now{std::chrono::seconds{1'800'000'000}};

  if (auto m = sipcred::sip::parse_datagram(text)) {
    identity::Verifier v{identity::VerifierConfig{}};
    auto step = v.begin(*m, now);
    if (auto* need = std::get_if<identity::NeedCertificate>(&step)) {
      check(need->url.starts_with("https://") || need->url.starts_with("HTTPS://") ||
                need->url.size() > 8,
            "certificate URL is not https");
      // The body doubles as the "fetched certificate": with no trust anchor nothing may verify.
      auto o = v.finish(*m, std::string{m->body()}, now);
      check(!o.valid(), "verified without a trust anchor");
    } else {
      check(!std::get<identity::Outcome>(step).valid(), "begin() returned a valid outcome");
    }
  }

  if (auto p = identity::parse_passport(text)) {
    check(!p->signing_input.empty(), "parsed token without a signing input");
  }

  if (auto j = identity::parse_json(text)) {
    std::string c = j->canonical();
    auto again = identity::parse_json(c);
    check(again.has_value(), "canonical JSON does not parse");
    check(again && again->canonical() == c, "canonical JSON is not stable");
  }
  return 0;
}
