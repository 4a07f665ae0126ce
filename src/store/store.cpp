#include "store/store.hpp"

namespace sipcred::store {

bool etag_mismatch(const Error& e) {
  return e.code == Errc::not_found && e.detail.starts_with("SIP-If-Match");
}

}  // namespace sipcred::store
