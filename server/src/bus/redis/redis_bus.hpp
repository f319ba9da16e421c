#pragma once
// The multi-node bus. A delivery reaches this node's connections at once, on the io thread,
// whatever Redis is doing; the other nodes get it through one Redis stream (XADD, read with
// XREAD), so deliveries between two users on the same node never wait for Redis.
//
// Two threads, each owning one hiredis connection: the publisher drains a bounded queue with
// XADD (so `publish` never waits for the network), the reader follows the stream from the last
// entry it read and posts the other nodes' deliveries to the io thread. Both reconnect with
// capped backoff and time out every command, so a dead or paused Redis shows in `healthy()`
// within about a command timeout.
//
// Guarantees (docs/faults.md): deliveries from one node reach every other node once each, in
// publish order, also across a Redis pause or restart and a reader's reconnect (the reader
// resumes from the last entry it read). A delivery is lost for the other nodes only when the
// queue overflows while Redis is away (the oldest are dropped, `BusStats::dropped`), when Redis
// restarts with entries no reader had read yet, or when a reader falls further behind than the
// stream keeps (`stream_max_len`). Entries a publisher wrote twice are skipped (OriginFilter).

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
  /// The stream is `<prefix>:stream`; nodes sharing a prefix form one cluster.
  std::string channel_prefix = "switchboard";
  /// Deliveries waiting for Redis beyond this are dropped, oldest first.
  std::size_t max_pending = 10000;
  /// The stream is trimmed to about this many entries: how far behind a reader may fall.
  std::size_t stream_max_len = 100000;
  /// This node's id in the stream; empty picks a random one.
  std::string node_id;
  // The timeouts below are flags (--redis-connect-timeout, --redis-command-timeout,
  // --redis-ping-interval, --redis-reconnect-min and -max); these defaults are theirs.
  std::chrono::milliseconds connect_timeout{1000};
  /// Longest wait for a reply (XADD, PING; XREAD's beyond its block) before the connection
  /// counts as dead.
  std::chrono::milliseconds command_timeout{1000};
  /// An idle connection is pinged this often; XREAD blocks this long.
  std::chrono::milliseconds ping_interval{1000};
  /// Reconnects wait backoff_min, doubling after each failed attempt up to backoff_max.
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

  /// Posts `delivery` to this node's handlers, queues it for the other nodes and returns; any
  /// thread.
  void publish(const Delivery& delivery) override;
  /// Handlers run on the io thread, in the order published or read; any thread.
  void subscribe(std::function<void(const Delivery&)> handler) override;
  /// Both connections are up and the reader follows the stream.
  bool healthy() const override;

  using Stats = BusStats;
  Stats stats() const override;

  /// The Redis key of the stream.
  const std::string& stream_key() const;
  const std::string& node_id() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::bus
