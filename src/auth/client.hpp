// Digest client (RFC 7616 §3.4, RFC 8760, RFC 3261 §22.1): answers the 401 / 407 challenges a
// UA meets when it sends SUBSCRIBE or PUBLISH for the credential package (REQ CRED-1, PUB-1), and
// the HTTPS store's challenges for PUT and DELETE (REQ HTTP-8, HTTP-9). Sans-I/O: it takes header
// values and returns header values.
//
// One ClientAuth holds one protection space (the realm of one server or proxy): feed it the
// WWW-Authenticate values of a 401 or the Proxy-Authenticate values of a 407, not both mixed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/digest.hpp"

namespace sipcred::auth {

struct ClientCredentials {
  std::string username;
  // The password, or else HA1 values (hex) per hash for the realm the server will name: a UA
  // provisioned with HA1 never holds the password. Only algorithms we have an HA1 for are chosen.
  std::optional<std::string> password;
  std::vector<std::pair<crypto::HashAlg, std::string>> ha1;
};

class ClientAuth {
 public:
  explicit ClientAuth(ClientCredentials credentials) : creds_(std::move(credentials)) {}

  enum class Action {
    retry,        // send the request again with authorize()
    rejected,     // the server refused credentials already sent (not stale): ask the user
    unsupported,  // no Digest challenge here that we can answer
  };
  // Takes every challenge value of one response and picks the strongest algorithm we can answer;
  // challenges we do not understand are ignored (RFC 8760 §2.4). RFC 7616 §3.7 reads the order of
  // the challenges as the server's preference; we rank by strength instead, because the order is
  // not integrity protected and an on-path attacker could move MD5 to the top. After stale=true the
  // new nonce is taken without asking for the password again (§3.3); a fresh, non-stale challenge
  // for the nonce we already answered means the password was wrong (RFC 3261 §22.1: do not retry
  // the credentials just rejected).
  Action on_challenge(std::span<const std::string_view> values);

  // The Authorization / Proxy-Authorization value for the next request, nc one higher than the
  // last and a new random cnonce each time. nullopt before any usable challenge, when the
  // nonce-count is exhausted, or for a user name that cannot be sent.
  std::optional<std::string> authorize(std::string_view method, std::string_view uri,
                                       std::span<const uint8_t> body = {});

  bool ready() const { return have_challenge_; }
  Algorithm algorithm() const { return alg_; }
  const std::string& realm() const { return realm_; }
  uint32_t nonce_count() const { return nc_; }

 private:
  std::optional<std::string> ha1_for(crypto::HashAlg hash) const;

  ClientCredentials creds_;
  bool have_challenge_ = false;
  bool answered_ = false;  // authorize() ran for the current nonce
  Algorithm alg_{};
  Qop qop_ = Qop::auth;
  bool userhash_ = false;
  std::string realm_, nonce_;
  std::optional<std::string> opaque_;
  uint32_t nc_ = 0;
};

}  // namespace sipcred::auth
