// Group commit: whatever waits on it is released, in order, once one sync covers the commits
// made before it; many commits share few syncs; a failed sync releases nothing.

#include "storage/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::storage {
namespace {

using namespace std::chrono_literals;

/// Runs what the syncer posts, on the test's thread, as the io thread would.
class PostedQueue {
 public:
  GroupCommit::Post post() {
    return [this](std::function<void()> fn) {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(fn));
      cv_.notify_all();
    };
  }
  /// Runs posted functions until `done` or 5 s pass.
  bool pump_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        if (!cv_.wait_until(lock, deadline, [&] { return !queue_.empty(); })) return false;
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
    return true;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
};

TEST(GroupCommit, HoldsCallbacksUntilASyncCoversTheirCommitsAndKeepsTheirOrder) {
  PostedQueue io;
  std::atomic<int> sync_calls{0};
  GroupCommit syncer(
      [&] {
        ++sync_calls;
        std::this_thread::sleep_for(1ms);  // As a disk would take.
        return true;
      },
      io.post());

  std::vector<std::string> ran;
  syncer.after_durable([&] { ran.push_back("nothing committed: at once"); });
  ASSERT_EQ(ran.size(), 1u);

  syncer.committed();
  syncer.after_durable([&] { ran.push_back("a"); });
  // No new commit, but it must not overtake "a".
  syncer.after_durable([&] { ran.push_back("b"); });
  EXPECT_EQ(ran.size(), 1u) << "nothing runs before the fsync";
  ASSERT_TRUE(io.pump_until([&] { return ran.size() == 3; }));
  EXPECT_EQ(ran[1], "a");
  EXPECT_EQ(ran[2], "b");
  EXPECT_GE(syncer.syncs(), 1);

  // Everything committed is on disk now: the next one runs at once.
  syncer.after_durable([&] { ran.push_back("c"); });
  EXPECT_EQ(ran.size(), 4u);

  // Many commits and waiters: far fewer fsyncs than commits.
  const std::int64_t before = syncer.syncs();
  int released = 0;
  for (int i = 0; i < 200; ++i) {
    syncer.committed();
    syncer.after_durable([&] { ++released; });
  }
  ASSERT_TRUE(io.pump_until([&] { return released == 200; }));
  EXPECT_LT(syncer.syncs() - before, 200);
  EXPECT_EQ(sync_calls.load(), syncer.syncs());
}

TEST(GroupCommit, AFailedSyncIsTriedAgainAndNothingIsReleasedBeforeItSucceeds) {
  PostedQueue io;
  std::atomic<int> attempts{0};
  GroupCommit syncer([&] { return ++attempts >= 3; }, io.post());
  bool released = false;
  syncer.committed();
  syncer.after_durable([&] { released = true; });
  ASSERT_TRUE(io.pump_until([&] { return released; }));
  EXPECT_EQ(attempts.load(), 3);
}

}  // namespace
}  // namespace sb::storage
