// SQLite's WAL while the server runs: statements give back their read snapshot when they go out
// of scope, the background checkpointer keeps the WAL small under steady writes, and the group
// commit syncer releases what waits on it in order, once an fsync covers it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/sqlite/wal_syncer.hpp"

namespace sb::storage::sqlite {
namespace {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("sb_wal_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::uintmax_t size_of(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

TEST(SqliteStatement, LeavingScopeMidResultLetsACheckpointFinish) {
  TempDir dir;
  Database db(dir.file("t.db"));
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("CREATE TABLE t (x INTEGER)");
  for (int i = 0; i < 3; ++i) db.prepare("INSERT INTO t VALUES (?)").bind(1, i).run();
  {
    auto q = db.prepare("SELECT x FROM t");
    ASSERT_TRUE(q.step());  // One row read, two left: the read snapshot is held here.
  }
  db.prepare("INSERT INTO t VALUES (9)").run();
  // Another connection can copy the whole WAL back and truncate it: nobody holds a snapshot.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("t.db").c_str(), &other), SQLITE_OK);
  // A connection learns the file is in WAL mode on its first read.
  ASSERT_EQ(sqlite3_exec(other, "SELECT 1 FROM t LIMIT 1", nullptr, nullptr, nullptr), SQLITE_OK);
  int log = -1;
  int copied = -1;
  EXPECT_EQ(sqlite3_wal_checkpoint_v2(other, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &copied),
            SQLITE_OK)
      << sqlite3_errmsg(other);
  sqlite3_close(other);
  EXPECT_EQ(size_of(dir.file("t.db-wal")), 0u);
}

TEST(SqliteStoreWal, StaysSmallUnderSteadyWritesWhileTheStoreIsOpen) {
  TempDir dir;
  SqliteStore store(dir.file("sb.db"));
  ASSERT_TRUE(store.migrate());
  // Statements that stop mid-result, as the service's lookups do, among the writes.
  std::uintmax_t largest = 0;
  std::int64_t written = 0;
  const auto until = std::chrono::steady_clock::now() + 3s;
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    const std::string staff = "s" + std::to_string(i % 50);
    ASSERT_TRUE(store.upsert_staff("org", staff, "Staff " + std::to_string(i), i));
    ASSERT_TRUE(store.set_staff_status("org", staff, call::StaffStatus::kAvailable, i));
    ASSERT_TRUE(store.find_staff("org", staff, i, 10'000));
    written += 2;
    if (i % 200 == 0) largest = std::max(largest, size_of(dir.file("sb.db-wal")));
  }
  largest = std::max(largest, size_of(dir.file("sb.db-wal")));
  std::printf("  %lld writes in 3 s; largest WAL seen %.1f MiB; %lld checkpoints\n",
              static_cast<long long>(written), static_cast<double>(largest) / (1 << 20),
              static_cast<long long>(store.checkpoint_stats().checkpoints));
  EXPECT_GT(store.checkpoint_stats().checkpoints, 2);
  // Past 32 MiB the checkpointer makes the writer wait for a full checkpoint, after which the
  // WAL starts again and is cut back to 16 MiB (journal_size_limit).
  EXPECT_LT(largest, 48u << 20);
  EXPECT_GT(size_of(dir.file("sb.db")), 4096u) << "pages were copied back into the database";
}

/// Runs what the syncer posts, on the test's thread, as the io thread would.
class PostedQueue {
 public:
  WalSyncer::Post post() {
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

TEST(WalSyncer, HoldsCallbacksUntilAnFsyncCoversTheirCommitsAndKeepsTheirOrder) {
  TempDir dir;
  const std::string wal = dir.file("x.db-wal");
  std::fclose(std::fopen(wal.c_str(), "w"));
  PostedQueue io;
  WalSyncer syncer(wal, io.post());

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
  EXPECT_GE(syncer.fsyncs(), 1);

  // Everything committed is on disk now: the next one runs at once.
  syncer.after_durable([&] { ran.push_back("c"); });
  EXPECT_EQ(ran.size(), 4u);

  // Many commits and waiters: far fewer fsyncs than commits.
  const std::int64_t before = syncer.fsyncs();
  int released = 0;
  for (int i = 0; i < 200; ++i) {
    syncer.committed();
    syncer.after_durable([&] { ++released; });
  }
  ASSERT_TRUE(io.pump_until([&] { return released == 200; }));
  EXPECT_LT(syncer.fsyncs() - before, 200);
}

}  // namespace
}  // namespace sb::storage::sqlite
