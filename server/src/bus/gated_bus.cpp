#include "bus/gated_bus.hpp"

#include <algorithm>

namespace sb::bus {

void GatedBus::publish(const Delivery& delivery) {
  const auto queued = [&](const std::string& user_id) {
    return waiting_.contains(key(delivery.org_id, user_id));
  };
  if (!delivery.announces_write &&
      std::none_of(delivery.user_ids.begin(), delivery.user_ids.end(), queued)) {
    inner_.publish(delivery);
    return;
  }
  for (const auto& user_id : delivery.user_ids) ++waiting_[key(delivery.org_id, user_id)];
  gate_([this, d = delivery] {
    for (const auto& user_id : d.user_ids) {
      auto it = waiting_.find(key(d.org_id, user_id));
      if (it != waiting_.end() && --it->second <= 0) waiting_.erase(it);
    }
    inner_.publish(d);
  });
}

int GatedBus::waiting_for(const std::string& org_id, const std::string& user_id) const {
  auto it = waiting_.find(key(org_id, user_id));
  return it == waiting_.end() ? 0 : it->second;
}

}  // namespace sb::bus
