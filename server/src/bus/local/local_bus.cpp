#include "bus/local/local_bus.hpp"

namespace sb::bus {

void LocalBus::publish(const Delivery& delivery) {
  for (const auto& handler : handlers_) handler(delivery);
}

void LocalBus::subscribe(std::function<void(const Delivery&)> handler) {
  handlers_.push_back(std::move(handler));
}

}  // namespace sb::bus
