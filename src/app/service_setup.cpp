#include "app/service_setup.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "auth/digest.hpp"
#include "crypto/hash.hpp"
#include "pki/validate.hpp"

namespace sipcred::app {

Result<std::unique_ptr<store::Store>> open_store(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return fail(Errc::io, "cannot create data directory " + data_dir + ": " + ec.message());
  store::SqliteOptions opts;
  opts.path = (std::filesystem::path{data_dir} / "sipcred.db").string();
  // RFC 3903 §4.1 entity tags must be unguessable: the system's CSPRNG through OpenSSL.
  opts.etag_generator = [] {
    auto b = crypto::random_bytes(16);
    return b ? crypto::to_hex(*b) : std::string{};
  };
  return store::open_sqlite(opts);
}

Result<std::vector<uint8_t>> digest_secret(const std::string& data_dir) {
  auto path = std::filesystem::path{data_dir} / "digest.key";
  std::ifstream in{path, std::ios::binary};
  if (in) {
    std::vector<uint8_t> key((std::istreambuf_iterator<char>(in)), {});
    if (key.size() < 16) return fail(Errc::config, path.string() + " is shorter than 16 octets");
    return key;
  }
  auto key = crypto::random_bytes(32);
  if (!key) return Unexpected{key.error()};
  std::string tmp = path.string() + ".tmp";
  {
    std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
    ::chmod(tmp.c_str(), 0600);
    out.write(reinterpret_cast<const char*>(key->data()),
              static_cast<std::streamsize>(key->size()));
    if (!out) return fail(Errc::io, "cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(Errc::io, "cannot write " + path.string() + ": " + ec.message());
  return *key;
}

int user_add(const UserAddFlags& f) {
  auto aor = pki::parse_aor(f.aor);
  if (!aor) {
    std::fprintf(stderr, "sipcred user add: %s\n", aor.error().message().c_str());
    return 2;
  }
  std::ifstream pf{f.password_file};
  std::string password;
  if (!pf || !std::getline(pf, password) || password.empty()) {
    std::fprintf(stderr, "sipcred user add: cannot read a password from %s\n",
                 f.password_file.c_str());
    return 2;
  }
  store::User u;
  u.aor = aor->text();
  u.username = f.username.empty() ? aor->user : f.username;
  u.realm = f.realm.empty() ? aor->host : f.realm;
  // Only H(username:realm:password) per algorithm is kept (RFC 7616 §3.4.2), never the password.
  for (auto [hash, name] :
       {std::pair{crypto::HashAlg::md5, "MD5"}, std::pair{crypto::HashAlg::sha256, "SHA-256"},
        std::pair{crypto::HashAlg::sha512_256, "SHA-512-256"}}) {
    u.ha1.push_back({name, auth::ha1(hash, u.username, u.realm, password)});
  }
  auto st = open_store(f.data_dir);
  if (!st) {
    std::fprintf(stderr, "sipcred user add: %s\n", st.error().message().c_str());
    return 1;
  }
  SystemClock clock;
  if (auto r = (*st)->put_user(u, {"admin", "cli"}, clock.wall_now()); !r) {
    std::fprintf(stderr, "sipcred user add: %s\n", r.error().message().c_str());
    return 1;
  }
  std::cout << "user " << u.username << " (realm " << u.realm << ") may act for " << u.aor << "\n";
  return 0;
}

int user_list(const std::string& data_dir) {
  auto st = open_store(data_dir);
  if (!st) {
    std::fprintf(stderr, "sipcred user list: %s\n", st.error().message().c_str());
    return 1;
  }
  auto users = (*st)->users("");
  if (!users) {
    std::fprintf(stderr, "sipcred user list: %s\n", users.error().message().c_str());
    return 1;
  }
  for (const auto& u : *users) {
    std::cout << u.realm << "\t" << u.username << "\t" << u.aor << (u.disabled ? "\tdisabled" : "")
              << "\n";
  }
  return 0;
}

}  // namespace sipcred::app
