#pragma once
// A bus whose publishes wait for a gate. The server passes every event through the storage's
// group commit (Store::after_commit_durable), so an event never announces a write that is not
// yet on disk. A message that announces no write (a relayed signal) goes out at once, unless one
// of its recipients still has a gated message waiting: then it queues behind it, so every user
// receives their messages in the order they were published.

#include <functional>
#include <string>
#include <unordered_map>

#include "bus/bus.hpp"

namespace sb::bus {

class GatedBus final : public Bus {
 public:
  /// Runs the function it is given once the gate opens for everything queued before it, in order.
  using Gate = std::function<void(std::function<void()>)>;

  GatedBus(Bus& inner, Gate gate) : inner_(inner), gate_(std::move(gate)) {}

  void publish(const Delivery& delivery) override;
  void subscribe(std::function<void(const Delivery&)> handler) override {
    inner_.subscribe(std::move(handler));
  }
  bool healthy() const override { return inner_.healthy(); }
  BusStats stats() const override { return inner_.stats(); }

  /// Messages waiting at the gate for `user_id` of `org_id`.
  int waiting_for(const std::string& org_id, const std::string& user_id) const;

 private:
  static std::string key(const std::string& org_id, const std::string& user_id) {
    return org_id + '/' + user_id;
  }

  Bus& inner_;
  Gate gate_;
  /// "org/user" -> messages for them waiting at the gate; only users with some are present.
  std::unordered_map<std::string, int> waiting_;
};

}  // namespace sb::bus
