#include "app/admin_cmd.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "app/json.hpp"
#include "app/service_setup.hpp"
#include "auth/digest.hpp"
#include "core/clock.hpp"
#include "crypto/hash.hpp"
#include "crypto/key.hpp"
#include "pki/validate.hpp"

namespace sipcred::app {
namespace {

constexpr int kOk = 0;
constexpr int kNotFound = 1;  // also: the store failed
constexpr int kUsage = 2;

// The operator's changes in the audit log (store.hpp Actor).
const store::Actor kAdmin{"admin", "cli"};

int complain(const std::string& cmd, const std::string& message, int status) {
  std::fprintf(stderr, "sipcred %s: %s\n", cmd.c_str(), message.c_str());
  return status;
}

WallTime now() {
  return SystemClock{}.wall_now();
}

// The AOR as the store keys it ("sip:user@host", host lower case), or nullopt after saying why.
std::optional<std::string> normalized_aor(const std::string& cmd, const std::string& text) {
  auto aor = pki::parse_aor(text);
  if (!aor) {
    complain(cmd, aor.error().detail, kUsage);
    return std::nullopt;
  }
  return aor->text();
}

struct UserKey {
  std::string aor;  // empty when the command named the user by username and realm only
  std::string username, realm;
};

// The (realm, username) a command is about: the flags, else the AOR's user and host.
std::optional<UserKey> user_key(const std::string& cmd, const UserRef& f) {
  UserKey k{"", f.username, f.realm};
  if (!f.aor.empty()) {
    auto aor = pki::parse_aor(f.aor);
    if (!aor) {
      complain(cmd, aor.error().detail, kUsage);
      return std::nullopt;
    }
    k.aor = aor->text();
    if (k.username.empty()) k.username = aor->user;
    if (k.realm.empty()) k.realm = aor->host;
  }
  if (k.username.empty() || k.realm.empty()) {
    complain(cmd, "name the user with --aor, or with --username and --realm", kUsage);
    return std::nullopt;
  }
  return k;
}

// The first line of the file, without its line end. The password itself is never printed.
std::optional<std::string> read_password(const std::string& cmd, const std::string& path) {
  std::ifstream in{path};
  std::string password;
  if (!in || !std::getline(in, password)) {
    complain(cmd, "cannot read a password from " + path, kUsage);
    return std::nullopt;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    complain(cmd, "the password file " + path + " starts with an empty line", kUsage);
    return std::nullopt;
  }
  return password;
}

// Only H(username:realm:password) per algorithm is kept (RFC 7616 §3.4.2), never the password.
std::vector<store::Ha1> ha1_set(const std::string& username, const std::string& realm,
                                const std::string& password) {
  std::vector<store::Ha1> out;
  for (auto hash : {crypto::HashAlg::md5, crypto::HashAlg::sha256, crypto::HashAlg::sha512_256}) {
    out.push_back(
        {std::string{crypto::to_string(hash)}, auth::ha1(hash, username, realm, password)});
  }
  return out;
}

std::optional<std::unique_ptr<store::Store>> open_or_complain(const std::string& cmd,
                                                              const std::string& data_dir) {
  auto st = open_store(data_dir);
  if (!st) {
    complain(cmd, st.error().message(), kNotFound);
    return std::nullopt;
  }
  return std::move(*st);
}

}  // namespace

int user_add(const UserAddFlags& f) {
  const std::string cmd = "user add";
  if (f.aor.empty()) return complain(cmd, "--aor is required", kUsage);
  auto key = user_key(cmd, f);
  if (!key) return kUsage;
  auto password = read_password(cmd, f.password_file);
  if (!password) return kUsage;
  store::User u{key->aor, key->realm, key->username, ha1_set(key->username, key->realm, *password),
                false};
  auto st = open_or_complain(cmd, f.data_dir);
  if (!st) return kNotFound;
  if (auto r = (*st)->put_user(u, kAdmin, now()); !r) {
    return complain(cmd, r.error().message(), kNotFound);
  }
  std::cout << "user " << u.username << " (realm " << u.realm << ") may act for " << u.aor << "\n";
  return kOk;
}

int user_passwd(const UserAddFlags& f) {
  const std::string cmd = "user passwd";
  auto key = user_key(cmd, f);
  if (!key) return kUsage;
  auto password = read_password(cmd, f.password_file);
  if (!password) return kUsage;
  auto st = open_or_complain(cmd, f.data_dir);
  if (!st) return kNotFound;
  auto found = (*st)->find_user(key->realm, key->username);
  if (!found) return complain(cmd, found.error().message(), kNotFound);
  if (!*found) {
    return complain(cmd, "no user " + key->username + " in realm " + key->realm, kNotFound);
  }
  store::User u = std::move(**found);  // keeps the AOR and the disabled flag
  u.ha1 = ha1_set(u.username, u.realm, *password);
  if (auto r = (*st)->put_user(u, kAdmin, now()); !r) {
    return complain(cmd, r.error().message(), kNotFound);
  }
  std::cout << "user " << u.username << " (realm " << u.realm << "): password changed"
            << (u.disabled ? " (the user is still disabled)" : "") << "\n";
  return kOk;
}

int user_set_disabled(const UserRef& f, bool disabled) {
  const std::string cmd = disabled ? "user disable" : "user enable";
  auto key = user_key(cmd, f);
  if (!key) return kUsage;
  auto st = open_or_complain(cmd, f.data_dir);
  if (!st) return kNotFound;
  if (auto r = (*st)->set_user_disabled(key->realm, key->username, disabled, kAdmin, now()); !r) {
    return complain(cmd, r.error().detail, kNotFound);
  }
  std::cout << "user " << key->username << " (realm " << key->realm << ") "
            << (disabled ? "disabled" : "enabled") << "\n";
  return kOk;
}

int user_list(const std::string& data_dir, bool json) {
  const std::string cmd = "user list";
  auto st = open_or_complain(cmd, data_dir);
  if (!st) return kNotFound;
  auto users = (*st)->users("");
  if (!users) return complain(cmd, users.error().message(), kNotFound);
  if (json) {
    Json j;
    j.begin_object().begin_array("users");
    for (const auto& u : *users) {
      j.begin_object().field("realm", u.realm).field("username", u.username).field("aor", u.aor);
      j.field("disabled", u.disabled).begin_array("algorithms");
      for (const auto& h : u.ha1) j.value(h.algorithm);  // the names, never the HA1s
      j.end_array().end_object();
    }
    j.end_array().end_object();
    std::cout << j.str() << "\n";
    return kOk;
  }
  for (const auto& u : *users) {
    std::cout << u.realm << "\t" << u.username << "\t" << u.aor << (u.disabled ? "\tdisabled" : "")
              << "\n";
  }
  return kOk;
}

namespace {

// What an operator reads of one stored state.
struct StateView {
  std::string state;  // current | expired | replaced | revoked
  std::string key;    // none | encrypted | NOT encrypted
  std::string sha256, sha1;
};

StateView view(const store::Credential& c, WallTime t) {
  StateView v;
  v.state = c.revoked                              ? "revoked"
            : c.replaced                           ? "replaced"
            : (c.expires <= t || c.not_after <= t) ? "expired"
                                                   : "current";
  v.key = !c.pkcs8 ? "none" : crypto::is_encrypted_pkcs8(*c.pkcs8) ? "encrypted" : "NOT encrypted";
  v.sha256 = crypto::to_colon_hex(crypto::hash(crypto::HashAlg::sha256, c.certificate));
  v.sha1 = crypto::to_colon_hex(crypto::hash(crypto::HashAlg::sha1, c.certificate));
  return v;
}

void state_json(Json& j, const store::Credential& c, const StateView& v) {
  j.begin_object().field("aor", c.aor).field("state", v.state).field("etag", c.etag);
  j.field("sha256_fingerprint", v.sha256).field("sha1_fingerprint", v.sha1);
  j.field("not_before", to_iso8601(c.not_before)).field("not_after", to_iso8601(c.not_after));
  j.field("created", to_iso8601(c.created)).field("updated", to_iso8601(c.updated));
  j.field("publication_expires", to_iso8601(c.expires)).field("private_key", v.key);
  if (c.replaced) j.field("replaced", to_iso8601(*c.replaced));
  if (c.revoked) j.field("revoked", to_iso8601(*c.revoked));
  j.end_object();
}

}  // namespace

int credential_list(const CredentialListFlags& f) {
  const std::string cmd = "credential list";
  auto st = open_or_complain(cmd, f.data_dir);
  if (!st) return kNotFound;
  WallTime t = now();
  Json j;
  if (f.json) j.begin_object().begin_array("credentials");
  // A page at a time, so that a store of a million AORs is never held in memory at once.
  constexpr size_t kPage = 500;
  std::string after;
  for (;;) {
    auto page = (*st)->live(after, kPage);
    if (!page) return complain(cmd, page.error().message(), kNotFound);
    for (const auto& c : *page) {
      StateView v = view(c, t);
      if (f.json) {
        state_json(j, c, v);
      } else {
        std::cout << c.aor << "\t" << v.state << "\t" << c.etag << "\t" << to_iso8601(c.not_after)
                  << "\tkey " << v.key << "\t" << v.sha256 << "\n";
      }
    }
    if (page->size() < kPage) break;
    after = page->back().aor;
  }
  if (f.json) {
    j.end_array().end_object();
    std::cout << j.str() << "\n";
  }
  return kOk;
}

int credential_show(const CredentialShowFlags& f) {
  const std::string cmd = "credential show";
  auto aor = normalized_aor(cmd, f.aor);
  if (!aor) return kUsage;
  if (f.limit == 0) return complain(cmd, "--limit must be at least 1", kUsage);
  auto st = open_or_complain(cmd, f.data_dir);
  if (!st) return kNotFound;
  auto states = (*st)->history(*aor, f.limit);
  if (!states) return complain(cmd, states.error().message(), kNotFound);
  auto audit = (*st)->audit(*aor, f.limit);
  if (!audit) return complain(cmd, audit.error().message(), kNotFound);
  // Nothing ever stored about the AOR: not found (a typo in the AOR, most likely).
  if (states->empty() && audit->empty()) {
    return complain(cmd, "nothing stored about " + *aor, kNotFound);
  }
  WallTime t = now();
  if (f.json) {
    Json j;
    j.begin_object().field("aor", *aor).begin_array("states");
    for (const auto& c : *states) state_json(j, c, view(c, t));
    j.end_array().begin_array("audit");
    for (const auto& a : *audit) {
      j.begin_object().field("time", to_iso8601(a.when)).field("user", a.user);
      j.field("source", a.source).field("action", a.action).field("detail", a.detail).end_object();
    }
    j.end_array().end_object();
    std::cout << j.str() << "\n";
  } else {
    std::cout << *aor << ": " << states->size() << " state" << (states->size() == 1 ? "" : "s")
              << " (newest first)\n";
    for (const auto& c : *states) {
      StateView v = view(c, t);
      std::cout << "\n" << v.state << "  etag " << c.etag << "\n";
      std::cout << "  SHA-256 fingerprint: " << v.sha256 << "\n";
      std::cout << "  SHA-1 fingerprint:   " << v.sha1 << "\n";
      std::cout << "  notBefore: " << to_iso8601(c.not_before)
                << "  notAfter: " << to_iso8601(c.not_after) << "\n";
      std::cout << "  created: " << to_iso8601(c.created) << "  updated: " << to_iso8601(c.updated)
                << "  publication expires: " << to_iso8601(c.expires) << "\n";
      std::cout << "  private key: " << v.key << "\n";
      if (c.replaced) std::cout << "  replaced: " << to_iso8601(*c.replaced) << "\n";
      std::cout << "  revoked: " << (c.revoked ? to_iso8601(*c.revoked) : "no") << "\n";
    }
    std::cout << "\naudit (newest first):\n";
    for (const auto& a : *audit) {
      std::cout << "  " << to_iso8601(a.when) << "  " << a.user << "@" << a.source << "  "
                << a.action << "  " << a.detail << "\n";
    }
  }
  return kOk;
}

int credential_revoke(const CredentialRevokeFlags& f) {
  const std::string cmd = "credential revoke";
  auto aor = normalized_aor(cmd, f.aor);
  if (!aor) return kUsage;
  auto st = open_or_complain(cmd, f.data_dir);
  if (!st) return kNotFound;
  // Nothing live: nothing to do, and nothing written to the audit log.
  auto newest = (*st)->history(*aor, 1);
  if (!newest) return complain(cmd, newest.error().message(), kNotFound);
  if (newest->empty() || !newest->front().live()) {
    return complain(cmd, "no live credential for " + *aor, kNotFound);
  }
  // The same durable path as a PUB-6 revocation over SIP: done only once committed.
  std::optional<Result<store::Applied>> outcome;
  (*st)->submit(store::Revoke{*aor, f.if_match, kAdmin, f.reason}, now(),
                [&outcome](Result<store::Applied> r) { outcome = std::move(r); });
  (*st)->flush();
  if (!outcome) return complain(cmd, "the store did not answer", kNotFound);
  if (!*outcome) {
    if (store::etag_mismatch(outcome->error())) {
      return complain(cmd, "the current entity tag is not " + f.if_match + "; nothing changed",
                      kNotFound);
    }
    return complain(cmd, outcome->error().message(), kNotFound);
  }
  std::cout << "revoked the credential of " << *aor;
  if ((*outcome)->previous) std::cout << " (etag " << (*outcome)->previous->etag << ")";
  std::cout << "\n";
  // A separate process: the running service finds the revocation in the audit log (see
  // docs/operations.md, "Revoking a credential").
  std::cout << "note: a running sipcred serve reads this from the audit log within 5 s and tells "
               "the AOR's subscribers (CERT-10, CRED-7)\n";
  return kOk;
}

struct AdminCli::Impl {
  UserAddFlags add, passwd;
  UserRef disable, enable;
  std::string list_dir = "data";
  bool list_json = false;
  CredentialListFlags cred_list;
  CredentialShowFlags show;
  CredentialRevokeFlags revoke;
  CLI::App *add_cmd, *passwd_cmd, *disable_cmd, *enable_cmd, *list_cmd;
  CLI::App *cred_list_cmd, *show_cmd, *revoke_cmd;
};

namespace {

void user_options(CLI::App* cmd, UserRef& r) {
  cmd->add_option("--data-dir", r.data_dir, "Data directory of the service (default: data)");
  cmd->add_option("--aor", r.aor, "The AOR, e.g. sip:alice@example.com");
  cmd->add_option("--username", r.username, "Digest username (default: the AOR's user)");
  cmd->add_option("--realm", r.realm, "Digest realm (default: the AOR's host)");
}

}  // namespace

AdminCli::AdminCli(CLI::App& app) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  auto* user = app.add_subcommand("user", "Manage the digest users of the store");
  user->require_subcommand(1);
  m.add_cmd = user->add_subcommand(
      "add", "Create or replace a user that may publish and fetch the credential of an AOR");
  user_options(m.add_cmd, m.add);
  m.add_cmd
      ->add_option("--password-file", m.add.password_file, "File whose first line is the password")
      ->required();
  m.passwd_cmd = user->add_subcommand("passwd", "Set a new password for a user");
  user_options(m.passwd_cmd, m.passwd);
  m.passwd_cmd
      ->add_option("--password-file", m.passwd.password_file,
                   "File whose first line is the password")
      ->required();
  m.disable_cmd = user->add_subcommand("disable", "Refuse a user's digest credentials");
  user_options(m.disable_cmd, m.disable);
  m.enable_cmd = user->add_subcommand("enable", "Accept a disabled user's credentials again");
  user_options(m.enable_cmd, m.enable);
  m.list_cmd = user->add_subcommand("list", "List the users");
  m.list_cmd->add_option("--data-dir", m.list_dir, "Data directory of the service (default: data)");
  m.list_cmd->add_flag("--json", m.list_json, "Machine-readable output");

  auto* cred = app.add_subcommand("credential", "Look at and revoke stored credentials");
  cred->require_subcommand(1);
  m.cred_list_cmd = cred->add_subcommand("list", "Every AOR's live credential");
  m.cred_list_cmd->add_option("--data-dir", m.cred_list.data_dir, "Data directory of the service");
  m.cred_list_cmd->add_flag("--json", m.cred_list.json, "Machine-readable output");
  m.show_cmd = cred->add_subcommand("show", "Every stored state of an AOR and its audit log");
  m.show_cmd->add_option("aor", m.show.aor, "The AOR, e.g. sip:alice@example.com")->required();
  m.show_cmd->add_option("--data-dir", m.show.data_dir, "Data directory of the service");
  m.show_cmd->add_option("--limit", m.show.limit, "States and audit entries shown (default 20)");
  m.show_cmd->add_flag("--json", m.show.json, "Machine-readable output");
  m.revoke_cmd = cred->add_subcommand("revoke", "Revoke an AOR's live credential (PUB-6)");
  m.revoke_cmd->add_option("aor", m.revoke.aor, "The AOR, e.g. sip:alice@example.com")->required();
  m.revoke_cmd->add_option("--data-dir", m.revoke.data_dir, "Data directory of the service");
  m.revoke_cmd->add_option("--if-match", m.revoke.if_match,
                           "Revoke only if this is still the current entity tag");
  m.revoke_cmd->add_option("--reason", m.revoke.reason, "Recorded in the audit log");
}

AdminCli::~AdminCli() = default;

std::optional<int> AdminCli::run() const {
  const Impl& m = *impl_;
  if (m.add_cmd->parsed()) return user_add(m.add);
  if (m.passwd_cmd->parsed()) return user_passwd(m.passwd);
  if (m.disable_cmd->parsed()) return user_set_disabled(m.disable, true);
  if (m.enable_cmd->parsed()) return user_set_disabled(m.enable, false);
  if (m.list_cmd->parsed()) return user_list(m.list_dir, m.list_json);
  if (m.cred_list_cmd->parsed()) return credential_list(m.cred_list);
  if (m.show_cmd->parsed()) return credential_show(m.show);
  if (m.revoke_cmd->parsed()) return credential_revoke(m.revoke);
  return std::nullopt;
}

}  // namespace sipcred::app
