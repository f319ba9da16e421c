#pragma once
// Delivers an event to users wherever they are connected. In-process for one node (local/);
// with several (redis/), in-process for this node's connections and through a Redis stream for
// the other nodes'. Payloads are finished JSON text frames. The outage policy is in
// docs/faults.md.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::bus {

/// A staff member's row of the org's board changed (docs/asyncapi.yaml). Every node keeps it until
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
  /// False for a message that announces no write (a relayed signal): it need not wait for the
  /// disk, only for what its recipients were sent before it (GatedBus).
  bool announces_write = true;
  /// Set when a call joined or left the org's queue: the org's boards send their next
  /// board.updated, with the queue's length, even when no staff row changed (docs/asyncapi.yaml).
  bool queue_changed = false;
};

/// What /metrics shows of the bus (docs/metrics.md). All zero on a single node.
struct BusStats {
  std::uint64_t local = 0;       ///< deliveries handed to this node's connections directly
  std::uint64_t published = 0;   ///< written to Redis for the other nodes
  std::uint64_t received = 0;    ///< other nodes' deliveries read from Redis
  std::uint64_t duplicates = 0;  ///< read again from Redis and skipped
  std::uint64_t dropped = 0;     ///< dropped from a full queue: the other nodes never get them
  std::uint64_t malformed = 0;   ///< entries in Redis that were not a delivery
  std::uint64_t rejected = 0;    ///< writes Redis answered with an error (dropped)
  std::uint64_t reconnects = 0;  ///< connections to Redis made again after a loss
  std::size_t pending = 0;       ///< queued for the other nodes, not yet confirmed by Redis
  std::size_t max_pending = 0;   ///< the queue's bound
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
  virtual BusStats stats() const { return {}; }
};

}  // namespace sb::bus
