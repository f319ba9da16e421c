#pragma once
// Counts the open connections, in total and per IP address, against the caps of ServerOptions.
// A connection holds a ConnectionSlot for its whole life (HTTP, then WebSocket); dropping the
// slot gives its place back. Plain C++, no Beast: tested on its own.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace sb::net {

class ConnectionLimits;

/// One place taken. Movable, not copyable; the place is given back when it is destroyed.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(std::shared_ptr<ConnectionLimits> limits, std::string ip);
  ConnectionSlot(ConnectionSlot&& other) noexcept = default;
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ~ConnectionSlot();

  /// Gives the place back now (idempotent).
  void release();
  /// Counts the connection for `ip` from now on (a proxy's connection carries the request of
  /// one client, then maybe of another). False, keeping the old address, when `ip` is at the
  /// per-IP cap.
  bool move_to(const std::string& ip);

 private:
  std::shared_ptr<ConnectionLimits> limits_;
  std::string ip_;
};

class ConnectionLimits : public std::enable_shared_from_this<ConnectionLimits> {
 public:
  /// `give_back_memory` is called when many connections have closed since the last peak, so the
  /// allocator can return their pages to the system (nullptr: never).
  ConnectionLimits(std::size_t max_total, std::size_t max_per_ip,
                   std::function<void()> give_back_memory);

  /// Which cap turned a connection away (the label of switchboard_connections_refused_total).
  enum class Cap { kTotal, kPerIp };

  /// A slot for a new connection from `ip`, or nullopt when either cap is reached. An empty
  /// `ip` (a trusted proxy's connection, its client not known yet) counts toward the total only.
  std::optional<ConnectionSlot> try_acquire(const std::string& ip);
  /// The cap that refused the last connection turned away.
  Cap last_refusal() const { return last_refusal_; }
  /// For each refusal: true when it should be logged (the first, then at most one a second),
  /// with `*suppressed` set to the refusals not logged since the last line.
  bool should_log_refusal(std::chrono::steady_clock::time_point now, std::uint64_t* suppressed);

  std::size_t open() const { return total_; }
  std::size_t open_from(const std::string& ip) const;

 private:
  friend class ConnectionSlot;
  void release(const std::string& ip);
  bool move(const std::string& from, const std::string& to);
  void forget(const std::string& ip);

  const std::size_t max_total_;
  const std::size_t max_per_ip_;
  std::function<void()> give_back_memory_;
  std::size_t total_ = 0;
  // The most connections open at once since memory was last given back.
  std::size_t peak_ = 0;
  std::unordered_map<std::string, std::size_t> per_ip_;
  Cap last_refusal_ = Cap::kTotal;
  std::optional<std::chrono::steady_clock::time_point> last_logged_;
  std::uint64_t unlogged_ = 0;
};

/// The metric label of `cap`: "total" or "per_ip".
const char* to_string(ConnectionLimits::Cap cap);

/// Returns the free pages of the heap to the system (malloc_trim on glibc; nothing elsewhere).
void give_back_free_heap();

}  // namespace sb::net
