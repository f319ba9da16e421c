#pragma once
// Token buckets by key (user, IP, connection): `rate` tokens a second up to `burst`.

#include <cstdint>
#include <string>
#include <unordered_map>

namespace sb {

struct RateSpec {
  double per_second = 20;
  double burst = 40;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateSpec spec) : spec_(spec) {}

  /// Takes one token for `key`. Returns 0 when allowed, else the whole seconds to wait (>= 1).
  int take(const std::string& key, std::int64_t now_ms);

 private:
  struct Bucket {
    double tokens;
    std::int64_t last_ms;
  };
  void evict_full(std::int64_t now_ms);

  RateSpec spec_;
  std::unordered_map<std::string, Bucket> buckets_;
};

/// A single bucket, for one WebSocket connection.
class TokenBucket {
 public:
  explicit TokenBucket(RateSpec spec, std::int64_t now_ms)
      : spec_(spec), tokens_(spec.burst), last_ms_(now_ms) {}
  bool take(std::int64_t now_ms);

 private:
  RateSpec spec_;
  double tokens_;
  std::int64_t last_ms_;
};

}  // namespace sb
