#include "util/duration.hpp"

#include <cstdint>

namespace sb {
namespace {

// Keeps every intermediate product far from int64 overflow.
constexpr std::int64_t kMaxMs = 100LL * 366 * 24 * 3600 * 1000;
constexpr int kMaxFractionDigits = 9;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t whole = 0;
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) {
      whole = whole * 10 + (text[i] - '0');
      if (whole > kMaxMs) return std::nullopt;
      ++i;
    }
    const bool has_whole = i > start;
    std::int64_t fraction = 0;
    std::int64_t fraction_scale = 1;
    if (i < text.size() && text[i] == '.') {
      ++i;
      const std::size_t fraction_start = i;
      while (i < text.size() && is_digit(text[i])) {
        if (i - fraction_start < kMaxFractionDigits) {
          fraction = fraction * 10 + (text[i] - '0');
          fraction_scale *= 10;
        }
        ++i;
      }
      if (i == fraction_start) return std::nullopt;
    }
    if (!has_whole && fraction_scale == 1) return std::nullopt;

    std::int64_t unit_ms = 0;
    if (text.substr(i, 2) == "ms") {
      unit_ms = 1;
      i += 2;
    } else if (i < text.size() && text[i] == 's') {
      unit_ms = 1000;
      ++i;
    } else if (i < text.size() && text[i] == 'm') {
      unit_ms = 60 * 1000;
      ++i;
    } else if (i < text.size() && text[i] == 'h') {
      unit_ms = 3600 * 1000;
      ++i;
    } else {
      return std::nullopt;  // A bare number or an unknown unit.
    }
    if (whole > kMaxMs / unit_ms) return std::nullopt;
    total_ms += whole * unit_ms + fraction * unit_ms / fraction_scale;
    if (total_ms > kMaxMs) return std::nullopt;
  }
  return std::chrono::milliseconds(total_ms);
}

}  // namespace sb
