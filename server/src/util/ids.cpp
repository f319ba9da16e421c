#include "util/ids.hpp"

#include <openssl/rand.h>

#include <array>
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

}  // namespace

std::string random_id(std::string_view prefix) {
  thread_local RandomBytes random;
  std::array<unsigned char, 12> bytes{};
  random.fill(bytes.data(), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  out.reserve(prefix.size() + 2 * bytes.size());
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

}  // namespace sb
