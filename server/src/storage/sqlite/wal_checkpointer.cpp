#include "storage/sqlite/wal_checkpointer.hpp"

#include <filesystem>

#include "obs/log.hpp"

namespace sb::storage::sqlite {

WalCheckpointer::WalCheckpointer(const std::string& path, std::chrono::milliseconds interval,
                                 std::int64_t restart_bytes)
    : interval_(interval), restart_bytes_(restart_bytes), wal_path_(path + "-wal") {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    obs::log_error("sqlite.checkpointer_open_failed", {{"error", sqlite3_errmsg(db_)}});
    sqlite3_close(db_);
    db_ = nullptr;
    return;
  }
  sqlite3_busy_timeout(db_, 1000);
  // A connection that has not read the file yet does not know it is in WAL mode, and its
  // checkpoints would do nothing.
  sqlite3_exec(db_, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

WalCheckpointer::~WalCheckpointer() {
  if (thread_.joinable()) {
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
  }
  sqlite3_close(db_);
}

void WalCheckpointer::nudge() {
  {
    std::lock_guard lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_one();
}

std::int64_t WalCheckpointer::wal_bytes() const {
  std::error_code ec;
  const auto size = std::filesystem::file_size(wal_path_, ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

void WalCheckpointer::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, interval_, [this] { return nudged_; });
      nudged_ = false;
    }
    if (stop.stop_requested()) break;
    checkpoint_once();
  }
}

void WalCheckpointer::checkpoint_once() {
  // Under a steady stream of commits a PASSIVE checkpoint may never catch up with the writer,
  // and the WAL only starts again once one has. Past the limit, RESTART makes the writer wait
  // (a few milliseconds, while the rest is copied) so that it does.
  const int mode =
      wal_bytes() > restart_bytes_ ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, mode, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    obs::log_error("sqlite.checkpoint_failed", {{"error", sqlite3_errmsg(db_)}});
    return;
  }
  ++checkpoints_;
}

}  // namespace sb::storage::sqlite
