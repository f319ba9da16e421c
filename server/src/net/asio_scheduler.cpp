#include "net/asio_scheduler.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_timer.hpp>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <utility>

namespace sb::net {

namespace asio = boost::asio;

struct AsioScheduler::Impl {
  struct Entry {
    std::function<void()> fn;
    // Empty for a deadline already passed: that one is posted instead.
    std::optional<asio::system_timer> timer;
  };

  explicit Impl(asio::io_context& ioc) : ioc(ioc) {}

  // Runs the entry's function unless it was cancelled (or the scheduler is gone) in between.
  static void fire(const std::weak_ptr<Impl>& weak, TimerId id) {
    auto self = weak.lock();
    if (!self) return;
    auto it = self->entries.find(id);
    if (it == self->entries.end()) return;
    auto fn = std::move(it->second.fn);
    // Destroying the timer from its own completion is fine: the handler has left it already.
    self->entries.erase(it);
    fn();
  }

  asio::io_context& ioc;
  TimerId next_id = 1;
  std::unordered_map<TimerId, Entry> entries;
};

AsioScheduler::AsioScheduler(asio::io_context& ioc) : impl_(std::make_shared<Impl>(ioc)) {}

AsioScheduler::~AsioScheduler() = default;

TimerId AsioScheduler::schedule_at(std::int64_t at_ms, std::function<void()> fn) {
  const TimerId id = impl_->next_id++;
  auto& entry = impl_->entries[id];
  entry.fn = std::move(fn);
  std::weak_ptr<Impl> weak = impl_;
  const asio::system_timer::time_point at{std::chrono::milliseconds(at_ms)};
  if (at <= asio::system_timer::clock_type::now()) {
    // Posted, never inline, and in the order scheduled (an expired timer queue is not FIFO).
    asio::post(impl_->ioc, [weak, id] { Impl::fire(weak, id); });
    return id;
  }
  entry.timer.emplace(impl_->ioc, at);
  entry.timer->async_wait([weak, id](const boost::system::error_code& ec) {
    if (!ec) Impl::fire(weak, id);
  });
  return id;
}

void AsioScheduler::cancel(TimerId id) {
  impl_->entries.erase(id);
}

std::size_t AsioScheduler::pending() const {
  return impl_->entries.size();
}

}  // namespace sb::net
