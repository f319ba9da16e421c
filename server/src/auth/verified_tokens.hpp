#pragma once
// Tokens whose signature and claims were already checked, so a client that sends the same
// token with every request pays for HMAC or RSA, base64 and JSON once, not per request. A hit
// needs the exact same bytes, so it carries exactly what verifying them again would give; only
// the expiry moves with the clock, and a hit past it is a miss. Bounded: the whole memory is
// dropped when full, which costs at most one verification per token in use. When a key leaves
// the identity provider's key set, everything is forgotten too (forget_all).

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/principal.hpp"

namespace sb::auth {

class VerifiedTokens {
 public:
  static constexpr std::size_t kMaxEntries = 4096;
  static constexpr std::size_t kMaxTokenBytes = 2048;  // Bigger tokens are verified every time.

  /// The principal of `token` if it was remembered and its `exp` is after `expiry_cutoff_s`.
  std::optional<Principal> find(std::string_view token, std::int64_t expiry_cutoff_s) const;
  /// Read before verifying, and passed to remember(): a token verified with a key that was
  /// dropped meanwhile is then not remembered.
  std::uint64_t generation() const;
  /// Remembers `token` unless forget_all() ran since `generation` was read.
  void remember(std::string_view token, const Principal& principal, std::uint64_t generation);
  void forget_all();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Principal> by_token_;
  std::uint64_t generation_ = 0;
};

}  // namespace sb::auth
