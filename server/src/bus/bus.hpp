#pragma once
// Delivers an event to users wherever they are connected. In-process for one node (local/),
// Redis pub/sub for several (redis/). Payloads are finished JSON text frames.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::bus {

/// A staff member's row of the org's board changed (CONTRACT 11.1). Every node keeps it until
/// its next board.updated to the org's subscribers, so many changes make one message.
struct BoardEntry {
  std::string staff_id;
  /// The entry as JSON text, as in GET /staff/availability.
  std::string json;
};

struct Delivery {
  std::string org_id;
  /// Users of `org_id` who get the payload on every connection they have open.
  std::vector<std::string> user_ids;
  /// Set when the delivery also changes a row of the org's staff board.
  std::optional<BoardEntry> board;
  /// Sent as it is to `user_ids`; may be empty when only the board changes.
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
