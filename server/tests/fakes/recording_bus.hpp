#pragma once
// A bus that records what was published, addressed to whom, for assertions.

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "bus/bus.hpp"

namespace sb::testing {

class RecordingBus final : public bus::Bus {
 public:
  void publish(const bus::Delivery& d) override { sent.push_back(d); }
  void subscribe(std::function<void(const bus::Delivery&)>) override {}
  bool healthy() const override { return true; }

  /// Messages of `type` delivered to `user` (the board is not a message).
  std::vector<boost::json::object> to(const std::string& user, const std::string& type) const {
    std::vector<boost::json::object> out;
    for (const auto& d : sent) {
      bool addressed = false;
      for (const auto& u : d.user_ids) addressed |= u == user;
      if (!addressed || d.payload.empty()) continue;
      auto msg = boost::json::parse(d.payload).as_object();
      if (msg.at("type").as_string() == type) out.push_back(std::move(msg));
    }
    return out;
  }

  std::vector<bus::Delivery> sent;
};

}  // namespace sb::testing
