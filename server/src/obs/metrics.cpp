#include "obs/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "util/build_info.hpp"

namespace sb::obs {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Call set-up spans human reaction time; HTTP spans microseconds to a stalled disk.
const Histogram::BucketBoundaries kCallBuckets{0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60};
const Histogram::BucketBoundaries kQueueBuckets{1, 5, 10, 20, 30, 60, 90, 120, 180, 300, 600};
const Histogram::BucketBoundaries kHttpBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                               0.05,   0.1,   0.25,   0.5,   1,    2.5};
// A store operation is tens of microseconds in memory, milliseconds with an fsync.
const Histogram::BucketBoundaries kStoreBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                0.01,   0.025,   0.05,   0.1,   0.25,   1};
const Histogram::BucketBoundaries kLatenessBuckets{0.001, 0.005, 0.01, 0.05, 0.1,
                                                   0.25,  0.5,   1,    2,    5};

/// Family::Add builds a map of its labels and looks it up under the family's lock, on every
/// call. The series counted on every request, event or signal remember what it returned, keyed
/// by their label values.
template <typename Metric>
class SeriesCache {
 public:
  template <typename Make>
  Metric& get(const std::string& key, Make make) {
    std::lock_guard lock(mutex_);
    auto it = series_.find(key);
    if (it == series_.end()) it = series_.emplace(key, &make()).first;
    return *it->second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Metric*> series_;
};

double process_seconds_since_epoch() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct Metrics::Impl {
  prometheus::Registry registry;
  prometheus::Family<prometheus::Counter>& created = BuildCounter()
                                                         .Name("switchboard_calls_created_total")
                                                         .Help("Calls created.")
                                                         .Register(registry);
  prometheus::Family<prometheus::Counter>& finished =
      BuildCounter()
          .Name("switchboard_calls_finished_total")
          .Help("Calls that reached a terminal state, by state and end reason.")
          .Register(registry);
  prometheus::Family<Histogram>& setup = BuildHistogram()
                                             .Name("switchboard_call_setup_seconds")
                                             .Help("Time from a call's creation to its accept.")
                                             .Register(registry);
  prometheus::Family<Histogram>& connect =
      BuildHistogram()
          .Name("switchboard_call_connect_seconds")
          .Help("Time from a call's accept to media connected, by ICE profile.")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& conflicts =
      BuildCounter()
          .Name("switchboard_accept_conflicts_total")
          .Help("Accepts that lost the race to another staff member.")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& frames =
      BuildCounter()
          .Name("switchboard_ws_frames_sent_total")
          .Help("WebSocket text frames handed to connections: one per recipient connection.")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& refused =
      BuildCounter()
          .Name("switchboard_calls_refused_total")
          .Help("New calls refused before anything was written, by reason (overload).")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& connections_refused =
      BuildCounter()
          .Name("switchboard_connections_refused_total")
          .Help("Connections answered 503 and closed by a connection cap, by cap (total, per_ip).")
          .Register(registry);
  prometheus::Family<prometheus::Gauge>& active = BuildGauge()
                                                      .Name("switchboard_active_calls")
                                                      .Help("Calls in accepted or active state.")
                                                      .Register(registry);
  prometheus::Family<prometheus::Gauge>& queued =
      BuildGauge().Name("switchboard_queued_calls").Help("Calls queued now.").Register(registry);
  prometheus::Family<Histogram>& queue_wait =
      BuildHistogram()
          .Name("switchboard_queue_wait_seconds")
          .Help("How long a call waited in the queue, until it rang or ended.")
          .Register(registry);
  prometheus::Family<prometheus::Gauge>& ringing =
      BuildGauge().Name("switchboard_ringing_calls").Help("Calls ringing now.").Register(registry);
  prometheus::Family<prometheus::Gauge>& stuck =
      BuildGauge()
          .Name("switchboard_calls_stuck_ringing")
          .Help("Calls still ringing more than 5 s past their ring deadline (should be 0).")
          .Register(registry);
  prometheus::Family<prometheus::Gauge>& ws =
      BuildGauge()
          .Name("switchboard_ws_connections")
          .Help("Authenticated WebSocket connections open on this node.")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& signals =
      BuildCounter()
          .Name("switchboard_signals_relayed_total")
          .Help("Signaling messages relayed between call participants, by kind.")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& events = BuildCounter()
                                                        .Name("switchboard_events_sent_total")
                                                        .Help("Events published to users, by type.")
                                                        .Register(registry);
  prometheus::Family<prometheus::Counter>& http = BuildCounter()
                                                      .Name("switchboard_http_requests_total")
                                                      .Help("HTTP requests by route and status.")
                                                      .Register(registry);
  prometheus::Family<Histogram>& http_seconds = BuildHistogram()
                                                    .Name("switchboard_http_request_seconds")
                                                    .Help("HTTP request handling time by route.")
                                                    .Register(registry);
  prometheus::Family<prometheus::Counter>& ice =
      BuildCounter()
          .Name("switchboard_ice_results_total")
          .Help("Media connection outcomes by result, selected candidate type and ICE profile.")
          .Register(registry);
  prometheus::Family<Histogram>& lateness =
      BuildHistogram()
          .Name("switchboard_ring_timeout_lateness_seconds")
          .Help("How late a ring timeout fired after the call's ring deadline.")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& quality = BuildCounter()
                                                         .Name("switchboard_quality_samples_total")
                                                         .Help("Call quality samples received.")
                                                         .Register(registry);
  prometheus::Family<prometheus::Counter>& webhooks =
      BuildCounter()
          .Name("switchboard_webhook_deliveries_total")
          .Help("Webhook delivery attempts by result.")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& jwks_refreshes =
      BuildCounter()
          .Name("switchboard_jwks_refreshes_total")
          .Help("Fetches of the --jwt-jwks-url key set by result.")
          .Register(registry);
  prometheus::Family<prometheus::Gauge>& webhook_pending =
      BuildGauge()
          .Name("switchboard_webhook_outbox_pending")
          .Help("Webhook events not yet delivered.")
          .Register(registry);
  prometheus::Family<Histogram>& store_seconds =
      BuildHistogram()
          .Name("switchboard_store_operation_duration_seconds")
          .Help("Time one storage operation (a query or a transaction) took.")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& store_errors =
      BuildCounter()
          .Name("switchboard_store_errors_total")
          .Help("Storage operations the database failed (answered 503 unavailable).")
          .Register(registry);
  prometheus::Gauge& busy_gauge =
      BuildGauge()
          .Name("switchboard_loop_busy_ratio")
          .Help(
              "At the scrape: the share of the last quarter second the io thread was busy (running "
              "or waiting for a CPU). New calls are refused from 0.9 while the run ratio is at "
              "least 0.5.")
          .Register(registry)
          .Add({});
  prometheus::Gauge& run_gauge =
      BuildGauge()
          .Name("switchboard_loop_run_ratio")
          .Help("At the scrape: the share of the last quarter second the io thread was running.")
          .Register(registry)
          .Add({});
  prometheus::Counter& syncs_counter =
      BuildCounter()
          .Name("switchboard_store_syncs_total")
          .Help(
              "Group commit syncs: each made every commit before it durable (an fdatasync of "
              "SQLite's WAL, a synchronous commit on PostgreSQL).")
          .Register(registry)
          .Add({});
  prometheus::Family<prometheus::Gauge>& ready =
      BuildGauge()
          .Name("switchboard_ready")
          .Help("1 when storage and the bus are reachable (what /readyz answers 200 for), else 0.")
          .Register(registry);
  prometheus::Family<prometheus::Gauge>& pressure =
      BuildGauge()
          .Name("switchboard_load_seconds")
          .Help(
              "At the scrape: how late the io thread runs (kind=loop_lag) and how long the "
              "oldest answer has waited for its commit to be durable (kind=commit_wait).")
          .Register(registry);
  // The standard process_* figures every Prometheus client library exports, read at scrape.
  prometheus::Gauge& resident_bytes = BuildGauge()
                                          .Name("process_resident_memory_bytes")
                                          .Help("Resident memory size in bytes.")
                                          .Register(registry)
                                          .Add({});
  prometheus::Gauge& open_fds = BuildGauge()
                                    .Name("process_open_fds")
                                    .Help("Number of open file descriptors.")
                                    .Register(registry)
                                    .Add({});
  prometheus::Gauge& max_fds = BuildGauge()
                                   .Name("process_max_fds")
                                   .Help("Maximum number of open file descriptors.")
                                   .Register(registry)
                                   .Add({});
  prometheus::Gauge& start_time_gauge =
      BuildGauge()
          .Name("process_start_time_seconds")
          .Help("Start time of the process since unix epoch in seconds.")
          .Register(registry)
          .Add({});
  prometheus::Counter& cpu_seconds = BuildCounter()
                                         .Name("process_cpu_seconds_total")
                                         .Help("Total user and system CPU time spent in seconds.")
                                         .Register(registry)
                                         .Add({});
  prometheus::Gauge& build_info =
      BuildGauge()
          .Name("switchboard_build_info")
          .Help("Always 1; the labels say which version and commit this node runs.")
          .Register(registry)
          .Add(
              {{"version", std::string(build_version())}, {"commit", std::string(build_commit())}});
  prometheus::Gauge& active_gauge = active.Add({});
  prometheus::Gauge& ringing_gauge = ringing.Add({});
  prometheus::Gauge& queued_gauge = queued.Add({});
  Histogram& queue_wait_histogram = queue_wait.Add({}, kQueueBuckets);
  prometheus::Gauge& stuck_gauge = stuck.Add({});
  prometheus::Gauge& ws_gauge = ws.Add({});
  prometheus::Gauge& pending_gauge = webhook_pending.Add({});
  prometheus::Gauge& ready_gauge = ready.Add({});
  prometheus::Gauge& lag_gauge = pressure.Add({{"kind", "loop_lag"}});
  prometheus::Gauge& commit_wait_gauge = pressure.Add({{"kind", "commit_wait"}});
  prometheus::Counter& store_errors_counter = store_errors.Add({});
  Histogram& store_histogram = store_seconds.Add({}, kStoreBuckets);
  prometheus::Counter& created_counter = created.Add({});
  prometheus::Counter& conflicts_counter = conflicts.Add({});
  prometheus::Counter& refused_overload = refused.Add({{"reason", "overload"}});
  prometheus::Counter& frames_counter = frames.Add({});
  prometheus::Counter& quality_counter = quality.Add({});
  Histogram& setup_histogram = setup.Add({}, kCallBuckets);
  Histogram& lateness_histogram = lateness.Add({}, kLatenessBuckets);
  SeriesCache<prometheus::Counter> signal_series;
  SeriesCache<prometheus::Counter> event_series;
  SeriesCache<prometheus::Counter> http_series;
  SeriesCache<Histogram> http_seconds_series;
  std::function<ScrapeSnapshot()> snapshot;

  Impl() {
    // Made at start-up, so its construction time is the process's start to the second.
    start_time_gauge.Set(process_seconds_since_epoch());
    build_info.Set(1);
  }

  void refresh_process() {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    if (statm >> pages_total >> pages_resident) {
      resident_bytes.Set(static_cast<double>(pages_resident) *
                         static_cast<double>(sysconf(_SC_PAGESIZE)));
    }
    std::error_code ec;
    std::size_t fds = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      ++fds;
    }
    open_fds.Set(static_cast<double>(fds));
    if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      max_fds.Set(static_cast<double>(limit.rlim_cur));
    }
    std::ifstream stat("/proc/self/stat");
    std::string line;
    if (std::getline(stat, line)) {
      // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
      std::istringstream rest(line.substr(line.rfind(')') + 2));
      std::string field;
      double ticks = 0;
      for (int i = 1; i <= 13 && rest >> field; ++i) {
        if (i == 12 || i == 13) ticks += std::stod(field);
      }
      // CPU time only grows: the counter takes what was used since the last scrape.
      const double used = ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
      if (used > cpu_seconds.Value()) cpu_seconds.Increment(used - cpu_seconds.Value());
    }
  }
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::call_created() {
  impl_->created_counter.Increment();
}
void Metrics::call_finished(std::string_view state, std::string_view reason) {
  impl_->finished.Add({{"state", std::string(state)}, {"reason", std::string(reason)}}).Increment();
}
void Metrics::call_setup(double seconds) {
  impl_->setup_histogram.Observe(seconds);
}
void Metrics::call_connect(double seconds, std::string_view profile) {
  impl_->connect.Add({{"profile", std::string(profile)}}, kCallBuckets).Observe(seconds);
}
void Metrics::accept_conflict() {
  impl_->conflicts_counter.Increment();
}
void Metrics::ws_frames_sent(std::int64_t n) {
  impl_->frames_counter.Increment(static_cast<double>(n));
}
void Metrics::call_refused_overload() {
  impl_->refused_overload.Increment();
}
void Metrics::connection_refused(std::string_view cap) {
  impl_->connections_refused.Add({{"cap", std::string(cap)}}).Increment();
}
void Metrics::ws_connections(std::int64_t open) {
  impl_->ws_gauge.Set(static_cast<double>(open));
}
void Metrics::signal_relayed(std::string_view kind) {
  const std::string k(kind);
  impl_->signal_series
      .get(
          k,
          [&]() -> auto& {
            return impl_->signals.Add({{"kind", k}});
          })
      .Increment();
}
void Metrics::event_sent(std::string_view type) {
  const std::string t(type);
  impl_->event_series
      .get(
          t,
          [&]() -> auto& {
            return impl_->events.Add({{"type", t}});
          })
      .Increment();
}
void Metrics::http_request(std::string_view route, int status, double seconds) {
  const std::string r(route);
  const std::string s = std::to_string(status);
  impl_->http_series
      .get(
          r + ' ' + s,
          [&]() -> auto& {
            return impl_->http.Add({{"route", r}, {"status", s}});
          })
      .Increment();
  impl_->http_seconds_series
      .get(
          r,
          [&]() -> auto& {
            return impl_->http_seconds.Add({{"route", r}}, kHttpBuckets);
          })
      .Observe(seconds);
}
void Metrics::ice_result(std::string_view result, std::string_view candidate_type,
                         std::string_view profile) {
  impl_->ice
      .Add({{"result", std::string(result)},
            {"candidate_type", std::string(candidate_type)},
            {"profile", std::string(profile)}})
      .Increment();
}
void Metrics::ring_timeout_lateness(double seconds) {
  impl_->lateness_histogram.Observe(seconds);
}
void Metrics::queue_wait(double seconds) {
  impl_->queue_wait_histogram.Observe(seconds);
}
void Metrics::quality_sample() {
  impl_->quality_counter.Increment();
}
void Metrics::webhook_delivery(std::string_view result) {
  impl_->webhooks.Add({{"result", std::string(result)}}).Increment();
}
void Metrics::jwks_refresh(std::string_view result) {
  impl_->jwks_refreshes.Add({{"result", std::string(result)}}).Increment();
}

void Metrics::store_operation(double seconds, bool failed) {
  impl_->store_histogram.Observe(seconds);
  if (failed) impl_->store_errors_counter.Increment();
}

void Metrics::set_snapshot_source(std::function<ScrapeSnapshot()> source) {
  impl_->snapshot = std::move(source);
}

std::string Metrics::render() {
  if (impl_->snapshot) {
    const auto s = impl_->snapshot();
    impl_->active_gauge.Set(static_cast<double>(s.active_calls));
    impl_->ringing_gauge.Set(static_cast<double>(s.ringing_calls));
    impl_->queued_gauge.Set(static_cast<double>(s.queued_calls));
    impl_->stuck_gauge.Set(static_cast<double>(s.stuck_ringing));
    impl_->pending_gauge.Set(static_cast<double>(s.webhook_pending));
    impl_->ready_gauge.Set(s.ready ? 1 : 0);
    impl_->lag_gauge.Set(s.loop_lag_seconds);
    impl_->busy_gauge.Set(s.loop_busy_ratio);
    impl_->run_gauge.Set(s.loop_run_ratio);
    impl_->commit_wait_gauge.Set(s.commit_wait_seconds);
    // The store counts them; the counter catches up at each scrape.
    const double syncs = static_cast<double>(s.durable_syncs);
    if (syncs > impl_->syncs_counter.Value()) {
      impl_->syncs_counter.Increment(syncs - impl_->syncs_counter.Value());
    }
  }
  impl_->refresh_process();
  return prometheus::TextSerializer().Serialize(impl_->registry.Collect());
}

}  // namespace sb::obs
