// libFuzzer target for the two faces the internet sees: WebSocket messages into the signaling
// hub and HTTP requests into the REST API, both over the real call service on SQLite. The first
// input byte picks the face; the rest is split into lines.
//   WebSocket: every line is one message of an already signed-in staff member (a call is
//   ringing for them, so accept/signal paths are reachable).
//   HTTP: line 1 is the method, line 2 the target, the rest the body; signed in as a client.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/dev_token.hpp"
#include "auth/jwt_verifier.hpp"
#include "bus/local/local_bus.hpp"
#include "fakes/manual_time.hpp"
#include "obs/log.hpp"
#include "rest/api.hpp"
#include "service/call_service.hpp"
#include "signaling/hub.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace {

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef-0123456789";

class FakeConnection final : public sb::net::WsConnection {
 public:
  std::uint64_t id() const override { return 1; }
  const std::string& remote_ip() const override { return ip_; }
  void send_text(std::string text) override { sent.push_back(std::move(text)); }
  void close(std::uint16_t code, std::string) override {
    closed = true;
    close_code = code;
  }
  bool is_open() const override { return !closed; }

  std::vector<std::string> sent;
  bool closed = false;
  std::uint16_t close_code = 0;

 private:
  std::string ip_ = "127.0.0.1";
};

struct World {
  World()
      : store(":memory:"),
        verifier(
            sb::auth::JwtVerifier::create({sb::auth::JwtAlgorithm::kHs256, std::string(kSecret),
                                           std::nullopt, std::nullopt, 30})
                .value()),
        calls(store, bus, scheduler, clock, {}, {{"stun:s"}, {"turn:t"}, "x", 60000}),
        api(calls, verifier, clock,
            {false, "", "/nonexistent", {1e9, 1e9}, {1e9, 1e9}, {}, {}, {}, {}}),
        hub(calls, verifier, bus, scheduler, clock, {}) {
    (void)store.migrate();
  }

  std::string token(const std::string& user, sb::auth::Role role) {
    return sb::auth::mint_hs256_token(kSecret, {user, "org", role, user, 0}, clock.now_ms() / 1000,
                                      3600);
  }

  sb::testing::ManualClock clock;
  sb::testing::ManualScheduler scheduler{clock};
  sb::bus::LocalBus bus;
  sb::storage::sqlite::SqliteStore store;
  sb::auth::JwtVerifier verifier;
  sb::service::CallService calls;
  sb::rest::Api api;
  sb::signaling::Hub hub;
};

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

void fuzz_websocket(World& w, std::string_view input) {
  auto staff = std::make_shared<FakeConnection>();
  w.hub.on_open(staff);
  w.hub.on_message(
      staff, R"({"type":"hello","token":")" + w.token("ana", sb::auth::Role::kStaff) + R"("})");
  (void)w.calls.set_my_status({"ana", "org", sb::auth::Role::kStaff, "ana", 0},
                              sb::call::StaffStatus::kAvailable);
  (void)w.calls.create_call({"cat", "org", sb::auth::Role::kClient, "cat", 0}, {});
  for (auto line : lines_of(input)) {
    if (staff->closed) break;
    w.hub.on_message(staff, line);
  }
  w.scheduler.advance(120'000);
  w.hub.on_close(staff);
}

void fuzz_http(World& w, std::string_view input) {
  auto lines = lines_of(input);
  sb::net::HttpRequest req;
  req.method = lines.size() > 0 ? std::string(lines[0]) : "GET";
  req.target = lines.size() > 1 ? std::string(lines[1]) : "/";
  req.path = req.target.substr(0, req.target.find('?'));
  if (auto q = req.target.find('?'); q != std::string::npos) req.query = req.target.substr(q + 1);
  for (std::size_t i = 2; i < lines.size(); ++i) {
    req.body += lines[i];
    req.body += '\n';
  }
  req.remote_ip = "127.0.0.1";
  req.headers["authorization"] = "Bearer " + w.token("cat", sb::auth::Role::kClient);
  (void)w.api.handle(req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    sb::obs::init_logging(sb::obs::LogFormat::kJson, sb::obs::Level::kError);
    return true;
  }();
  (void)quiet;
  if (size == 0) return 0;
  World world;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    fuzz_websocket(world, input);
  } else {
    fuzz_http(world, input);
  }
  return 0;
}
