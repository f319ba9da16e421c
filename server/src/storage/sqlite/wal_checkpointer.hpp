#pragma once
// Keeps the SQLite WAL small while the server runs, off the io thread. The store's own
// connection never checkpoints (wal_autocheckpoint = 0): a checkpoint copies pages and fsyncs
// the database file, which would stall every socket. Instead this thread, on a connection of
// its own, runs a PASSIVE checkpoint (it never blocks the writer) every `interval`, or sooner
// when the writer says the WAL has grown. Once a checkpoint has copied the whole WAL, the
// writer's next transaction starts the WAL again from the beginning, and journal_size_limit
// truncates the file back. Should the writer never leave a gap for a PASSIVE checkpoint to
// catch up, a RESTART checkpoint past `restart_bytes` makes it, so the WAL stays bounded.

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace sb::storage::sqlite {

class WalCheckpointer {
 public:
  /// Opens its own connection to `path` and starts the thread.
  /// Past `restart_bytes` of WAL the checkpoint makes the writer wait until it has caught up.
  WalCheckpointer(const std::string& path, std::chrono::milliseconds interval,
                  std::int64_t restart_bytes);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  /// Asks for a checkpoint soon; cheap, callable from any thread.
  void nudge();
  /// Checkpoints run so far.
  std::int64_t checkpoints() const { return checkpoints_; }

 private:
  void run(std::stop_token stop);
  void checkpoint_once();
  std::int64_t wal_bytes() const;

  sqlite3* db_ = nullptr;
  std::chrono::milliseconds interval_;
  std::int64_t restart_bytes_;
  std::string wal_path_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool nudged_ = false;
  std::atomic<std::int64_t> checkpoints_{0};
  std::jthread thread_;
};

}  // namespace sb::storage::sqlite
