#pragma once
// Wall-clock time in milliseconds since the Unix epoch, behind an interface so tests can pin it.

#include <cstdint>
#include <string>

namespace sb {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const = 0;
};

/// The real system clock.
class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override;
};

/// RFC 3339 UTC with milliseconds: "2026-11-23T21:00:00.000Z".
std::string format_rfc3339_ms(std::int64_t ms);

}  // namespace sb
