// `sipcred keygen` and `sipcred inspect`: making a user credential and looking inside one.
#pragma once

#include <string>
#include <vector>

namespace sipcred::app {

struct KeygenFlags {
  std::string aor;
  std::vector<std::string> extra_uris;
  std::string key = "rsa2048";
  int days = 365;
  std::string passphrase_file;
  bool sha1 = false;
  bool seed_pbes2 = false;  // PBKDF2-HMAC-SHA1 + DES-EDE3-CBC (the seed's mandatory profile)
  int iterations = 600'000;
  std::string out_dir;
};

struct InspectFlags {
  std::string file;
  std::string passphrase_file;
  std::string aor;  // check the rules against this AOR (default: the certificate's own)
  bool json = false;
};

int keygen(const KeygenFlags& flags);
int inspect(const InspectFlags& flags);

}  // namespace sipcred::app
