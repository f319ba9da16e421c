#include "bus/bus_metrics.hpp"

#include <cstdint>
#include <string_view>

namespace sb::bus {
namespace {

void add(std::string& out, std::string_view name, std::string_view type, std::string_view help,
         std::uint64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

}  // namespace

std::string render_metrics(const Bus& bus) {
  const BusStats s = bus.stats();
  std::string out;
  add(out, "switchboard_bus_up", "gauge",
      "1 when the bus reaches every node (Redis up, or a single node), else 0.",
      bus.healthy() ? 1 : 0);
  add(out, "switchboard_bus_pending", "gauge",
      "Deliveries queued for the other nodes, not yet written to Redis.", s.pending);
  add(out, "switchboard_bus_pending_max", "gauge",
      "The queue's bound: beyond it the oldest deliveries for other nodes are dropped.",
      s.max_pending);
  add(out, "switchboard_bus_dropped_total", "counter",
      "Deliveries dropped from the full queue while Redis was away: other nodes never got them.",
      s.dropped);
  add(out, "switchboard_bus_local_total", "counter",
      "Deliveries handed to this node's connections directly.", s.local);
  add(out, "switchboard_bus_published_total", "counter",
      "Deliveries written to Redis for the other nodes.", s.published);
  add(out, "switchboard_bus_received_total", "counter", "Other nodes' deliveries read from Redis.",
      s.received);
  add(out, "switchboard_bus_duplicates_total", "counter",
      "Deliveries read from Redis a second time and skipped.", s.duplicates);
  add(out, "switchboard_bus_malformed_total", "counter",
      "Entries in the Redis stream that were not a delivery.", s.malformed);
  add(out, "switchboard_bus_rejected_total", "counter",
      "Writes Redis answered with an error (dropped).", s.rejected);
  add(out, "switchboard_bus_reconnects_total", "counter",
      "Connections to Redis made again after one was lost.", s.reconnects);
  return out;
}

}  // namespace sb::bus
