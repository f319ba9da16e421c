#pragma once
// Which entries of the Redis stream a node hands to its connections. Each entry carries the
// publishing node's id and its sequence number. A node skips its own entries (it delivered
// them locally when it published them) and any entry it has seen before: a publisher that lost
// a reply sends its batch again on a new connection, and a Redis that was paused may still run
// the commands of the connection given up on, so the same delivery can be in the stream twice.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::bus {

class OriginFilter {
 public:
  enum class Verdict { kDeliver, kOwn, kDuplicate };

  explicit OriginFilter(std::string self) : self_(std::move(self)) {}

  /// A publisher's sequence numbers only grow, and a resent batch starts at or before the first
  /// entry that Redis had not confirmed, so anything at or below the highest seen is a repeat.
  Verdict admit(std::string_view origin, std::uint64_t seq);

 private:
  std::string self_;
  /// One entry per node ever heard from (a restarted node has a new id): a few per cluster.
  std::unordered_map<std::string, std::uint64_t> highest_;
};

}  // namespace sb::bus
