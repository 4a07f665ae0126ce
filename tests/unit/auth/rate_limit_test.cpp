#include "auth/rate_limit.hpp"

#include <gtest/gtest.h>

namespace sipcred::auth {
namespace {

using std::chrono::seconds;

const WallTime kT0{seconds{1'700'000'000}};

TEST(DigestRateLimit, BurstThenOnePerInterval) {
  FailureLimiter l{{.burst = 3, .interval = seconds{60}, .capacity = 100}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(l.blocked_for("alice", kT0), seconds{0});
    l.record_failure("alice", kT0);
  }
  EXPECT_EQ(l.blocked_for("alice", kT0), seconds{60});
  EXPECT_EQ(l.blocked_for("alice", kT0 + seconds{59}), seconds{1});
  EXPECT_EQ(l.blocked_for("bob", kT0), seconds{0});  // keys are independent
  // One more attempt per interval...
  EXPECT_EQ(l.blocked_for("alice", kT0 + seconds{60}), seconds{0});
  l.record_failure("alice", kT0 + seconds{60});
  EXPECT_EQ(l.blocked_for("alice", kT0 + seconds{60}), seconds{60});
  // ...and after a quiet spell of burst intervals, the whole burst again.
  const WallTime later = kT0 + seconds{60 + 3 * 60};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(l.blocked_for("alice", later), seconds{0}) << i;
    l.record_failure("alice", later);
  }
  EXPECT_GT(l.blocked_for("alice", later), seconds{0});
}

TEST(DigestRateLimit, OffAndEmptyKeys) {
  FailureLimiter off{{.burst = 0, .interval = seconds{60}, .capacity = 100}};
  for (int i = 0; i < 10; ++i) off.record_failure("alice", kT0);
  EXPECT_EQ(off.blocked_for("alice", kT0), seconds{0});
  FailureLimiter l{{.burst = 1, .interval = seconds{60}, .capacity = 100}};
  l.record_failure("", kT0);
  EXPECT_EQ(l.blocked_for("", kT0), seconds{0});
  EXPECT_EQ(l.size(), 0u);
}

TEST(DigestRateLimit, MemoryIsBounded) {
  FailureLimiter l{{.burst = 2, .interval = seconds{60}, .capacity = 50}};
  // The key with most debt survives a flood of one-failure keys (least debt goes first).
  l.record_failure("target", kT0);
  l.record_failure("target", kT0);
  for (int i = 0; i < 1000; ++i) l.record_failure("k" + std::to_string(i), kT0);
  EXPECT_LE(l.size(), 50u);
  EXPECT_GT(l.blocked_for("target", kT0), seconds{0});
  // Long keys are kept as a hash, and still counted.
  const std::string huge(10'000, 'x');
  l.record_failure(huge, kT0);
  l.record_failure(huge, kT0);
  EXPECT_GT(l.blocked_for(huge, kT0), seconds{0});
  // Cells without debt are dropped as time passes.
  EXPECT_EQ(l.blocked_for("target", kT0 + seconds{3600}), seconds{0});
  EXPECT_EQ(l.size(), 0u);
}

}  // namespace
}  // namespace sipcred::auth
