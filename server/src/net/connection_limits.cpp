#include "net/connection_limits.hpp"

#include <utility>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sb::net {
namespace {

// Giving memory back walks the heap; only do it once a good number of connections are gone,
// and at least half of the peak, so a steady churn never pays for it.
constexpr std::size_t kMinClosedBeforeGivingBack = 256;

}  // namespace

ConnectionSlot::ConnectionSlot(std::shared_ptr<ConnectionLimits> limits, std::string ip)
    : limits_(std::move(limits)), ip_(std::move(ip)) {}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    release();
    limits_ = std::move(other.limits_);
    ip_ = std::move(other.ip_);
  }
  return *this;
}

ConnectionSlot::~ConnectionSlot() {
  release();
}

bool ConnectionSlot::move_to(const std::string& ip) {
  if (!limits_ || !limits_->move(ip_, ip)) return false;
  ip_ = ip;
  return true;
}

void ConnectionSlot::release() {
  if (!limits_) return;
  auto limits = std::move(limits_);
  limits_.reset();
  limits->release(ip_);
}

ConnectionLimits::ConnectionLimits(std::size_t max_total, std::size_t max_per_ip,
                                   std::function<void()> give_back_memory)
    : max_total_(max_total),
      max_per_ip_(max_per_ip),
      give_back_memory_(std::move(give_back_memory)) {}

std::optional<ConnectionSlot> ConnectionLimits::try_acquire(const std::string& ip) {
  if (total_ >= max_total_) {
    last_refusal_ = Cap::kTotal;
    return std::nullopt;
  }
  if (!ip.empty()) {
    auto& from_ip = per_ip_[ip];
    if (from_ip >= max_per_ip_) {
      last_refusal_ = Cap::kPerIp;
      return std::nullopt;
    }
    ++from_ip;
  }
  ++total_;
  if (total_ > peak_) peak_ = total_;
  return ConnectionSlot(shared_from_this(), ip);
}

bool ConnectionLimits::should_log_refusal(std::chrono::steady_clock::time_point now,
                                          std::uint64_t* suppressed) {
  if (last_logged_ && now - *last_logged_ < std::chrono::seconds(1)) {
    ++unlogged_;
    return false;
  }
  *suppressed = unlogged_;
  unlogged_ = 0;
  last_logged_ = now;
  return true;
}

const char* to_string(ConnectionLimits::Cap cap) {
  return cap == ConnectionLimits::Cap::kTotal ? "total" : "per_ip";
}

std::size_t ConnectionLimits::open_from(const std::string& ip) const {
  auto it = per_ip_.find(ip);
  return it == per_ip_.end() ? 0 : it->second;
}

bool ConnectionLimits::move(const std::string& from, const std::string& to) {
  if (from == to) return true;
  if (!to.empty()) {
    auto& from_ip = per_ip_[to];
    if (from_ip >= max_per_ip_) {
      last_refusal_ = Cap::kPerIp;
      return false;
    }
    ++from_ip;
  }
  forget(from);
  return true;
}

void ConnectionLimits::forget(const std::string& ip) {
  if (auto it = per_ip_.find(ip); it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

void ConnectionLimits::release(const std::string& ip) {
  forget(ip);
  --total_;
  const std::size_t closed = peak_ - total_;
  if (closed >= kMinClosedBeforeGivingBack && closed * 2 >= peak_) {
    peak_ = total_;
    if (give_back_memory_) give_back_memory_();
  }
}

void give_back_free_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace sb::net
