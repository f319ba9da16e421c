#pragma once
// The multi-node bus: every delivery goes through one Redis pub/sub channel, and every node
// (the publisher included) hands what it receives to its subscribers, so each node's hub
// delivers each event exactly once.
//
// Two threads, each owning one hiredis connection: the publisher drains a bounded queue with
// PUBLISH (so `publish` never waits for the network), the subscriber SUBSCRIBEs and posts each
// delivery to the io thread. Both reconnect with capped backoff and ping an idle connection, so
// a dead Redis shows in `healthy()` within about a command timeout.
//
// Guarantees: deliveries from one node reach every connected node in publish order. A delivery
// is lost when the queue overflows (the oldest is dropped, `Stats::dropped`) or when it is
// published while a node's subscriber is reconnecting (pub/sub keeps no backlog). A PUBLISH
// whose reply was lost with the connection is sent again after reconnecting (rarely twice).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bus/bus.hpp"
#include "util/endpoints.hpp"

namespace sb::bus {

/// A Delivery as the JSON text sent through Redis, and back (nullopt when malformed).
std::string encode_delivery(const Delivery& delivery);
std::optional<Delivery> decode_delivery(std::string_view text);

struct RedisBusOptions {
  /// `redis://[[user]:password@]host:port[/db]` (util/endpoints.hpp); anything else makes the
  /// constructor throw std::invalid_argument. With a password, each connection sends AUTH.
  std::string url;
  /// The channel is `<prefix>:deliveries`; nodes sharing a prefix form one cluster.
  std::string channel_prefix = "switchboard";
  /// Deliveries waiting for Redis beyond this are dropped, oldest first.
  std::size_t max_pending = 10000;
  std::chrono::milliseconds connect_timeout{1000};
  /// Longest wait for a reply (PUBLISH, SUBSCRIBE, PING) before the connection counts as dead.
  std::chrono::milliseconds command_timeout{1000};
  /// An idle connection is pinged this often.
  std::chrono::milliseconds ping_interval{1000};
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{2000};
  /// Told of state changes ("bus.redis.up", "bus.redis.down", "bus.redis.dropping",
  /// "bus.redis.malformed", "bus.redis.rejected") with a detail line, from the bus's threads
  /// (and from `publish` for "dropping"), so it must be thread-safe; for logging.
  std::function<void(std::string_view event, std::string_view detail)> on_event;
};

class RedisBus final : public Bus {
 public:
  /// Runs `fn` on the io thread (the app passes boost::asio::post); called from the
  /// subscriber thread.
  using Post = std::function<void(std::function<void()>)>;

  /// Starts both threads; they connect in the background (`healthy()` is false until then).
  /// Throws std::invalid_argument on a malformed URL.
  RedisBus(RedisBusOptions options, Post post);
  /// Stops both threads at once (every wait polls a stop eventfd too; only a slow DNS lookup
  /// of the host can hold it). Deliveries still queued are
  /// dropped, and handlers posted but not yet run are skipped. Call it on the io thread or after it
  /// stopped.
  ~RedisBus() override;
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  /// Queues `delivery` and returns; any thread.
  void publish(const Delivery& delivery) override;
  /// Handlers run on the io thread, in the order received; any thread.
  void subscribe(std::function<void(const Delivery&)> handler) override;
  /// Both connections are up and the subscription is confirmed.
  bool healthy() const override;

  struct Stats {
    std::uint64_t published = 0;   ///< PUBLISH answered by Redis
    std::uint64_t received = 0;    ///< deliveries received from the channel
    std::uint64_t dropped = 0;     ///< dropped from a full queue
    std::uint64_t malformed = 0;   ///< channel messages that were not a delivery
    std::uint64_t rejected = 0;    ///< PUBLISH answered with an error (dropped, not retried)
    std::uint64_t reconnects = 0;  ///< successful connections after the first, both threads
    std::size_t pending = 0;       ///< queued, not yet confirmed
  };
  Stats stats() const;

  const std::string& channel() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::bus
