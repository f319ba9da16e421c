#include "bus/redis/origin_filter.hpp"

namespace sb::bus {

OriginFilter::Verdict OriginFilter::admit(std::string_view origin, std::uint64_t seq) {
  if (origin == self_) return Verdict::kOwn;
  const auto [it, fresh] = highest_.try_emplace(std::string(origin), seq);
  if (fresh) return Verdict::kDeliver;
  if (seq <= it->second) return Verdict::kDuplicate;
  it->second = seq;
  return Verdict::kDeliver;
}

}  // namespace sb::bus
