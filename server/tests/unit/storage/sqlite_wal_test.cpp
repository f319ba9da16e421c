// SQLite's WAL while the server runs: statements give back their read snapshot when they go out
// of scope, and the background checkpointer keeps the WAL small under steady writes.

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

#include "storage/sqlite/sqlite_database.hpp"
#include "storage/sqlite/sqlite_store.hpp"

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
  SqliteDatabase db(dir.file("t.db"));
  db.exec("CREATE TABLE t (x INTEGER)");
  for (int i = 0; i < 3; ++i) db.run("INSERT INTO t VALUES (?)", {i});
  {
    auto rows = db.query("SELECT x FROM t", {});
    ASSERT_TRUE(rows.next());  // One row read, two left: the read snapshot is held here.
  }
  db.run("INSERT INTO t VALUES (9)", {});
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
              static_cast<long long>(store.checkpoints()));
  EXPECT_GT(store.checkpoints(), 2);
  // Past 32 MiB the checkpointer makes the writer wait for a full checkpoint, after which the
  // WAL starts again and is cut back to 16 MiB (journal_size_limit).
  EXPECT_LT(largest, 48u << 20);
  EXPECT_GT(size_of(dir.file("sb.db")), 4096u) << "pages were copied back into the database";
}

}  // namespace
}  // namespace sb::storage::sqlite
