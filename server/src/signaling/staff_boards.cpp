#include "signaling/staff_boards.hpp"

#include <algorithm>

namespace sb::signaling {
namespace {

std::string join_rows(const std::vector<const std::string*>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out += ',';
    out += *rows[i];
  }
  out += ']';
  return out;
}

}  // namespace

StaffBoards::StaffBoards(Scheduler& scheduler, const Clock& clock, std::int64_t interval_ms,
                         Send send, QueueLength queue_length)
    : scheduler_(scheduler),
      clock_(clock),
      interval_ms_(interval_ms),
      send_(std::move(send)),
      queue_length_(std::move(queue_length)) {}

StaffBoards::~StaffBoards() {
  for (auto& [org_id, org] : orgs_) {
    if (org.flush_scheduled) scheduler_.cancel(org.flush_timer);
  }
}

std::string StaffBoards::queue_json(const std::string& org_id) const {
  const std::int64_t length = queue_length_ ? queue_length_(org_id) : 0;
  return R"({"length":)" + std::to_string(length) + "}";
}

void StaffBoards::subscribe(ConnectionId conn, const std::string& org_id,
                            const std::vector<std::string>& rows) {
  unsubscribe(conn);
  by_connection_[conn] = Subscriber{org_id, 1};
  orgs_[org_id].subscribers.insert(conn);
  std::vector<const std::string*> all;
  all.reserve(rows.size());
  for (const auto& row : rows) all.push_back(&row);
  send_(conn, R"({"type":"board","staff":)" + join_rows(all) + R"(,"queue":)" + queue_json(org_id) +
                  R"(,"seq":1})");
}

void StaffBoards::unsubscribe(ConnectionId conn) {
  auto it = by_connection_.find(conn);
  if (it == by_connection_.end()) return;
  auto org = orgs_.find(it->second.org_id);
  by_connection_.erase(it);
  if (org == orgs_.end()) return;
  org->second.subscribers.erase(conn);
  if (org->second.subscribers.empty()) {
    if (org->second.flush_scheduled) scheduler_.cancel(org->second.flush_timer);
    orgs_.erase(org);
  }
}

void StaffBoards::row_changed(const std::string& org_id, const std::string& staff_id,
                              std::string row) {
  auto it = orgs_.find(org_id);
  if (it == orgs_.end()) return;  // Nobody here watches this org's board.
  it->second.pending[staff_id] = std::move(row);
  schedule_flush(org_id, it->second);
}

void StaffBoards::queue_changed(const std::string& org_id) {
  auto it = orgs_.find(org_id);
  if (it == orgs_.end()) return;  // Nobody here watches this org's board.
  it->second.queue_pending = true;
  schedule_flush(org_id, it->second);
}

void StaffBoards::schedule_flush(const std::string& org_id, Org& org) {
  if (org.flush_scheduled) return;
  const std::int64_t at = std::max(clock_.now_ms(), org.last_flush_ms + interval_ms_);
  org.flush_scheduled = true;
  org.flush_timer = scheduler_.schedule_at(at, [this, org_id] { flush(org_id); });
}

void StaffBoards::flush(const std::string& org_id) {
  auto it = orgs_.find(org_id);
  if (it == orgs_.end()) return;
  Org& org = it->second;
  org.flush_scheduled = false;
  org.last_flush_ms = clock_.now_ms();
  if (org.pending.empty() && !org.queue_pending) return;
  std::vector<const std::string*> rows;
  rows.reserve(org.pending.size());
  for (const auto& [staff_id, row] : org.pending) rows.push_back(&row);
  // Everything but the per-connection seq is the same for all subscribers.
  const std::string head = R"({"type":"board.updated","staff":)" + join_rows(rows) +
                           R"(,"queue":)" + queue_json(org_id) + R"(,"seq":)";
  org.pending.clear();
  org.queue_pending = false;
  // Frames first, sends after: a send may close a connection, which unsubscribes it.
  std::vector<std::pair<ConnectionId, std::string>> frames;
  frames.reserve(org.subscribers.size());
  for (const ConnectionId conn : org.subscribers) {
    auto sub = by_connection_.find(conn);
    if (sub == by_connection_.end()) continue;
    frames.emplace_back(conn, head + std::to_string(++sub->second.seq) + "}");
  }
  for (const auto& [conn, frame] : frames) send_(conn, frame);
}

}  // namespace sb::signaling
