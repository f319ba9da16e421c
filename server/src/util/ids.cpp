#include "util/ids.hpp"

#include <random>

namespace sb {

std::string random_id(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  for (int word = 0; word < 2; ++word) {
    std::uint64_t bits = rng();
    for (int i = 0; i < (word == 0 ? 16 : 8); ++i) {
      out.push_back(kHex[bits & 0xf]);
      bits >>= 4;
    }
  }
  return out;
}

}  // namespace sb
