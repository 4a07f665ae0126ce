#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace sipcred {
namespace {

// RFC 9110 §5.6.7's example (SIP's Date has the same form, RFC 3261 §20.17); the epoch second
// 784111777 is what `date -u -d @784111777` prints as that date.
TEST(Rfc1123Date, Rfc9110Example) {
  EXPECT_EQ(to_rfc1123(WallTime{std::chrono::seconds{784111777}}), "Sun, 06 Nov 1994 08:49:37 GMT");
}

// A leap day, checked the same way with GNU date.
TEST(Rfc1123Date, LeapDay) {
  EXPECT_EQ(to_rfc1123(WallTime{std::chrono::seconds{1709251199}}),
            "Thu, 29 Feb 2024 23:59:59 GMT");
}

}  // namespace
}  // namespace sipcred
