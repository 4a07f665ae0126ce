// The operator's commands: `sipcred user add|passwd|disable|enable|list` and `sipcred credential
// list|show|revoke`. They open the store of the data directory directly (SQLite in WAL mode lets
// them run beside a running `serve`) and record every change in its audit log as
// Actor{"admin", "cli"}.
//
// Exit status of every command: 0 done, 1 not found (no such user, AOR or live credential) or
// the store failed (the message says which), 2 usage (a malformed AOR, an unreadable password
// file, a conflicting flag).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace sipcred::app {

// Which digest user a command is about: (realm, username), each defaulting to the AOR's host
// and user part when not given.
struct UserRef {
  std::string data_dir = "data";
  std::string aor;
  std::string username;
  std::string realm;
};

struct UserAddFlags : UserRef {
  std::string password_file;
};

// add: creates or replaces the user (enabled), with an HA1 per digest algorithm.
int user_add(const UserAddFlags& flags);
// passwd: new HA1s for an existing user; its AOR and disabled flag are kept.
int user_passwd(const UserAddFlags& flags);
// disable/enable: a disabled user's digest credentials are refused (the service answers as for
// an unknown user) until it is enabled again.
int user_set_disabled(const UserRef& user, bool disabled);
int user_list(const std::string& data_dir, bool json);

struct CredentialListFlags {
  std::string data_dir = "data";
  bool json = false;
};

struct CredentialShowFlags {
  std::string data_dir = "data";
  std::string aor;
  size_t limit = 20;  // states and audit entries shown, newest first
  bool json = false;
};

struct CredentialRevokeFlags {
  std::string data_dir = "data";
  std::string aor;
  std::string if_match;  // revoke only if this is still the current entity tag
  std::string reason = "revoked by the operator";
};

// list: every AOR's live state (one line or JSON object each, ordered by AOR).
int credential_list(const CredentialListFlags& flags);
// show: every stored state of the AOR (etag, fingerprints, validity, times, revocation) and its
// audit entries.
int credential_show(const CredentialShowFlags& flags);
// revoke: PUB-6 revocation of the AOR's live state through the store's durable path.
int credential_revoke(const CredentialRevokeFlags& flags);

// The `user` and `credential` subcommands on the command line. Construct before parsing; run()
// afterwards runs the command given (nullopt when it was none of these).
class AdminCli {
 public:
  explicit AdminCli(CLI::App& app);
  ~AdminCli();
  std::optional<int> run() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipcred::app
