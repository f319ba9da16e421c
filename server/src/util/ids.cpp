#include "util/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdlib>

namespace sb {

std::string random_id(std::string_view prefix) {
  // From the kernel's CSPRNG through OpenSSL: an id must not be predictable from earlier ones.
  std::array<unsigned char, 12> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // Only when the system has no entropy source at all; no id is better than a guessable one.
    std::abort();
  }
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
