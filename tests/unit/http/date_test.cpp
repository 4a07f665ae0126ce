#include "http/date.hpp"

#include <gtest/gtest.h>

namespace sipcred::http {
namespace {

// RFC 9110 §5.6.7's example; the epoch second 784111777 is what `date -u -d @784111777` prints
// as that date.
TEST(HttpDate, Rfc9110Example) {
  EXPECT_EQ(format_http_date(WallTime{std::chrono::seconds{784111777}}),
            "Sun, 06 Nov 1994 08:49:37 GMT");
}

// A leap day, checked the same way with GNU date.
TEST(HttpDate, LeapDay) {
  EXPECT_EQ(format_http_date(WallTime{std::chrono::seconds{1709251199}}),
            "Thu, 29 Feb 2024 23:59:59 GMT");
}

}  // namespace
}  // namespace sipcred::http
