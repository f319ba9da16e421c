#pragma once
// The org's staff board for the connections that subscribed to it (docs/asyncapi.yaml). A change
// of a staff member's row, or of the org's queue, is kept per org and sent to every subscriber
// of that org at most once per interval, as one board.updated with the rows that changed and the
// queue's length. So the work is per org and interval, not per call times staff: ringing N
// staff makes N row changes, and at most one message per subscriber per interval carries them
// all.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "util/clock.hpp"
#include "util/scheduler.hpp"

namespace sb::signaling {

class StaffBoards {
 public:
  using ConnectionId = std::uint64_t;
  /// Sends a finished text frame to one connection.
  using Send = std::function<void(ConnectionId, const std::string&)>;
  /// How many calls of the org wait in its queue.
  using QueueLength = std::function<std::int64_t(const std::string& org_id)>;

  StaffBoards(Scheduler& scheduler, const Clock& clock, std::int64_t interval_ms, Send send,
              QueueLength queue_length);
  ~StaffBoards();
  StaffBoards(const StaffBoards&) = delete;
  StaffBoards& operator=(const StaffBoards&) = delete;

  /// Starts (or restarts) the connection's board: sends `board` with every row, seq 1.
  /// `rows` are staff entries as JSON text.
  void subscribe(ConnectionId conn, const std::string& org_id,
                 const std::vector<std::string>& rows);
  /// Stops the connection's board; unknown connections are ignored.
  void unsubscribe(ConnectionId conn);
  /// A staff member's row changed; subscribers get it in the org's next board.updated.
  void row_changed(const std::string& org_id, const std::string& staff_id, std::string row);
  /// A call joined or left the org's queue: subscribers get the queue's length in the org's
  /// next board.updated, with no staff rows if none changed.
  void queue_changed(const std::string& org_id);

  std::size_t subscribers() const { return by_connection_.size(); }

 private:
  struct Subscriber {
    std::string org_id;
    std::int64_t seq = 0;
  };
  struct Org {
    std::set<ConnectionId> subscribers;
    /// Rows changed since the last board.updated, by staff id: the newest row wins.
    std::map<std::string, std::string> pending;
    /// The queue changed since the last board.updated.
    bool queue_pending = false;
    TimerId flush_timer = 0;
    bool flush_scheduled = false;
    std::int64_t last_flush_ms = 0;
  };

  /// The org's next board.updated: at once, or an interval after the last one.
  void schedule_flush(const std::string& org_id, Org& org);
  void flush(const std::string& org_id);
  std::string queue_json(const std::string& org_id) const;

  Scheduler& scheduler_;
  const Clock& clock_;
  std::int64_t interval_ms_;
  Send send_;
  QueueLength queue_length_;
  std::unordered_map<ConnectionId, Subscriber> by_connection_;
  std::unordered_map<std::string, Org> orgs_;
};

}  // namespace sb::signaling
