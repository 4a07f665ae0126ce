// Digest on untrusted bytes: the input as an Authorization value for the verifier, and as
// challenge values (one per line) for the client. Properties: nothing forged is ever accepted;
// whatever parses serialises and parses back the same; the client's answer is valid credentials.
// Seeds: tests/fuzz/corpus/digest/ (challenges, credentials, the RFC 7616 §3.9 headers).
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_params.hpp"
#include "auth/client.hpp"
#include "auth/verifier.hpp"
#include "fuzz/registry.hpp"

using sipcred::fuzz::check;
namespace auth = sipcred::auth;

namespace {

const sipcred::WallTime kNow{std::chrono::seconds{1'800'000'000}};

// A fresh verifier per input keeps runs reproducible (no nonce-count or limiter state carried
// from one input to the next). Rate limiting is off: the clock does not move here.
auth::Verifier verifier() {
  auth::VerifierConfig c;
  c.secret = std::vector<uint8_t>(32, 0x42);
  c.userhash = true;
  c.auth_int = true;
  c.allow_rfc2069 = true;
  c.per_user.burst = 0;
  c.per_source.burst = 0;
  return std::move(*auth::Verifier::create(c));
}

const auth::CredentialTable& table() {
  static auth::CredentialTable t = [] {
    auth::CredentialTable c;
    c.add("alice", "example.com", "pw");
    return c;
  }();
  return t;
}

}  // namespace

SIPCRED_FUZZ_TARGET(digest) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  const auth::Request req{"SUBSCRIBE", "sip:alice@example.com", "", {data, size}};

  auto v = verifier();
  // Server side. Credentials need a nonce with our MAC and a response made with the password;
  // bytes from outside cannot have both, so they must never authenticate.
  auto out = v.check(req, text, "example.com", kNow, table().lookup());
  check(!out.ok(), "forged credentials accepted");
  check(out.verdict != auth::Verdict::too_many || out.retry_after.count() > 0,
        "too_many without a wait");

  // Parser round trip.
  if (auto f = auth::parse_credentials(text)) {
    auto again = auth::parse_credentials(auth::serialize(*f));
    check(again.has_value(), "serialized credentials parse");
    check(auth::serialize(*again) == auth::serialize(*f), "serialize is stable");
  }
  if (auto u = auth::decode_ext_value(text)) check(u->size() <= text.size(), "ext-value shrinks");

  // Client side: each line one challenge value.
  std::vector<std::string_view> lines;
  for (size_t b = 0; b <= text.size() && lines.size() < 16;) {
    size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    lines.push_back(text.substr(b, e - b));
    b = e + 1;
  }
  auth::ClientAuth client{{"alice", "pw", {}}};
  if (client.on_challenge(lines) == auth::ClientAuth::Action::retry) {
    for (int i = 0; i < 2; ++i) {
      auto a = client.authorize("SUBSCRIBE", "sip:alice@example.com", {data, size});
      check(a.has_value(), "a client with a challenge answers");
      auto f = auth::parse_credentials(*a);
      check(f.has_value(), "the client's credentials parse");
      check(f->value("response").has_value(), "the client's credentials carry a response");
      // Accepted only when the input held one of our nonces (a seed does), and then as alice.
      auto o = v.check(req, *a, "example.com", kNow, table().lookup());
      check(!o.ok() || o.user == "alice", "accepted as someone else");
    }
  }
  return 0;
}
