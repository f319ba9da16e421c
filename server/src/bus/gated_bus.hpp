#pragma once
// A bus whose publishes wait for a gate, in order. The server passes every event through the
// storage's group commit (Store::after_commit_durable), so an event never announces a write
// that is not yet on disk, and relayed signals stay in order with the events around them.

#include <functional>
#include <utility>

#include "bus/bus.hpp"

namespace sb::bus {

class GatedBus final : public Bus {
 public:
  /// Runs the function it is given once the gate opens for everything queued before it.
  using Gate = std::function<void(std::function<void()>)>;

  GatedBus(Bus& inner, Gate gate) : inner_(inner), gate_(std::move(gate)) {}

  void publish(const Delivery& delivery) override {
    gate_([this, d = delivery] { inner_.publish(d); });
  }
  void subscribe(std::function<void(const Delivery&)> handler) override {
    inner_.subscribe(std::move(handler));
  }
  bool healthy() const override { return inner_.healthy(); }
  BusStats stats() const override { return inner_.stats(); }

 private:
  Bus& inner_;
  Gate gate_;
};

}  // namespace sb::bus
