#pragma once
// Prometheus metrics (docs/metrics.md), rendered in
// the text format at /metrics. Labels are bounded: states, reasons, routes, kinds; never a user
// or call id.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sb::obs {

/// Gauges read at scrape time from the database and the process.
struct ScrapeSnapshot {
  std::int64_t active_calls = 0;  // accepted or active
  std::int64_t ringing_calls = 0;
  std::int64_t queued_calls = 0;   // v1.1: waiting in a queue (docs/queue.md)
  std::int64_t stuck_ringing = 0;  // ringing more than 5 s past their deadline
  std::int64_t webhook_pending = 0;
  bool ready = true;               // what /readyz would answer: storage and bus reachable
  double loop_lag_seconds = 0;     // how late the io thread runs
  double loop_busy_ratio = 0;      // the share of the last quarter second the io thread was busy
  double loop_run_ratio = 0;       // ... and the share it was running
  double commit_wait_seconds = 0;  // how long the oldest answer has waited for durability
  std::int64_t durable_syncs = 0;  // group commit syncs since the start
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void call_created();
  void call_finished(std::string_view state, std::string_view reason);
  void call_setup(double seconds);
  /// Accept to media connected, by the call's ICE profile (docs/config.md#ice-server-profiles).
  void call_connect(double seconds, std::string_view profile);
  void accept_conflict();
  /// A new call refused with 503 because the server was overloaded.
  void call_refused_overload();
  /// A connection turned away by --max-connections ("total") or --max-connections-per-ip
  /// ("per_ip").
  void connection_refused(std::string_view cap);
  void ws_connections(std::int64_t open);
  /// `n` text frames handed to WebSocket connections.
  void ws_frames_sent(std::int64_t n);
  void signal_relayed(std::string_view kind);
  void event_sent(std::string_view type);
  void http_request(std::string_view route, int status, double seconds);
  void ice_result(std::string_view result, std::string_view candidate_type,
                  std::string_view profile);
  void ring_timeout_lateness(double seconds);
  /// A call left the queue (promoted to ringing, or ended): how long it waited.
  void queue_wait(double seconds);
  void quality_sample();
  void webhook_delivery(std::string_view result);
  /// A fetch of the identity provider's key set: "ok" or "failed".
  void jwks_refresh(std::string_view result);
  /// One store operation: how long it took, and whether the database failed it.
  void store_operation(double seconds, bool failed);

  /// Called at each scrape to refresh the gauges that live in the database.
  void set_snapshot_source(std::function<ScrapeSnapshot()> source);
  /// The Prometheus text exposition of every metric.
  std::string render();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::obs
