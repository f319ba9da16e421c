#include "storage/group_commit.hpp"

#include <chrono>

namespace sb::storage {

GroupCommit::GroupCommit(Sync sync, Post post) : sync_(std::move(sync)), post_(std::move(post)) {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

GroupCommit::~GroupCommit() {
  thread_.request_stop();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GroupCommit::after_durable(std::function<void()> fn) {
  const std::int64_t seq = committed_;
  // In order: behind anything already waiting, even when its own commits are on disk.
  if (waiting_.empty() && seq <= synced_) {
    fn();
    return;
  }
  waiting_.push_back({seq, std::move(fn), std::chrono::steady_clock::now()});
  request_sync(seq);
}

double GroupCommit::oldest_wait_ms() const {
  if (waiting_.empty()) return 0;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                   waiting_.front().since)
      .count();
}

void GroupCommit::request_sync(std::int64_t upto) {
  if (upto <= requested_) return;
  requested_ = upto;
  {
    std::lock_guard lock(mutex_);
    wanted_ = upto;
  }
  wake_.notify_one();
}

void GroupCommit::on_synced(std::int64_t upto) {
  ++syncs_;
  if (upto > synced_) synced_ = upto;
  while (!waiting_.empty() && waiting_.front().seq <= synced_) {
    auto fn = std::move(waiting_.front().fn);
    waiting_.pop_front();
    fn();
  }
  // Commits made while that fsync ran: the next one takes them all.
  if (!waiting_.empty()) request_sync(waiting_.back().seq);
}

void GroupCommit::run(std::stop_token stop) {
  std::int64_t done = 0;
  while (true) {
    std::int64_t target = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, stop, [&] { return wanted_ > done; });
      if (stop.stop_requested()) return;
      target = wanted_;
    }
    // Every commit numbered up to `target` was made before it was numbered, so this one sync
    // covers them all. Nothing is announced that is not durable: after a failure (the sync
    // says why in the log) try again; whoever waits keeps waiting, which callers see as a slow
    // answer.
    while (!sync_() && !stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    done = target;
    post_([this, target] { on_synced(target); });
  }
}

}  // namespace sb::storage
