// Building the running service from the configuration: the store under the data directory, the
// digest secret kept beside it, the credential service and its TLS contexts. Shared by `serve`
// and the admin commands that open the same store.
#pragma once

#include <memory>
#include <string>

#include "app/config.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace sipcred::app {

// The store of `data_dir` (data_dir/sipcred.db), created on first use.
Result<std::unique_ptr<store::Store>> open_store(const std::string& data_dir);
// The digest nonce key (data_dir/digest.key): 32 random octets made on first start, mode 0600,
// so that nonces stay valid across restarts. Never logged.
Result<std::vector<uint8_t>> digest_secret(const std::string& data_dir);

struct UserAddFlags {
  std::string data_dir = "data";
  std::string aor;
  std::string username;  // default: the AOR's user part
  std::string realm;     // default: the AOR's host
  std::string password_file;
};
int user_add(const UserAddFlags& flags);
int user_list(const std::string& data_dir);

}  // namespace sipcred::app
