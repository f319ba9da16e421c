#pragma once
// The single-node bus: a publish reaches this process's subscribers directly.

#include <functional>
#include <vector>

#include "bus/bus.hpp"

namespace sb::bus {

class LocalBus final : public Bus {
 public:
  void publish(const Delivery& delivery) override;
  void subscribe(std::function<void(const Delivery&)> handler) override;
  bool healthy() const override { return true; }

 private:
  std::vector<std::function<void(const Delivery&)>> handlers_;
};

}  // namespace sb::bus
