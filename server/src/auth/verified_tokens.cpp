#include "auth/verified_tokens.hpp"

namespace sb::auth {

std::optional<Principal> VerifiedTokens::find(std::string_view token,
                                              std::int64_t expiry_cutoff_s) const {
  std::lock_guard lock(mutex_);
  auto it = by_token_.find(std::string(token));
  if (it == by_token_.end() || it->second.expires_at_s <= expiry_cutoff_s) return std::nullopt;
  return it->second;
}

std::uint64_t VerifiedTokens::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void VerifiedTokens::remember(std::string_view token, const Principal& principal,
                              std::uint64_t generation) {
  if (token.size() > kMaxTokenBytes) return;
  std::lock_guard lock(mutex_);
  if (generation != generation_) return;
  if (by_token_.size() >= kMaxEntries) by_token_.clear();
  by_token_.insert_or_assign(std::string(token), principal);
}

void VerifiedTokens::forget_all() {
  std::lock_guard lock(mutex_);
  by_token_.clear();
  ++generation_;
}

}  // namespace sb::auth
