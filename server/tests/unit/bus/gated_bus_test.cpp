#include "bus/gated_bus.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace sb::bus {
namespace {

/// Keeps what reaches it, in order.
class RecordingBus final : public Bus {
 public:
  void publish(const Delivery& d) override { sent.push_back(d.payload); }
  void subscribe(std::function<void(const Delivery&)>) override {}
  bool healthy() const override { return true; }
  std::vector<std::string> sent;
};

class GatedBusTest : public ::testing::Test {
 protected:
  /// Opens the gate for everything queued so far, in order.
  void open_gate() {
    auto queued = std::move(gated_);
    gated_.clear();
    for (auto& fn : queued) fn();
  }
  static Delivery event(const std::string& user, const std::string& payload) {
    return Delivery{"org1", {user}, std::nullopt, payload};
  }
  static Delivery relay(const std::string& user, const std::string& payload) {
    return Delivery{"org1", {user}, std::nullopt, payload, /*announces_write=*/false};
  }

  RecordingBus inner_;
  std::vector<std::function<void()>> gated_;
  GatedBus bus_{inner_, [this](std::function<void()> fn) { gated_.push_back(std::move(fn)); }};
};

TEST_F(GatedBusTest, AnEventWaitsForTheGate) {
  bus_.publish(event("ana", "accepted"));
  EXPECT_TRUE(inner_.sent.empty());
  open_gate();
  EXPECT_EQ(inner_.sent, (std::vector<std::string>{"accepted"}));
}

TEST_F(GatedBusTest, ARelayedSignalGoesAtOnceWhenItsRecipientHasNothingWaiting) {
  bus_.publish(event("ana", "accepted"));
  bus_.publish(relay("bo", "offer"));
  EXPECT_EQ(inner_.sent, (std::vector<std::string>{"offer"}));
  EXPECT_EQ(bus_.waiting_for("org1", "ana"), 1);
  EXPECT_EQ(bus_.waiting_for("org1", "bo"), 0);
}

TEST_F(GatedBusTest, ARelayedSignalQueuesBehindWhatItsRecipientWaitsFor) {
  bus_.publish(event("ana", "accepted"));
  bus_.publish(relay("ana", "offer"));
  bus_.publish(relay("ana", "candidate"));
  EXPECT_TRUE(inner_.sent.empty());
  open_gate();
  EXPECT_EQ(inner_.sent, (std::vector<std::string>{"accepted", "offer", "candidate"}));
  EXPECT_EQ(bus_.waiting_for("org1", "ana"), 0);
  bus_.publish(relay("ana", "late candidate"));
  EXPECT_EQ(inner_.sent.back(), "late candidate");
}

}  // namespace
}  // namespace sb::bus
