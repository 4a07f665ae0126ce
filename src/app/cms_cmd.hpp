// `sipcred cms encrypt|decrypt|print|kea-keygen`: EnvelopedData with AES (OpenSSL's CMS) or with
// RFC 2876's SKIPJACK and KEA (ours), through the one interface of src/cms/envelope.hpp.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sipcred::app {

struct CmsEncryptFlags {
  std::vector<std::string> to;     // recipient certificates (DER or PEM)
  std::string alg = "aes128";      // skipjack-kea, aes128, aes256
  std::string from;                // originator's KEA certificate (skipjack-kea)
  std::string from_key;            // originator's KEA key file (skipjack-kea)
  std::string ukm = "shared";      // shared or unique (RFC 2876 §4.2.1)
  std::string originator = "ski";  // ski, issuer-serial, key (RFC 2876 §4.2)
  bool no_originator_cert = false;
  bool no_originator_copy = false;
  std::string in, out;
};

struct CmsDecryptFlags {
  std::string cert;                           // our certificate: RSA/EC or KEA
  std::string key;                            // PKCS#8 (PEM or DER) or our KEA key file
  std::vector<std::string> originator_certs;  // KEA originators known out of band
  std::string in, out;
};

struct CmsPrintFlags {
  std::string file;
};

struct CmsKeaKeygenFlags {
  std::string params;  // Dss-Parms (PEM "DSA PARAMETERS" or DER); empty: generate
  std::string ca_cert, ca_key;
  std::string cn;
  int days = 365;
  std::string out_dir;
};

int cms_encrypt(const CmsEncryptFlags& flags);
int cms_decrypt(const CmsDecryptFlags& flags);
int cms_print(const CmsPrintFlags& flags);
int cms_kea_keygen(const CmsKeaKeygenFlags& flags);

// Registers `cms` and its subcommands on the CLI; the returned function, called after parsing,
// runs the one that was chosen and returns its exit status (nullopt when `cms` was not used).
std::function<std::optional<int>()> add_cms_commands(CLI::App& app);

}  // namespace sipcred::app
