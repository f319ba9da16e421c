#include "util/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace sb {

namespace {

// From the kernel's CSPRNG through OpenSSL: an id must not be predictable from earlier ones.
// Drawn 4 KiB at a time per thread, since each RAND_bytes call takes OpenSSL's locks.
class RandomBytes {
 public:
  void fill(unsigned char* out, std::size_t n) {
    if (used_ + n > pool_.size()) refill();
    std::memcpy(out, pool_.data() + used_, n);
    // Bytes handed out are wiped, so the pool never holds a past id's randomness.
    std::memset(pool_.data() + used_, 0, n);
    used_ += n;
  }

 private:
  void refill() {
    if (RAND_bytes(pool_.data(), static_cast<int>(pool_.size())) != 1) {
      // Only when the system has no entropy source at all; no id is better than a guessable one.
      std::abort();
    }
    used_ = 0;
  }
  std::array<unsigned char, 4096> pool_{};
  std::size_t used_ = pool_.size();
};

constexpr char kHex[] = "0123456789abcdef";

void append_random_hex(std::string& out, std::size_t bytes) {
  thread_local RandomBytes random;
  std::array<unsigned char, 12> drawn{};
  random.fill(drawn.data(), bytes);
  for (std::size_t i = 0; i < bytes; ++i) {
    out.push_back(kHex[drawn[i] >> 4]);
    out.push_back(kHex[drawn[i] & 0xf]);
  }
}

/// The low `digits` hex digits of `value`, most significant first.
void append_hex(std::string& out, std::uint64_t value, int digits) {
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
    out.push_back(kHex[(value >> shift) & 0xf]);
}

}  // namespace

std::string random_id(std::string_view prefix) {
  std::string out(prefix);
  out.reserve(prefix.size() + 24);
  append_random_hex(out, 12);
  return out;
}

std::string time_ordered_id(std::string_view prefix, std::int64_t now_ms) {
  static std::atomic<std::uint32_t> made{0};
  std::string out(prefix);
  out.reserve(prefix.size() + 28);
  append_hex(out, static_cast<std::uint64_t>(now_ms), 12);
  append_hex(out, made.fetch_add(1, std::memory_order_relaxed), 4);
  append_random_hex(out, 6);
  return out;
}

}  // namespace sb
