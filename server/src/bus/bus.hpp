#pragma once
// Delivers an event to users wherever they are connected. In-process for one node (local/),
// Redis pub/sub for several (redis/). Payloads are finished JSON text frames.

#include <functional>
#include <string>
#include <vector>

namespace sb::bus {

struct Delivery {
  std::string org_id;
  /// Users of `org_id` who get the payload on every connection they have open.
  std::vector<std::string> user_ids;
  /// Also every staff member and admin of `org_id` connected anywhere.
  bool to_org_staff = false;
  std::string payload;
};

class Bus {
 public:
  virtual ~Bus() = default;
  /// Hands `delivery` to every subscriber on every node. Never blocks on the network.
  virtual void publish(const Delivery& delivery) = 0;
  /// `handler` receives every delivery published anywhere, on the io thread.
  virtual void subscribe(std::function<void(const Delivery&)> handler) = 0;
  /// False when the bus can't currently deliver (readiness).
  virtual bool healthy() const = 0;
};

}  // namespace sb::bus
