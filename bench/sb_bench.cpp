// Load generator for Switchboard: drives a running server over loopback with real REST and
// WebSocket traffic (Boost.Beast, one io thread, C++20 coroutines) and prints figures.
//
//   sb_bench setup --port P --server-pid PID --secret S [--staff 20] [--concurrency 1,8,32]
//   sb_bench relay --port P --server-pid PID --secret S [--latency-pairs 4] [--rate 2000] ...
//   sb_bench idle  --port P --server-pid PID --secret S [--steps 1000,5000,10000]
//
// Nothing here asserts a timing: every scenario prints a table and one JSON line that starts
// with {"bench":"switchboard". Server CPU comes from /proc/<pid>/stat, memory from VmRSS.

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "support.hpp"

namespace sbbench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;
template <class T>
using Task = asio::awaitable<T>;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

double seconds_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double micros_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

/// One line on stderr in a single write, after stdout is flushed, so the two streams interleave
/// by whole lines when both go to one terminal or file.
void warn(const std::string& line) {
  std::fflush(stdout);
  const std::string text = "sb_bench: " + line + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

// --- Options ---

struct Options {
  std::string scenario;
  unsigned short port = 0;
  int server_pid = 0;
  std::string secret;
  std::string org = "bench-org";
  // setup
  long staff = 20;
  std::vector<long> concurrency{1, 8, 32};
  double duration_s = 8;
  long max_setups = 1'000'000;
  std::string route = "first";  // "first": ring-all, first staff to hear it accepts.
  double accept_timeout_s = 3;
  // relay
  long latency_pairs = 4;
  double rate = 2000;  // Messages per second across all latency pairs.
  double latency_s = 5;
  long max_pairs = 16;
  long window = 32;  // Messages in flight per sender in the maximum-rate phase.
  double max_s = 5;
  long payload = 200;  // Bytes of padding in each signal's data.
  // idle
  std::vector<long> steps{1000, 5000, 10000};
  long open_parallel = 64;
  double settle_s = 1;
  long mass_close = 2000;  // Connections closed at once at the end; 0: all.
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "sb_bench: " << why << "\n"
            << "usage: sb_bench setup|relay|idle --port N --server-pid PID --secret S [options]\n"
            << "  setup: --staff N --concurrency 1,8,32 --duration S --max-setups N\n"
            << "         --route first|designated --accept-timeout S\n"
            << "  relay: --latency-pairs N --rate MSGS_PER_S --latency-duration S\n"
            << "         --max-pairs N --window N --max-duration S --payload BYTES\n"
            << "  idle:  --steps 1000,5000,10000 --open-parallel N --settle S --mass-close N\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  if (argc < 2) usage("no scenario");
  Options o;
  o.scenario = argv[1];
  if (o.scenario != "setup" && o.scenario != "relay" && o.scenario != "idle") {
    usage("unknown scenario " + o.scenario);
  }
  for (int i = 2; i < argc; i += 2) {
    const std::string key = argv[i];
    if (i + 1 >= argc) usage("no value for " + key);
    const std::string value = argv[i + 1];
    const auto number = [&] {
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0' || v < 0) usage("bad value for " + key);
      return v;
    };
    const auto list = [&] {
      auto l = parse_list(value);
      if (l.empty()) usage("bad list for " + key);
      return l;
    };
    if (key == "--port") {
      o.port = static_cast<unsigned short>(number());
    } else if (key == "--server-pid") {
      o.server_pid = static_cast<int>(number());
    } else if (key == "--secret") {
      o.secret = value;
    } else if (key == "--org") {
      o.org = value;
    } else if (key == "--staff") {
      o.staff = static_cast<long>(number());
    } else if (key == "--concurrency") {
      o.concurrency = list();
    } else if (key == "--duration") {
      o.duration_s = number();
    } else if (key == "--max-setups") {
      o.max_setups = static_cast<long>(number());
    } else if (key == "--route") {
      if (value != "first" && value != "designated") usage("--route is first or designated");
      o.route = value;
    } else if (key == "--accept-timeout") {
      o.accept_timeout_s = number();
    } else if (key == "--latency-pairs") {
      o.latency_pairs = static_cast<long>(number());
    } else if (key == "--rate") {
      o.rate = number();
    } else if (key == "--latency-duration") {
      o.latency_s = number();
    } else if (key == "--max-pairs") {
      o.max_pairs = static_cast<long>(number());
    } else if (key == "--window") {
      o.window = static_cast<long>(number());
    } else if (key == "--max-duration") {
      o.max_s = number();
    } else if (key == "--payload") {
      o.payload = static_cast<long>(number());
    } else if (key == "--steps") {
      o.steps = list();
    } else if (key == "--open-parallel") {
      o.open_parallel = static_cast<long>(number());
    } else if (key == "--settle") {
      o.settle_s = number();
    } else if (key == "--mass-close") {
      o.mass_close = static_cast<long>(number());
    } else {
      usage("unknown option " + key);
    }
  }
  if (o.port == 0 || o.server_pid <= 0 || o.secret.empty()) {
    usage("--port, --server-pid and --secret are required");
  }
  if (o.latency_pairs < 1 || o.max_pairs < 1 || o.window < 1 || o.rate <= 0 ||
      o.open_parallel < 1) {
    usage("pair counts, window, rate and parallelism must be positive");
  }
  return o;
}

// --- Clients ---

struct HttpResult {
  unsigned status = 0;
  std::string body;
};

/// One keep-alive HTTP/1.1 connection with a bearer token; one request at a time.
class HttpConn {
 public:
  HttpConn(asio::any_io_executor ex, tcp::endpoint ep, std::string token)
      : stream_(std::move(ex)), ep_(ep), auth_("Bearer " + std::move(token)) {}

  Task<HttpResult> request(http::verb verb, std::string target, std::string body = {}) {
    // A kept-alive connection the server closed meanwhile fails once; then reconnect.
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = connected_;
      if (!connected_) {
        stream_.expires_after(5s);
        co_await stream_.async_connect(ep_, asio::use_awaitable);
        stream_.socket().set_option(tcp::no_delay(true));
        connected_ = true;
      }
      http::request<http::string_body> req{verb, target, 11};
      req.set(http::field::host, "127.0.0.1");
      req.set(http::field::authorization, auth_);
      if (!body.empty()) req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.keep_alive(true);
      req.prepare_payload();
      stream_.expires_after(10s);
      auto [ec, written] = co_await http::async_write(stream_, req, kTuple);
      http::response<http::string_body> res;
      if (!ec) std::tie(ec, written) = co_await http::async_read(stream_, buffer_, res, kTuple);
      if (ec) {
        close();
        if (reused && attempt == 0) continue;
        throw beast::system_error(ec);
      }
      if (!res.keep_alive()) close();
      co_return HttpResult{res.result_int(), std::move(res.body())};
    }
    throw std::runtime_error("unreachable");
  }

 private:
  void close() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  beast::tcp_stream stream_;
  tcp::endpoint ep_;
  std::string auth_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

/// One signed-in WebSocket on /v1/ws. At most one read and one write in flight at a time.
class WsConn {
 public:
  explicit WsConn(asio::any_io_executor ex) : ws_(std::move(ex)) {}

  /// Connects, upgrades, sends hello and waits for welcome (anything else first is an error).
  Task<void> open(tcp::endpoint ep, const std::string& token) {
    auto& layer = beast::get_lowest_layer(ws_);
    layer.expires_after(10s);
    co_await layer.async_connect(ep, asio::use_awaitable);
    layer.socket().set_option(tcp::no_delay(true));
    layer.expires_never();
    // The server pings; Beast answers while a read is pending. No client-side idle timeout.
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(10),
                                                   websocket::stream_base::none(), false});
    ws_.text(true);
    co_await ws_.async_handshake("127.0.0.1", "/v1/ws", asio::use_awaitable);
    co_await send(R"({"type":"hello","token":")" + token + "\"}");
    std::string_view text;
    if (auto ec = co_await read(text)) throw beast::system_error(ec);
    boost::system::error_code parse_ec;
    const json::value welcome = json::parse(text, parse_ec);
    const json::value* type =
        !parse_ec && welcome.is_object() ? welcome.as_object().if_contains("type") : nullptr;
    if (!type || !type->is_string() || type->as_string() != "welcome") {
      throw std::runtime_error("expected welcome, got " + std::string(text.substr(0, 200)));
    }
  }

  /// The next message; `text` stays valid until the next read.
  Task<beast::error_code> read(std::string_view& text) {
    buffer_.consume(buffer_.size());
    auto [ec, n] = co_await ws_.async_read(buffer_, kTuple);
    const auto data = buffer_.cdata();
    text = std::string_view(static_cast<const char*>(data.data()), data.size());
    co_return ec;
  }

  Task<void> send(const std::string& text) {
    co_await ws_.async_write(asio::buffer(text), asio::use_awaitable);
  }

  void close_now() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

/// Waits for `n` coroutines to call done(), at most `limit`.
class Latch {
 public:
  Latch(asio::any_io_executor ex, long n) : timer_(std::move(ex)), left_(n) {}
  void done() {
    if (--left_ <= 0) timer_.cancel();
  }
  Task<bool> wait(std::chrono::seconds limit) {
    const auto deadline = SteadyClock::now() + limit;
    while (left_ > 0 && SteadyClock::now() < deadline) {
      timer_.expires_at(deadline);
      co_await timer_.async_wait(kTuple);
    }
    co_return left_ <= 0;
  }

 private:
  asio::steady_timer timer_;
  long left_;
};

Task<void> sleep_for(std::chrono::steady_clock::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(kTuple);
}

/// Runs `task` detached; an exception is printed and counted, never fatal to the run.
void spawn(asio::any_io_executor ex, Task<void> task, long* failures, std::string what) {
  asio::co_spawn(ex, std::move(task), [failures, what](std::exception_ptr e) {
    if (!e) return;
    if (failures) ++*failures;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      warn(what + ": " + x.what());
    }
  });
}

std::string error_code_of(const std::string& body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return "?";
  const json::value* err = v.as_object().if_contains("error");
  if (!err || !err->is_object()) return "?";
  const json::value* code = err->as_object().if_contains("code");
  return code && code->is_string() ? std::string(code->as_string()) : "?";
}

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

struct CpuMark {
  SteadyClock::time_point at = SteadyClock::now();
  double server = 0, server_wait = 0;
  double self = self_cpu_seconds();
  explicit CpuMark(int pid)
      : server(process_cpu_seconds(pid)), server_wait(process_runq_wait_seconds(pid)) {}
};

/// Wall time, CPU of the server and of this generator, and how long the server sat runnable
/// waiting for its core (other processes on core 0 make every figure meaningless).
struct CpuSpan {
  double wall_s = 0, server_s = 0, self_s = 0, server_wait_s = 0;
  double server_util() const { return server_s / wall_s; }
  double self_util() const { return self_s / wall_s; }
  double server_wait_share() const { return server_wait_s / wall_s; }
};

CpuSpan cpu_since(const CpuMark& m, int pid) {
  CpuMark now(pid);
  return {seconds_between(m.at, now.at), now.server - m.server, now.self - m.self,
          now.server_wait - m.server_wait};
}

/// Set by SB_BENCH_TRACE=1: staff events of the setup scenario on stderr.
bool g_trace = false;

/// A warning when the server waited for its core for more than 5% of the time.
void warn_contention(const CpuSpan& cpu) {
  if (cpu.server_wait_share() > 0.05) {
    std::printf(
        "       WARNING: the server waited %.0f%% of the time for its core (load %.1f): "
        "other processes compete for core 0; these figures are not the server's\n",
        100 * cpu.server_wait_share(), load_average_1m());
  }
}

tcp::endpoint server_endpoint(const Options& o) {
  return {asio::ip::make_address("127.0.0.1"), o.port};
}

std::string token_for(const Options& o, const std::string& sub, const std::string& role) {
  return mint_hs256({sub, o.org, role, sub, 3600}, o.secret);
}

std::string json_head(const Options& o) {
  return JsonLine()
      .str("bench", "switchboard")
      .str("scenario", o.scenario)
      .str("date", utc_now_iso())
      .integer("cores", static_cast<long long>(std::thread::hardware_concurrency()))
      .num("load_1m_at_end", load_average_1m())
      .done();
}

// Appends `more` (a JsonLine's body) to a JSON object text.
std::string json_extend(std::string head, const std::string& more) {
  head.pop_back();
  return head + "," + more.substr(1);
}

// --- Scenario 1: call set-up ---

class SetupScenario {
 public:
  SetupScenario(const Options& o, asio::any_io_executor ex) : o_(o), ex_(std::move(ex)) {}

  Task<void> run() {
    long max_c = 0;
    for (long c : o_.concurrency) max_c = std::max(max_c, c);
    // Enough staff that every client can be in a call at once: set-up latency, not queueing.
    const long staff_count = std::max(o_.staff, max_c + 4);
    const auto ep = server_endpoint(o_);
    for (long i = 0; i < staff_count; ++i) {
      auto s = std::make_unique<Staff>();
      s->index = static_cast<int>(i);
      s->id = "staff-" + std::to_string(i);
      const std::string token = token_for(o_, s->id, "staff");
      s->ws = std::make_unique<WsConn>(ex_);
      co_await s->ws->open(ep, token);
      s->http = std::make_unique<HttpConn>(ex_, ep, token);
      auto r = co_await s->http->request(http::verb::put, "/v1/staff/me/availability",
                                         R"({"status":"available"})");
      if (r.status != 200) throw std::runtime_error("availability: " + r.body);
      staff_.push_back(std::move(s));
    }
    for (auto& s : staff_) spawn(ex_, staff_reader(*s), &reader_failures_, "staff reader");

    std::printf("\n== setup: %ld staff connected and available, route %s, %.1f s per level ==\n",
                staff_count, o_.route.c_str(), o_.duration_s);
    std::printf("%6s %8s %9s %8s %8s %8s %8s %9s %9s %12s %8s %8s %8s %6s\n", "conc", "setups",
                "setups/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "ring p50", "ring p99",
                "srv cpu s/1k", "srv cpu%", "srv wait", "gen cpu%", "errors");
    std::vector<std::string> levels;
    // A short warm-up so the first level does not pay for cold caches.
    co_await level(std::min<long>(4, max_c), 0.5, nullptr);
    for (long c : o_.concurrency) {
      Level result;
      co_await level(c, o_.duration_s, &result);
      const double per_s = result.setups / result.cpu.wall_s;
      const double cpu_per_1k = result.setups ? result.cpu.server_s * 1000.0 / result.setups : 0;
      const long errors =
          result.create_errors + result.timeouts + result.end_errors + result.accept_failures;
      std::printf(
          "%6ld %8ld %9.1f %8.2f %8.2f %8.2f %8.2f %9.2f %9.2f %12.3f %7.0f%% %7.0f%% %7.0f%% "
          "%6ld\n",
          c, result.setups, per_s, result.latency.percentile(0.5) / 1000,
          result.latency.percentile(0.9) / 1000, result.latency.percentile(0.99) / 1000,
          result.latency.max() / 1000, result.ring.percentile(0.5) / 1000,
          result.ring.percentile(0.99) / 1000, cpu_per_1k, 100 * result.cpu.server_util(),
          100 * result.cpu.server_wait_share(), 100 * result.cpu.self_util(), errors);
      warn_contention(result.cpu);
      std::string fanout;
      std::string fanout_json = "{";
      for (const auto& [type, count] : result.messages) {
        char item[96];
        const double per = result.setups ? static_cast<double>(count) / result.setups : 0;
        std::snprintf(item, sizeof item, "%s %.1f, ", type.c_str(), per);
        fanout += item;
        if (fanout_json.size() > 1) fanout_json += ",";
        fanout_json += JsonLine().num(type, per).done().substr(1);
        fanout_json.pop_back();
      }
      fanout_json += "}";
      if (!fanout.empty()) fanout.resize(fanout.size() - 2);
      std::printf("       staff WebSocket messages per set-up: %s\n", fanout.c_str());
      if (result.no_staff || result.accept_failures || result.timeouts) {
        std::printf("       (no_staff_available retries %ld, accept failures %ld, timeouts %ld)\n",
                    result.no_staff, result.accept_failures, result.timeouts);
      }
      levels.push_back(JsonLine()
                           .integer("concurrency", c)
                           .integer("setups", result.setups)
                           .num("wall_s", result.cpu.wall_s)
                           .num("setups_per_s", per_s)
                           .num("p50_ms", result.latency.percentile(0.5) / 1000)
                           .num("p90_ms", result.latency.percentile(0.9) / 1000)
                           .num("p99_ms", result.latency.percentile(0.99) / 1000)
                           .num("max_ms", result.latency.max() / 1000)
                           .num("server_cpu_s_per_1k", cpu_per_1k)
                           .num("ring_p50_ms", result.ring.percentile(0.5) / 1000)
                           .num("ring_p99_ms", result.ring.percentile(0.99) / 1000)
                           .num("server_cpu_util", result.cpu.server_util())
                           .num("server_runq_wait_share", result.cpu.server_wait_share())
                           .num("gen_cpu_util", result.cpu.self_util())
                           .integer("create_errors", result.create_errors)
                           .integer("no_staff_retries", result.no_staff)
                           .integer("accept_failures", result.accept_failures)
                           .integer("timeouts", result.timeouts)
                           .integer("end_errors", result.end_errors)
                           .raw("staff_messages_per_setup", fanout_json)
                           .done());
    }
    std::printf(
        "latency: client sends POST /v1/calls -> staff receives 200 from accept (create, push of "
        "call.incoming, accept); ring: POST sent -> first call.incoming read by a staff member; "
        "srv wait: share of wall time the server was runnable but off its core\n");
    std::cout << json_extend(json_head(o_), JsonLine()
                                                .integer("staff", staff_count)
                                                .str("route", o_.route)
                                                .raw("levels", json_array(levels))
                                                .done())
              << std::endl;
    for (auto& s : staff_) s->ws->close_now();
  }

 private:
  struct Staff {
    int index = 0;
    std::string id;
    std::unique_ptr<WsConn> ws;
    std::unique_ptr<HttpConn> http;
    bool busy = false;                 // Claimed a call that has not ended yet.
    std::vector<std::string> ringing;  // Calls this staff member was rung for, still ringing.
  };
  struct CallRecord {
    bool claimed = false, accepted = false, done = false;
    int staff = -1;
    SteadyClock::time_point accepted_at{}, first_ring_at{};
    asio::steady_timer* waiter = nullptr;  // The client waiting for the accept, if any.
  };
  struct Level {
    long setups = 0, create_errors = 0, no_staff = 0, timeouts = 0, end_errors = 0,
         accept_failures = 0;
    Samples latency, ring;
    CpuSpan cpu;
    std::map<std::string, long> messages;  // Read by staff during the level, by type.
  };

  Task<void> level(long concurrency, double seconds, Level* out) {
    Level scratch;
    Level& result = out ? *out : scratch;
    current_ = &result;
    const long accept_failures_before = accept_failures_;
    const auto messages_before = staff_messages_;
    const auto ep = server_endpoint(o_);
    CpuMark mark(o_.server_pid);
    const auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                   std::chrono::duration<double>(seconds));
    Latch latch(ex_, concurrency);
    long client_failures = 0;
    for (long i = 0; i < concurrency; ++i) {
      const std::string id = "client-" + std::to_string(i);
      auto task = [](SetupScenario* self, std::string id, long index, tcp::endpoint ep,
                     SteadyClock::time_point deadline, Latch* latch) -> Task<void> {
        HttpConn conn(self->ex_, ep, token_for(self->o_, id, "client"));
        try {
          co_await self->client_loop(conn, index, deadline);
        } catch (...) {
          latch->done();
          throw;
        }
        latch->done();
      };
      spawn(ex_, task(this, id, i, ep, deadline, &latch), &client_failures, "client");
    }
    co_await latch.wait(std::chrono::seconds(static_cast<long>(seconds) + 30));
    result.cpu = cpu_since(mark, o_.server_pid);
    result.accept_failures = accept_failures_ - accept_failures_before;
    for (const auto& [type, count] : staff_messages_) {
      const auto before = messages_before.find(type);
      result.messages[type] = count - (before == messages_before.end() ? 0 : before->second);
    }
    result.create_errors += client_failures;
    current_ = nullptr;
  }

  Task<void> client_loop(HttpConn& http, long index, SteadyClock::time_point deadline) {
    const std::string body =
        o_.route == "designated" ? R"({"staff_id":"staff-)" + std::to_string(index) + "\"}" : "{}";
    const auto accept_timeout = std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(o_.accept_timeout_s));
    for (long n = 0; n < o_.max_setups && SteadyClock::now() < deadline; ++n) {
      Level& result = *current_;
      const auto t0 = SteadyClock::now();
      auto r = co_await http.request(http::verb::post, "/v1/calls", body);
      if (r.status != 201) {
        const std::string code = error_code_of(r.body);
        if (r.status == 409 && code == "no_staff_available") {
          ++result.no_staff;
          co_await sleep_for(1ms);
        } else {
          if (result.create_errors++ < 5) {
            warn("create answered " + std::to_string(r.status) + " " + r.body);
          }
          co_await sleep_for(10ms);
        }
        continue;
      }
      const json::value created = json::parse(r.body);
      const std::string id = string_field(created.as_object(), "id");
      CallRecord& call = calls_[id];  // Node-based map: the reference outlives rehashing.
      if (!call.accepted) {
        asio::steady_timer timer(ex_, accept_timeout);
        call.waiter = &timer;
        co_await timer.async_wait(kTuple);
        call.waiter = nullptr;
      }
      if (!call.accepted) {
        ++result.timeouts;
        call.done = true;
        (void)co_await http.request(http::verb::post, "/v1/calls/" + id + "/cancel", "{}");
        continue;
      }
      result.latency.add(micros_between(t0, call.accepted_at));
      if (call.first_ring_at != SteadyClock::time_point{}) {
        result.ring.add(micros_between(t0, call.first_ring_at));
      }
      auto ended = co_await http.request(http::verb::post, "/v1/calls/" + id + "/end", "{}");
      if (ended.status != 200 && result.end_errors++ < 5) {
        warn("end answered " + std::to_string(ended.status) + " " + ended.body);
      }
      call.done = true;
      ++result.setups;
      Staff& s = *staff_[call.staff];
      s.busy = false;
      claim_any(s);
    }
  }

  Task<void> staff_reader(Staff& s) {
    // Ends when the connection closes at the end of the scenario.
    for (;;) {
      std::string_view text;
      if (co_await s.ws->read(text)) co_return;
      // The server writes "type" first; count every message by it and parse only the two
      // kinds that matter here (a cheap scan keeps the fan-out from loading the generator).
      constexpr std::string_view kTypePrefix = R"({"type":")";
      std::string type = "other";
      if (text.starts_with(kTypePrefix)) {
        const auto end = text.find('"', kTypePrefix.size());
        if (end != std::string_view::npos) {
          type = std::string(text.substr(kTypePrefix.size(), end - kTypePrefix.size()));
        }
      }
      ++staff_messages_[type];
      if (type != "call.incoming" && type != "call.updated") continue;
      boost::system::error_code ec;
      const json::value v = json::parse(text, ec);
      if (ec || !v.is_object()) continue;
      const json::value* call = v.as_object().if_contains("call");
      if (!call || !call->is_object()) continue;
      const std::string id = string_field(call->as_object(), "id");
      if (g_trace) {
        std::fprintf(stderr, "%.6f T %d %s %s %s busy=%d\n", mono_ns() / 1e9, s.index, type.c_str(),
                     id.c_str(), string_field(call->as_object(), "state").c_str(), s.busy);
      }
      if (type == "call.incoming") {
        CallRecord& record = calls_[id];
        if (record.first_ring_at == SteadyClock::time_point{}) {
          record.first_ring_at = SteadyClock::now();
        }
        s.ringing.push_back(id);
        try_claim(s, id);
      } else if (string_field(call->as_object(), "state") != "ringing") {
        std::erase(s.ringing, id);
      }
    }
  }

  /// The first free staff member to hear of an unclaimed call accepts it.
  bool try_claim(Staff& s, const std::string& id) {
    if (s.busy) return false;
    CallRecord& call = calls_[id];
    if (call.claimed || call.done) return false;
    call.claimed = true;
    if (g_trace) std::fprintf(stderr, "C %d %s\n", s.index, id.c_str());
    call.staff = s.index;
    s.busy = true;
    spawn(ex_, accept(s, id), &reader_failures_, "accept");
    return true;
  }

  void claim_any(Staff& s) {
    for (const auto& id : std::vector<std::string>(s.ringing)) {
      if (try_claim(s, id)) return;
    }
  }

  Task<void> accept(Staff& s, std::string id) {
    auto r = co_await s.http->request(http::verb::post, "/v1/calls/" + id + "/accept", "{}");
    CallRecord& call = calls_[id];
    if (r.status == 200) {
      call.accepted = true;
      call.accepted_at = SteadyClock::now();
      // Accepting stops this staff member's other rings (docs/api.md#routing).
      s.ringing.clear();
      if (call.waiter) call.waiter->cancel();
      co_return;
    }
    if (g_trace) std::fprintf(stderr, "F %d %s\n", s.index, id.c_str());
    if (accept_failures_++ == 0) {
      warn("accept answered " + std::to_string(r.status) + " " + r.body +
           " (further accept failures are only counted)");
    }
    std::erase(s.ringing, id);
    call.claimed = false;
    s.busy = false;
    for (auto& other : staff_) {
      if (other.get() != &s &&
          std::find(other->ringing.begin(), other->ringing.end(), id) != other->ringing.end()) {
        if (try_claim(*other, id)) break;
      }
    }
    claim_any(s);
  }

  const Options& o_;
  asio::any_io_executor ex_;
  std::vector<std::unique_ptr<Staff>> staff_;
  std::unordered_map<std::string, CallRecord> calls_;
  Level* current_ = nullptr;
  /// WebSocket messages the staff members read, by type, over the whole run.
  std::map<std::string, long> staff_messages_;
  long accept_failures_ = 0;
  long reader_failures_ = 0;
};

// --- Scenario 2: signal relay ---

class RelayScenario {
 public:
  RelayScenario(const Options& o, asio::any_io_executor ex) : o_(o), ex_(std::move(ex)) {}

  Task<void> run() {
    const long pairs = std::max(o_.latency_pairs, o_.max_pairs);
    const auto ep = server_endpoint(o_);
    for (long i = 0; i < pairs; ++i) co_await make_pair(ep, i);
    for (auto& e : endpoints_) spawn(ex_, reader(*e), &failures_, "relay reader");
    pad_ = std::string(static_cast<std::size_t>(o_.payload), 'x');

    std::printf("\n== relay: %ld accepted calls, signal data %ld bytes of padding ==\n", pairs,
                o_.payload);
    // Phase 1: fixed rate, spread over the latency pairs in both directions.
    const long senders = 2 * o_.latency_pairs;
    const auto interval = std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(static_cast<double>(senders) / o_.rate));
    Phase fixed = co_await phase(senders, o_.latency_s, [&](Endpoint& e, auto start, auto end) {
      return paced_sender(e, start, end, interval);
    });
    // Phase 2: every pair, each direction with a window of messages in flight.
    Phase max = co_await phase(2 * o_.max_pairs, o_.max_s, [&](Endpoint& e, auto, auto end) {
      return windowed_sender(e, end);
    });

    std::printf("%-18s %7s %9s %9s %9s %9s %9s %9s %14s %8s %8s %8s %6s\n", "phase", "senders",
                "messages", "msgs/s", "p50 us", "p90 us", "p99 us", "max us", "srv cpu s/100k",
                "srv cpu%", "srv wait", "gen cpu%", "errors");
    const auto row = [&](const char* name, long n, Phase& p) {
      std::printf(
          "%-18s %7ld %9ld %9.0f %9.1f %9.1f %9.1f %9.1f %14.3f %7.0f%% %7.0f%% %7.0f%% %6ld\n",
          name, n, p.delivered, p.delivered / p.cpu.wall_s, p.latency.percentile(0.5),
          p.latency.percentile(0.9), p.latency.percentile(0.99), p.latency.max(),
          p.delivered ? p.cpu.server_s * 1e5 / p.delivered : 0, 100 * p.cpu.server_util(),
          100 * p.cpu.server_wait_share(), 100 * p.cpu.self_util(), p.errors);
      warn_contention(p.cpu);
    };
    char fixed_name[64];
    std::snprintf(fixed_name, sizeof fixed_name, "fixed %.0f msg/s", o_.rate);
    row(fixed_name, senders, fixed);
    row("max (window)", 2 * o_.max_pairs, max);
    std::printf(
        "latency: one way, sender's monotonic clock in data -> peer's read of the relayed "
        "signal (same process)\n");
    const auto phase_json = [](Phase& p, double rate) {
      return JsonLine()
          .num("target_rate", rate)
          .integer("messages", p.delivered)
          .num("wall_s", p.cpu.wall_s)
          .num("msgs_per_s", p.delivered / p.cpu.wall_s)
          .num("p50_us", p.latency.percentile(0.5))
          .num("p90_us", p.latency.percentile(0.9))
          .num("p99_us", p.latency.percentile(0.99))
          .num("max_us", p.latency.max())
          .num("server_cpu_s_per_100k", p.delivered ? p.cpu.server_s * 1e5 / p.delivered : 0)
          .num("server_cpu_util", p.cpu.server_util())
          .num("server_runq_wait_share", p.cpu.server_wait_share())
          .num("gen_cpu_util", p.cpu.self_util())
          .integer("errors", p.errors)
          .done();
    };
    std::cout << json_extend(json_head(o_), JsonLine()
                                                .integer("payload_bytes", o_.payload)
                                                .integer("latency_pairs", o_.latency_pairs)
                                                .integer("max_pairs", o_.max_pairs)
                                                .integer("window", o_.window)
                                                .raw("fixed", phase_json(fixed, o_.rate))
                                                .raw("max", phase_json(max, 0))
                                                .done())
              << std::endl;
    for (auto& e : endpoints_) e->ws->close_now();
  }

 private:
  struct Endpoint {
    std::unique_ptr<WsConn> ws;
    std::string call_id;
    Endpoint* peer = nullptr;
    long long seq = 0;
    long sent = 0;       // By this endpoint, this phase.
    long delivered = 0;  // Of this endpoint's messages, read by the peer this phase.
    asio::steady_timer* waiting = nullptr;
  };
  struct Phase {
    long delivered = 0, errors = 0;
    Samples latency;
    CpuSpan cpu;
  };

  Task<void> make_pair(tcp::endpoint ep, long i) {
    const std::string staff_id = "relay-staff-" + std::to_string(i);
    const std::string client_id = "relay-client-" + std::to_string(i);
    const std::string staff_token = token_for(o_, staff_id, "staff");
    const std::string client_token = token_for(o_, client_id, "client");
    auto staff = std::make_unique<Endpoint>();
    auto client = std::make_unique<Endpoint>();
    staff->ws = std::make_unique<WsConn>(ex_);
    client->ws = std::make_unique<WsConn>(ex_);
    co_await staff->ws->open(ep, staff_token);
    co_await client->ws->open(ep, client_token);
    HttpConn staff_http(ex_, ep, staff_token);
    HttpConn client_http(ex_, ep, client_token);
    auto r = co_await staff_http.request(http::verb::put, "/v1/staff/me/availability",
                                         R"({"status":"available"})");
    if (r.status != 200) throw std::runtime_error("availability: " + r.body);
    r = co_await client_http.request(http::verb::post, "/v1/calls",
                                     R"({"staff_id":")" + staff_id + "\"}");
    if (r.status != 201) throw std::runtime_error("create: " + r.body);
    const std::string id = string_field(json::parse(r.body).as_object(), "id");
    // The create rings before it answers; retry briefly in case the ring is still on its way.
    for (int attempt = 0; attempt < 50; ++attempt) {
      r = co_await staff_http.request(http::verb::post, "/v1/calls/" + id + "/accept", "{}");
      if (r.status == 200) break;
      co_await sleep_for(10ms);
    }
    if (r.status != 200) throw std::runtime_error("accept: " + r.body);
    staff->call_id = client->call_id = id;
    staff->peer = client.get();
    client->peer = staff.get();
    endpoints_.push_back(std::move(staff));
    endpoints_.push_back(std::move(client));
  }

  Task<void> reader(Endpoint& e) {
    // Ends when the connection closes at the end of the scenario.
    for (;;) {
      std::string_view text;
      if (co_await e.ws->read(text)) co_return;
      // Relayed signals start with the type; the "bt" key is ours, in data. A cheap scan keeps
      // the generator's per-message cost well below the server's.
      if (text.starts_with(R"({"type":"error")")) {
        if (current_ && current_->errors++ < 5) warn(std::string(text));
        continue;
      }
      if (!text.starts_with(R"({"type":"signal")")) continue;
      const auto at = text.find(R"("bt":)");
      if (at == std::string_view::npos) continue;
      const long long sent_ns = std::strtoll(text.data() + at + 5, nullptr, 10);
      const long long now_ns = mono_ns();
      Endpoint& sender = *e.peer;
      ++sender.delivered;
      if (sender.waiting) sender.waiting->cancel();
      if (current_ && sent_ns >= record_from_ns_) {
        ++current_->delivered;
        current_->latency.add(static_cast<double>(now_ns - sent_ns) / 1000.0);
      }
    }
  }

  Task<void> send_one(Endpoint& e) {
    ++e.sent;
    const std::string msg = R"({"type":"signal","call_id":")" + e.call_id +
                            R"(","kind":"candidate","data":{"bt":)" + std::to_string(mono_ns()) +
                            R"(,"pad":")" + pad_ + R"("},"seq":)" + std::to_string(++e.seq) + "}";
    co_await e.ws->send(msg);
  }

  Task<void> paced_sender(Endpoint& e, SteadyClock::time_point start, SteadyClock::time_point end,
                          SteadyClock::duration interval) {
    asio::steady_timer timer(ex_);
    for (long i = 0;; ++i) {
      const auto at = start + i * interval;
      if (at >= end) break;
      timer.expires_at(at);
      co_await timer.async_wait(kTuple);
      co_await send_one(e);
    }
  }

  Task<void> windowed_sender(Endpoint& e, SteadyClock::time_point end) {
    asio::steady_timer timer(ex_);
    while (SteadyClock::now() < end) {
      if (e.sent - e.delivered >= o_.window) {
        timer.expires_at(std::min(end, SteadyClock::now() + 1s));
        e.waiting = &timer;
        co_await timer.async_wait(kTuple);
        e.waiting = nullptr;
        continue;
      }
      co_await send_one(e);
    }
  }

  template <class MakeSender>
  Task<Phase> phase(long senders, double seconds, MakeSender make_sender) {
    Phase result;
    for (auto& e : endpoints_) e->sent = e->delivered = 0;
    // Senders start staggered over the first interval; a quarter second of warm-up first.
    const auto warmup = 250ms;
    const auto start = SteadyClock::now() + 20ms;
    const auto end =
        start + warmup +
        std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
    record_from_ns_ =
        std::chrono::duration_cast<std::chrono::nanoseconds>((start + warmup).time_since_epoch())
            .count();
    current_ = &result;
    Latch latch(ex_, senders);
    long send_failures = 0;
    for (long i = 0; i < senders; ++i) {
      Endpoint& e = *endpoints_[static_cast<std::size_t>(i)];
      auto stagger = std::chrono::microseconds(97 * i);
      auto task = [](Task<void> inner, Latch* latch) -> Task<void> {
        try {
          co_await std::move(inner);
        } catch (...) {
          latch->done();
          throw;
        }
        latch->done();
      };
      spawn(ex_, task(make_sender(e, start + stagger, end), &latch), &send_failures, "sender");
    }
    co_await sleep_for(start + warmup - SteadyClock::now());
    CpuMark mark(o_.server_pid);
    co_await latch.wait(std::chrono::seconds(static_cast<long>(seconds) + 30));
    result.cpu = cpu_since(mark, o_.server_pid);
    // Stop counting; let what is in flight land so the next phase starts clean.
    current_ = nullptr;
    for (int i = 0; i < 200; ++i) {
      bool drained = true;
      for (auto& e : endpoints_) drained = drained && e->delivered >= e->sent;
      if (drained) break;
      co_await sleep_for(10ms);
    }
    result.errors += send_failures;
    co_return result;
  }

  const Options& o_;
  asio::any_io_executor ex_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::string pad_;
  Phase* current_ = nullptr;
  long long record_from_ns_ = 0;
  long failures_ = 0;
};

// --- Scenario 3: idle connections ---

class IdleScenario {
 public:
  IdleScenario(const Options& o, asio::any_io_executor ex) : o_(o), ex_(std::move(ex)) {}

  Task<void> run() {
    const long fd_limit = raise_fd_limit();
    const auto ep = server_endpoint(o_);
    HttpConn metrics(ex_, ep, "none");
    std::printf(
        "\n== idle: authenticated WebSockets held open (client role), %ld opened at once ==\n",
        o_.open_parallel);
    std::printf("generator open-file limit %ld\n", fd_limit);
    std::printf("%8s %12s %10s %9s %12s %9s %10s %17s %8s %8s\n", "conns", "server RSS",
                "server fds", "gauge", "KiB/conn", "opens/s", "open fails", "srv cpu s/1k opens",
                "srv wait", "gen cpu%");
    co_await sleep_for(std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(o_.settle_s)));
    Step base;
    base.conns = 0;
    base.rss_kib = process_rss_kib(o_.server_pid);
    base.fds = process_fd_count(o_.server_pid);
    base.gauge = co_await ws_gauge(metrics);
    std::printf("%8ld %8.1f MiB %10ld %9ld\n", 0L, base.rss_kib / 1024.0, base.fds, base.gauge);
    std::vector<Step> steps{base};
    for (long target : o_.steps) {
      if (target <= static_cast<long>(conns_.size())) continue;
      if (target > fd_limit - 100) {
        std::printf("%8ld skipped: over this process's open-file limit\n", target);
        break;
      }
      Step step;
      CpuMark mark(o_.server_pid);
      const long before = static_cast<long>(conns_.size());
      const long fails_before = open_failures_;
      co_await open_until(ep, target);
      const CpuSpan opening = cpu_since(mark, o_.server_pid);
      co_await sleep_for(std::chrono::duration_cast<SteadyClock::duration>(
          std::chrono::duration<double>(o_.settle_s)));
      step.conns = static_cast<long>(conns_.size()) - closed_;
      step.rss_kib = process_rss_kib(o_.server_pid);
      step.fds = process_fd_count(o_.server_pid);
      step.gauge = co_await ws_gauge(metrics);
      step.opens_per_s = (static_cast<double>(conns_.size()) - before) / opening.wall_s;
      step.cpu_s_per_1k =
          1e3 * opening.server_s / std::max(1.0, static_cast<double>(conns_.size()) - before);
      step.wait_share = opening.server_wait_share();
      step.gen_util = opening.self_util();
      step.open_failures = open_failures_ - fails_before;
      const Step& prev = steps.back();
      step.slope_kib = static_cast<double>(step.rss_kib - prev.rss_kib) /
                       static_cast<double>(std::max(1L, step.conns - prev.conns));
      std::printf("%8ld %8.1f MiB %10ld %9ld %12.2f %9.0f %10ld %17.3f %7.0f%% %7.0f%%\n",
                  step.conns, step.rss_kib / 1024.0, step.fds, step.gauge, step.slope_kib,
                  step.opens_per_s, step.open_failures, step.cpu_s_per_1k, 100 * step.wait_share,
                  100 * opening.self_util());
      warn_contention(opening);
      steps.push_back(step);
      if (step.open_failures > 0) break;
    }
    // Least-squares fit of RSS against connections over the steps that hold connections (the
    // first connections also pay for one-off growth), or over all steps when there are too few.
    long loaded_steps = 0;
    for (const auto& s : steps) loaded_steps += s.conns > 0 ? 1 : 0;
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto& s : steps) {
      if (loaded_steps >= 2 && s.conns == 0) continue;
      n += 1;
      sx += static_cast<double>(s.conns);
      sy += static_cast<double>(s.rss_kib);
      sxx += static_cast<double>(s.conns) * static_cast<double>(s.conns);
      sxy += static_cast<double>(s.conns) * static_cast<double>(s.rss_kib);
    }
    const double denom = n * sxx - sx * sx;
    const double slope = denom > 0 ? (n * sxy - sx * sy) / denom : 0;
    const double intercept = n > 0 ? (sy - slope * sx) / n : 0;
    const Step& last = steps.back();
    const double at_100k_mib = (intercept + slope * 100000.0) / 1024.0;
    std::printf("memory per connection (least-squares slope): %.2f KiB; held %ld connections\n",
                slope, last.conns);
    std::printf(
        "100k connections: %.0f KiB + 100000 x %.2f KiB = %.0f MiB (%.2f GiB) of server RSS, "
        "plus 100k file descriptors (one process here is capped at 20000)\n",
        intercept, slope, at_100k_mib, at_100k_mib / 1024.0);
    MassClose mass = co_await close_all(ep, metrics);
    std::printf(
        "mass disconnect: %ld connections closed at once; the server's connection gauge came down "
        "to %ld after %.2f s, %.3f ms of server CPU per close; /healthz meanwhile: p50 %.1f ms, "
        "max %.1f ms (%zu probes)\n",
        mass.closed, mass.final_gauge, mass.cpu.wall_s,
        mass.closed ? 1e3 * mass.cpu.server_s / mass.closed : 0, mass.probe.percentile(0.5) / 1000,
        mass.probe.max() / 1000, mass.probe.size());
    std::vector<std::string> rows;
    for (const auto& s : steps) {
      rows.push_back(JsonLine()
                         .integer("conns", s.conns)
                         .integer("rss_kib", s.rss_kib)
                         .integer("fds", s.fds)
                         .integer("ws_gauge", s.gauge)
                         .num("kib_per_conn_since_prev", s.slope_kib)
                         .num("opens_per_s", s.opens_per_s)
                         .num("server_cpu_s_per_1k_opens", s.cpu_s_per_1k)
                         .num("server_runq_wait_share", s.wait_share)
                         .num("gen_cpu_util", s.gen_util)
                         .integer("open_failures", s.open_failures)
                         .done());
    }
    std::cout << json_extend(
                     json_head(o_),
                     JsonLine()
                         .raw("steps", json_array(rows))
                         .num("kib_per_conn", slope)
                         .num("intercept_kib", intercept)
                         .integer("held", last.conns)
                         .num("rss_mib_at_100k", at_100k_mib)
                         .raw("mass_close",
                              JsonLine()
                                  .integer("closed", mass.closed)
                                  .num("drain_s", mass.cpu.wall_s)
                                  .num("server_cpu_ms_per_close",
                                       mass.closed ? 1e3 * mass.cpu.server_s / mass.closed : 0)
                                  .integer("final_gauge", mass.final_gauge)
                                  .num("healthz_p50_ms", mass.probe.percentile(0.5) / 1000)
                                  .num("healthz_max_ms", mass.probe.max() / 1000)
                                  .done())
                         .done())
              << std::endl;
  }

 private:
  struct MassClose {
    long closed = 0, final_gauge = -1;
    CpuSpan cpu;
    Samples probe;  // /healthz round trips while the server works through the closes.
  };

  /// Closes the newest `o_.mass_close` held connections at once (all of them when 0), as after
  /// a network blip, and waits at most 120 s for the server's switchboard_ws_connections gauge
  /// to come down by that much, probing /healthz meanwhile.
  Task<MassClose> close_all(tcp::endpoint ep, HttpConn& metrics) {
    MassClose result;
    HttpConn probe(ex_, ep, "none");
    (void)co_await probe.request(http::verb::get, "/healthz");  // Connected before the storm.
    const long held = static_cast<long>(conns_.size()) - closed_;
    result.closed = o_.mass_close > 0 ? std::min(o_.mass_close, held) : held;
    const long target = held - result.closed;
    CpuMark mark(o_.server_pid);
    for (long i = 0; i < result.closed; ++i) conns_[conns_.size() - 1 - i]->close_now();
    const auto deadline = SteadyClock::now() + 120s;
    while (SteadyClock::now() < deadline) {
      const auto t0 = SteadyClock::now();
      (void)co_await probe.request(http::verb::get, "/healthz");
      result.probe.add(micros_between(t0, SteadyClock::now()));
      result.final_gauge = co_await ws_gauge(metrics);
      if (result.final_gauge >= 0 && result.final_gauge <= target) break;
      co_await sleep_for(20ms);
    }
    result.cpu = cpu_since(mark, o_.server_pid);
    co_return result;
  }

  struct Step {
    long conns = 0, rss_kib = 0, fds = 0, gauge = -1, open_failures = 0;
    double slope_kib = 0, opens_per_s = 0, cpu_s_per_1k = 0, wait_share = 0, gen_util = 0;
  };

  Task<void> open_until(tcp::endpoint ep, long target) {
    Latch latch(ex_, o_.open_parallel);
    for (long w = 0; w < o_.open_parallel; ++w) {
      auto worker = [](IdleScenario* self, tcp::endpoint ep, long target,
                       Latch* latch) -> Task<void> {
        // Each worker takes the next index until the target is reached (or opens fail).
        while (static_cast<long>(self->conns_.size()) + self->opening_ < target &&
               self->open_failures_ < 10) {
          const long index = static_cast<long>(self->conns_.size()) + self->opening_;
          ++self->opening_;
          auto conn = std::make_unique<WsConn>(self->ex_);
          try {
            co_await conn->open(ep, token_for(self->o_, "idle-" + std::to_string(index), "client"));
            --self->opening_;
            self->conns_.push_back(std::move(conn));
            spawn(self->ex_, self->hold(*self->conns_.back()), nullptr, "idle reader");
          } catch (const std::exception& e) {
            --self->opening_;
            if (self->open_failures_++ < 5) warn(std::string("open: ") + e.what());
          }
        }
        latch->done();
      };
      spawn(ex_, worker(this, ep, target, &latch), nullptr, "opener");
    }
    co_await latch.wait(600s);
  }

  /// Keeps a read pending so Beast answers the server's pings; counts closes.
  Task<void> hold(WsConn& conn) {
    for (;;) {
      std::string_view text;
      if (co_await conn.read(text)) {
        ++closed_;
        co_return;
      }
    }
  }

  /// switchboard_ws_connections from /metrics, or -1.
  Task<long> ws_gauge(HttpConn& conn) {
    try {
      auto r = co_await conn.request(http::verb::get, "/metrics");
      const std::string name = "\nswitchboard_ws_connections";
      auto at = r.body.find(name);
      if (r.status != 200 || at == std::string::npos) co_return -1;
      at = r.body.find(' ', at + 1);
      co_return at == std::string::npos ? -1 : std::strtol(r.body.c_str() + at + 1, nullptr, 10);
    } catch (const std::exception&) {
      co_return -1;
    }
  }

  const Options& o_;
  asio::any_io_executor ex_;
  std::vector<std::unique_ptr<WsConn>> conns_;
  long opening_ = 0;
  long open_failures_ = 0;
  long closed_ = 0;
};

Task<void> run(const Options& o) {
  auto ex = co_await asio::this_coro::executor;
  if (o.scenario == "setup") {
    SetupScenario s(o, ex);
    co_await s.run();
  } else if (o.scenario == "relay") {
    RelayScenario s(o, ex);
    co_await s.run();
  } else {
    IdleScenario s(o, ex);
    co_await s.run();
  }
}

}  // namespace
}  // namespace sbbench

int main(int argc, char** argv) {
  const sbbench::Options options = sbbench::parse_options(argc, argv);
  sbbench::g_trace = std::getenv("SB_BENCH_TRACE") != nullptr;
  sbbench::raise_fd_limit();
  boost::asio::io_context ioc(1);
  int rc = 0;
  boost::asio::co_spawn(ioc, sbbench::run(options), [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        std::cerr << "sb_bench: " << options.scenario << " failed: " << x.what() << "\n";
      }
      rc = 1;
    }
    ioc.stop();
  });
  ioc.run();
  return rc;
}
