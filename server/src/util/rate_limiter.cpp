#include "util/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sb {
namespace {

// Buckets idle long enough to be full again carry no information; drop them past this many
// keys so a flood of distinct IPs can't grow memory without bound.
constexpr std::size_t kEvictAbove = 100'000;

double refill(double tokens, std::int64_t elapsed_ms, const RateSpec& spec) {
  return std::min(spec.burst, tokens + static_cast<double>(elapsed_ms) * spec.per_second / 1000.0);
}

}  // namespace

int RateLimiter::take(const std::string& key, std::int64_t now_ms) {
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{spec_.burst, now_ms});
  Bucket& b = it->second;
  if (!inserted) {
    b.tokens = refill(b.tokens, std::max<std::int64_t>(0, now_ms - b.last_ms), spec_);
    b.last_ms = now_ms;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    if (inserted && buckets_.size() > kEvictAbove) evict_full(now_ms);
    return 0;
  }
  const double wait_s = (1.0 - b.tokens) / spec_.per_second;
  return std::max(1, static_cast<int>(std::ceil(wait_s)));
}

void RateLimiter::evict_full(std::int64_t now_ms) {
  std::erase_if(buckets_, [&](const auto& entry) {
    return refill(entry.second.tokens, now_ms - entry.second.last_ms, spec_) >= spec_.burst;
  });
}

bool TokenBucket::take(std::int64_t now_ms) {
  tokens_ = refill(tokens_, std::max<std::int64_t>(0, now_ms - last_ms_), spec_);
  last_ms_ = now_ms;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace sb
