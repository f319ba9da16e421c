// Readiness follows writes: not ready after a failed write until one succeeds or a few seconds
// pass without another failure.

#include "storage/write_health.hpp"

#include <gtest/gtest.h>

namespace sb::storage {
namespace {

using namespace std::chrono_literals;

TEST(WriteHealthTest, AFailedWriteIsUnhealthyUntilAWriteSucceeds) {
  WriteHealth health(5s);
  const auto t0 = WriteHealth::Clock::now();
  EXPECT_TRUE(health.healthy(t0));
  health.failed(t0);
  EXPECT_FALSE(health.healthy(t0 + 1s));
  health.succeeded();
  EXPECT_TRUE(health.healthy(t0 + 1s));
}

TEST(WriteHealthTest, AFailureDecaysWhenNothingWritesAfterIt) {
  WriteHealth health(5s);
  const auto t0 = WriteHealth::Clock::now();
  health.failed(t0);
  EXPECT_FALSE(health.healthy(t0 + 4999ms));
  EXPECT_TRUE(health.healthy(t0 + 5s));
  health.failed(t0 + 6s);  // A later failure starts the decay again.
  EXPECT_FALSE(health.healthy(t0 + 10s));
}

}  // namespace
}  // namespace sb::storage
