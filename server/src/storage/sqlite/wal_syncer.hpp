#pragma once
// Group commit for SQLite. With synchronous=NORMAL a commit only writes the WAL (no fsync), so
// the io thread never waits on the disk. This thread fsyncs the WAL file on its own, covering
// every commit made before the fsync started: one fsync for all the calls that committed
// meanwhile. Whatever announces a commit (an HTTP answer, a bus event) waits in
// after_durable() until the fsync that covers it is done, so nothing is announced that a power
// cut could take back. Callbacks run on the io thread in the order they were queued.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace sb::storage::sqlite {

class WalSyncer {
 public:
  /// Posts a function to the io thread.
  using Post = std::function<void(std::function<void()>)>;

  /// `wal_path`: the database's "-wal" file, which must exist (open the database first).
  WalSyncer(std::string wal_path, Post post);
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  /// io thread: a write transaction committed.
  void committed() { ++committed_; }
  /// io thread: runs `fn` once every commit so far is on disk; at once if nothing waits.
  void after_durable(std::function<void()> fn);

  std::int64_t fsyncs() const { return fsyncs_; }

 private:
  struct Waiter {
    std::int64_t seq;
    std::function<void()> fn;
  };
  void request_sync(std::int64_t upto);
  void on_synced(std::int64_t upto);
  void run(std::stop_token stop);

  int fd_ = -1;
  Post post_;
  // io thread only.
  std::int64_t committed_ = 0;
  std::int64_t synced_ = 0;
  std::int64_t requested_ = 0;
  std::deque<Waiter> waiting_;
  std::int64_t fsyncs_ = 0;
  // Shared with the sync thread.
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::int64_t wanted_ = 0;
  std::jthread thread_;
};

}  // namespace sb::storage::sqlite
