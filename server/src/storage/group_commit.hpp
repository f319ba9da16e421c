#pragma once
// Group commit. The store commits without waiting for the disk (SQLite: synchronous=NORMAL;
// PostgreSQL: synchronous_commit=off), so the io thread never waits on it. This thread makes
// everything committed so far durable in one go (SQLite: fdatasync of the WAL file; PostgreSQL:
// a synchronous commit on a connection of its own, which flushes the WAL up to it): one sync for
// all the calls that committed meanwhile. Whatever announces a commit (an HTTP answer, a bus
// event) waits in after_durable() until the sync that covers it is done, so nothing is announced
// that a power cut could take back. Callbacks run on the io thread in the order they were queued.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace sb::storage {

class GroupCommit {
 public:
  /// Posts a function to the io thread.
  using Post = std::function<void(std::function<void()>)>;

  /// Makes every commit made before it was called durable; false when it failed (it is then
  /// called again). Runs on the group commit's own thread.
  using Sync = std::function<bool()>;

  GroupCommit(Sync sync, Post post);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  /// io thread: a transaction committed (or a read saw what others committed).
  void committed() { ++committed_; }
  /// io thread: runs `fn` once every commit so far is on disk; at once if nothing waits.
  void after_durable(std::function<void()> fn);

  /// io thread: how long the oldest callback still waiting has waited, in milliseconds.
  double oldest_wait_ms() const;
  /// Syncs done so far.
  std::int64_t syncs() const { return syncs_; }

 private:
  struct Waiter {
    std::int64_t seq;
    std::function<void()> fn;
    std::chrono::steady_clock::time_point since;
  };
  void request_sync(std::int64_t upto);
  void on_synced(std::int64_t upto);
  void run(std::stop_token stop);

  Sync sync_;
  Post post_;
  // io thread only.
  std::int64_t committed_ = 0;
  std::int64_t synced_ = 0;
  std::int64_t requested_ = 0;
  std::deque<Waiter> waiting_;
  std::int64_t syncs_ = 0;
  // Shared with the sync thread.
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::int64_t wanted_ = 0;
  std::jthread thread_;
};

}  // namespace sb::storage
