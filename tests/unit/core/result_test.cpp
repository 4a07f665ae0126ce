#include "core/result.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace sipcred {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return fail(Errc::invalid_argument, "odd");
  return x / 2;
}

TEST(Result, CarriesValueOrError) {
  auto ok = half(8);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 4);
  auto bad = half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_EQ(bad.error().message(), "invalid argument: odd");
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r);
  auto p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

TEST(Result, Void) {
  Result<void> ok;
  EXPECT_TRUE(ok);
  Result<void> bad = fail(Errc::io, "disk");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().detail, "disk");
}

}  // namespace
}  // namespace sipcred
