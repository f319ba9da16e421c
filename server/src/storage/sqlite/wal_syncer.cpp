#include "storage/sqlite/wal_syncer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "obs/log.hpp"

namespace sb::storage::sqlite {

WalSyncer::WalSyncer(std::string wal_path, Post post) : post_(std::move(post)) {
  fd_ = ::open(wal_path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open " + wal_path + ": " + std::strerror(errno));
  }
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

WalSyncer::~WalSyncer() {
  thread_.request_stop();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

void WalSyncer::after_durable(std::function<void()> fn) {
  const std::int64_t seq = committed_;
  // In order: behind anything already waiting, even when its own commits are on disk.
  if (waiting_.empty() && seq <= synced_) {
    fn();
    return;
  }
  waiting_.push_back({seq, std::move(fn)});
  request_sync(seq);
}

void WalSyncer::request_sync(std::int64_t upto) {
  if (upto <= requested_) return;
  requested_ = upto;
  {
    std::lock_guard lock(mutex_);
    wanted_ = upto;
  }
  wake_.notify_one();
}

void WalSyncer::on_synced(std::int64_t upto) {
  ++fsyncs_;
  if (upto > synced_) synced_ = upto;
  while (!waiting_.empty() && waiting_.front().seq <= synced_) {
    auto fn = std::move(waiting_.front().fn);
    waiting_.pop_front();
    fn();
  }
  // Commits made while that fsync ran: the next one takes them all.
  if (!waiting_.empty()) request_sync(waiting_.back().seq);
}

void WalSyncer::run(std::stop_token stop) {
  std::int64_t done = 0;
  while (true) {
    std::int64_t target = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, stop, [&] { return wanted_ > done; });
      if (stop.stop_requested()) return;
      target = wanted_;
    }
    // Every commit numbered up to `target` has been written to the WAL before it was
    // numbered, so this one fsync covers them all.
    // Nothing is announced that is not on disk: on a failure (EIO, ENOSPC) say so and try
    // again; whoever waits keeps waiting, which callers see as a slow answer.
    while (::fdatasync(fd_) != 0 && !stop.stop_requested()) {
      if (errno == EINTR) continue;
      obs::log_error("sqlite.wal_fsync_failed", {{"error", std::strerror(errno)}});
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    done = target;
    post_([this, target] { on_synced(target); });
  }
}

}  // namespace sb::storage::sqlite
