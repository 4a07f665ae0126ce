// HTTP dates (RFC 9110 §5.6.7): origin servers with a clock send Date (§6.6.1).
#pragma once

#include <string>

#include "core/clock.hpp"

namespace sipcred::http {

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(WallTime t);

}  // namespace sipcred::http
