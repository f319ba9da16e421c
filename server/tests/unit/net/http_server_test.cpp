#include "net/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "unit/net/run_until.hpp"

namespace sb::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;
using testing::run_until;
using testing::run_until_idle;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;
using ClientRequest = http::request<http::string_body>;
using ClientResponse = http::response<http::string_body>;
using WsClient = websocket::stream<beast::tcp_stream>;

// Echoes text; "close N" closes with code N; "burst" queues two frames, closes with 4001, and
// tries a third frame that must not go out.
class RecordingWsHandler final : public WsHandler {
 public:
  void on_open(const std::shared_ptr<WsConnection>& conn) override {
    ++opens;
    opened_at = Clock::now();
    last = conn;
  }
  void on_message(const std::shared_ptr<WsConnection>& conn, std::string_view text) override {
    messages.emplace_back(text);
    if (text.starts_with("close ")) {
      conn->close(static_cast<std::uint16_t>(std::stoi(std::string(text.substr(6)))), "bye");
    } else if (text == "burst") {
      conn->send_text("one");
      conn->send_text("two");
      conn->close(4001, "unauthenticated");
      conn->send_text("three");
      was_open_after_close = conn->is_open();
    } else {
      conn->send_text(std::string(text));
    }
  }
  void on_close(const std::shared_ptr<WsConnection>& conn) override {
    ++closes_by_id[conn->id()];
    ++closes;
    closed_at = Clock::now();
  }

  int opens = 0;
  int closes = 0;
  std::map<std::uint64_t, int> closes_by_id;
  std::vector<std::string> messages;
  std::shared_ptr<WsConnection> last;
  bool was_open_after_close = true;
  Clock::time_point opened_at;
  Clock::time_point closed_at;
};

// Runs a client coroutine on the test's io_context and hands back its result.
template <class T>
std::optional<T> run_client(asio::io_context& ioc, asio::awaitable<T> task) {
  struct State {
    bool finished = false;
    std::exception_ptr error;
    std::optional<T> value;
  };
  auto state = std::make_shared<State>();
  asio::co_spawn(ioc, std::move(task), [state](std::exception_ptr e, T value) {
    state->finished = true;
    state->error = e;
    if (!e) state->value.emplace(std::move(value));
  });
  const bool finished = run_until(ioc, [&] { return state->finished; });
  EXPECT_TRUE(finished) << "client did not finish in time";
  if (state->error) std::rethrow_exception(state->error);
  return std::move(state->value);
}

asio::awaitable<beast::tcp_stream> connect(std::uint16_t port) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
  co_return stream;
}

ClientRequest make_request(http::verb verb, std::string target, std::string body = {}) {
  ClientRequest req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
  }
  req.prepare_payload();
  return req;
}

// What a client saw on one connection: the responses, then how the connection ended.
struct Exchange {
  std::vector<ClientResponse> responses;
  bool closed_by_server = false;
};

// Sends each request and reads its answer on one connection; then, if asked, waits for the server
// to close it.
asio::awaitable<Exchange> exchange(std::uint16_t port, std::vector<ClientRequest> requests,
                                   bool expect_close) {
  auto stream = co_await connect(port);
  beast::flat_buffer buffer;
  Exchange out;
  for (auto& req : requests) {
    co_await http::async_write(stream, req, asio::use_awaitable);
    ClientResponse res;
    co_await http::async_read(stream, buffer, res, asio::use_awaitable);
    out.responses.push_back(std::move(res));
  }
  if (expect_close) {
    ClientResponse extra;
    auto [ec, n] = co_await http::async_read(stream, buffer, extra, kAsTuple);
    out.closed_by_server = ec == http::error::end_of_stream;
  }
  co_return out;
}

// Writes raw bytes, reads one response and checks that the server then closes.
asio::awaitable<Exchange> raw_exchange(std::uint16_t port, std::string bytes) {
  auto stream = co_await connect(port);
  co_await asio::async_write(stream, asio::buffer(bytes), asio::use_awaitable);
  beast::flat_buffer buffer;
  Exchange out;
  ClientResponse res;
  co_await http::async_read(stream, buffer, res, asio::use_awaitable);
  out.responses.push_back(std::move(res));
  ClientResponse extra;
  auto [ec, n] = co_await http::async_read(stream, buffer, extra, kAsTuple);
  out.closed_by_server = ec == http::error::end_of_stream;
  co_return out;
}

asio::awaitable<std::unique_ptr<WsClient>> ws_connect(std::uint16_t port,
                                                      std::string path = "/v1/ws") {
  auto ws = std::make_unique<WsClient>(co_await connect(port));
  ws->read_message_max(1024 * 1024);
  co_await ws->async_handshake("127.0.0.1", path, asio::use_awaitable);
  co_return ws;
}

// Everything a WebSocket client read until the connection closed.
struct WsTranscript {
  std::vector<std::string> received;
  error_code end;
  std::uint16_t close_code = 0;
};

asio::awaitable<void> read_until_closed(WsClient& ws, WsTranscript& out) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buffer, kAsTuple);
    if (ec) {
      out.end = ec;
      out.close_code = static_cast<std::uint16_t>(ws.reason().code);
      co_return;
    }
    out.received.push_back(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
}

// Sends `messages`, then reads until the server closes.
asio::awaitable<WsTranscript> ws_send_and_read(std::uint16_t port,
                                               std::vector<std::string> messages) {
  auto ws = co_await ws_connect(port);
  for (const auto& m : messages) co_await ws->async_write(asio::buffer(m), asio::use_awaitable);
  WsTranscript out;
  co_await read_until_closed(*ws, out);
  co_return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(
        ioc_, options,
        [this](const HttpRequest& req) {
          requests_.push_back(req);
          return respond_(req);
        },
        ws_);
    std::string error;
    ASSERT_TRUE(server_->start(error)) << error;
    ASSERT_NE(server_->port(), 0);
  }

  void TearDown() override {
    if (!server_) return;
    server_->stop();
    EXPECT_TRUE(run_until_idle(ioc_)) << "the io_context did not wind down after stop()";
    server_.reset();
  }

  std::uint16_t port() const { return server_->port(); }

  asio::io_context ioc_;
  RecordingWsHandler ws_;
  std::vector<HttpRequest> requests_;
  std::function<HttpResponse(const HttpRequest&)> respond_ = [](const HttpRequest& req) {
    HttpResponse res;
    if (req.body_too_large) {
      res.status = 413;
      res.body = R"({"error":{"code":"payload_too_large"}})";
      return res;
    }
    res.status = req.method == "POST" ? 201 : 200;
    res.headers.emplace_back("X-Request-Id", "req-1");
    res.body = req.method == "POST" ? req.body : R"({"ok":true})";
    return res;
  };
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, GetRoundTripCarriesRequestPartsAndResponseHeaders) {
  start();
  auto req = make_request(http::verb::get, "/v1/calls%20x/a%2Fb?state=ringing&limit=5");
  req.set("X-Custom-Header", "Value 1");
  auto result = run_client(ioc_, exchange(port(), {req}, false));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->responses.size(), 1u);
  const auto& res = result->responses[0];
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res["X-Request-Id"], "req-1");
  EXPECT_EQ(res[http::field::content_length], "11");
  EXPECT_EQ(res.body(), R"({"ok":true})");
  EXPECT_TRUE(res.keep_alive());

  ASSERT_EQ(requests_.size(), 1u);
  const auto& seen = requests_[0];
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/v1/calls%20x/a%2Fb?state=ringing&limit=5");
  EXPECT_EQ(seen.path, "/v1/calls x/a/b");
  EXPECT_EQ(seen.query, "state=ringing&limit=5");
  EXPECT_EQ(seen.header("x-custom-header"), "Value 1");
  EXPECT_EQ(seen.header("host"), "127.0.0.1");
  EXPECT_EQ(seen.remote_ip, "127.0.0.1");
  EXPECT_FALSE(seen.body_too_large);
  EXPECT_TRUE(seen.body.empty());
}

TEST_F(HttpServerTest, PostRoundTripDeliversTheBody) {
  start();
  const std::string body = R"({"media":"video","metadata":{"k":"v"}})";
  auto result = run_client(
      ioc_, exchange(port(), {make_request(http::verb::post, "/v1/calls", body)}, false));
  ASSERT_TRUE(result);
  const auto& res = result->responses.at(0);
  EXPECT_EQ(res.result_int(), 201u);
  EXPECT_EQ(res.body(), body);
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].method, "POST");
  EXPECT_EQ(requests_[0].body, body);
  EXPECT_EQ(requests_[0].header("content-type"), "application/json");
}

TEST_F(HttpServerTest, BodyOverTheLimitGetsTheHandlers413AndTheConnectionCloses) {
  start();
  const std::string body(65 * 1024, 'x');
  auto result =
      run_client(ioc_, exchange(port(), {make_request(http::verb::post, "/v1/calls", body)}, true));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 413u);
  EXPECT_FALSE(result->responses.at(0).keep_alive());
  EXPECT_TRUE(result->closed_by_server);
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_TRUE(requests_[0].body_too_large);
  EXPECT_TRUE(requests_[0].body.empty());
  EXPECT_EQ(requests_[0].path, "/v1/calls");
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitGetsThe413Too) {
  start();
  auto req = make_request(http::verb::post, "/v1/calls", std::string(65 * 1024, 'y'));
  req.erase(http::field::content_length);
  req.chunked(true);
  auto result = run_client(ioc_, exchange(port(), {req}, true));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 413u);
  EXPECT_TRUE(result->closed_by_server);
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_TRUE(requests_[0].body_too_large);
  EXPECT_TRUE(requests_[0].body.empty());
}

TEST_F(HttpServerTest, BodyAtTheLimitIsAccepted) {
  start();
  const std::string body(64 * 1024, 'z');
  auto result = run_client(
      ioc_, exchange(port(), {make_request(http::verb::post, "/v1/calls", body)}, false));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 201u);
  EXPECT_EQ(result->responses.at(0).body().size(), body.size());
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneSocket) {
  start();
  auto result = run_client(ioc_, exchange(port(),
                                          {make_request(http::verb::get, "/healthz"),
                                           make_request(http::verb::post, "/v1/calls", "{}")},
                                          false));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->responses.size(), 2u);
  EXPECT_EQ(result->responses[0].result_int(), 200u);
  EXPECT_EQ(result->responses[1].result_int(), 201u);
  EXPECT_EQ(result->responses[1].body(), "{}");
  ASSERT_EQ(requests_.size(), 2u);
  EXPECT_EQ(requests_[0].path, "/healthz");
  EXPECT_EQ(requests_[1].path, "/v1/calls");
}

TEST_F(HttpServerTest, ConnectionCloseRequestIsAnsweredThenClosed) {
  start();
  auto req = make_request(http::verb::get, "/healthz");
  req.keep_alive(false);
  auto result = run_client(ioc_, exchange(port(), {req}, true));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 200u);
  EXPECT_TRUE(result->closed_by_server);
}

TEST_F(HttpServerTest, MalformedRequestGets400AndTheConnectionCloses) {
  start();
  auto result = run_client(ioc_, raw_exchange(port(), "this is not http\r\n\r\n"));
  ASSERT_TRUE(result);
  const auto& res = result->responses.at(0);
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(
      res.body(),
      R"({"error":{"code":"invalid_request","message":"The request could not be read.","retryable":false}})");
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_FALSE(res["X-Request-Id"].empty());
  EXPECT_TRUE(result->closed_by_server);
  EXPECT_TRUE(requests_.empty());
}

TEST_F(HttpServerTest, BrokenPercentEscapeGets400) {
  start();
  auto result =
      run_client(ioc_, exchange(port(), {make_request(http::verb::get, "/v1/%zz")}, true));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 400u);
  EXPECT_TRUE(result->closed_by_server);
  EXPECT_TRUE(requests_.empty());
}

TEST_F(HttpServerTest, OversizedHeaderGets400) {
  start();
  auto req = make_request(http::verb::get, "/healthz");
  req.set("X-Big", std::string(17 * 1024, 'h'));
  auto result = run_client(ioc_, exchange(port(), {req}, true));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 400u);
  EXPECT_TRUE(result->closed_by_server);
  EXPECT_TRUE(requests_.empty());
}

TEST_F(HttpServerTest, HeaderUnderTheLimitWithALongTokenReachesTheHandler) {
  start();
  auto req = make_request(http::verb::get, "/v1/calls");
  req.set(http::field::authorization, "Bearer " + std::string(12 * 1024, 't'));
  auto result = run_client(ioc_, exchange(port(), {req}, false));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 200u);
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].header("authorization").size(), 7 + 12 * 1024u);
}

TEST_F(HttpServerTest, AuthorizationOverTheHeaderLimitIsUnauthenticated) {
  start();
  auto req = make_request(http::verb::get, "/v1/calls");
  req.set(http::field::authorization, "Bearer " + std::string(40 * 1024, 't'));
  auto result = run_client(ioc_, exchange(port(), {req}, true));
  ASSERT_TRUE(result);
  const auto& res = result->responses.at(0);
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_NE(res.body().find(R"("code":"unauthenticated")"), std::string::npos) << res.body();
  EXPECT_FALSE(res["X-Request-Id"].empty());
  EXPECT_TRUE(result->closed_by_server);
  EXPECT_TRUE(requests_.empty());
}

TEST_F(HttpServerTest, ConnectionsBeyondThePerIpCapGet503WithRetryAfterUntilOneCloses) {
  ServerOptions options;
  options.max_connections_per_ip = 1;
  start(options);
  auto held = std::make_unique<tcp::socket>(ioc_);
  held->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
  auto refused = run_client(ioc_, exchange(port(), {make_request(http::verb::get, "/x")}, true));
  ASSERT_TRUE(refused);
  const auto& res = refused->responses.at(0);
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(res["Retry-After"], "1");
  EXPECT_FALSE(res["X-Request-Id"].empty());
  EXPECT_NE(res.body().find(R"("code":"unavailable")"), std::string::npos) << res.body();
  EXPECT_TRUE(refused->closed_by_server);
  EXPECT_TRUE(requests_.empty());

  held.reset();  // Its place is given back once the server sees it closed.
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    auto again = run_client(ioc_, exchange(port(), {make_request(http::verb::get, "/x")}, false));
    served = again && again->responses.at(0).result_int() == 200u;
  }
  EXPECT_TRUE(served);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheTotalCapGet503) {
  ServerOptions options;
  options.max_connections = 2;
  std::vector<std::string> refusals;
  options.on_connection_refused = [&](std::string_view cap) { refusals.emplace_back(cap); };
  start(options);
  tcp::socket first(ioc_);
  tcp::socket second(ioc_);
  first.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
  second.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
  auto refused = run_client(ioc_, exchange(port(), {make_request(http::verb::get, "/x")}, true));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->responses.at(0).result_int(), 503u);
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(refusals, std::vector<std::string>{"total"});
}

ServerOptions trusting(std::string_view proxies) {
  ServerOptions options;
  std::string problem;
  options.trusted_proxies = TrustedProxies::parse(proxies, &problem).value();
  return options;
}

ClientRequest forwarded_for(std::string_view xff) {
  auto req = make_request(http::verb::get, "/x");
  req.set("X-Forwarded-For", xff);
  return req;
}

TEST_F(HttpServerTest, BehindATrustedProxyTheHandlerSeesTheForwardedClient) {
  start(trusting("127.0.0.0/8"));
  auto result = run_client(
      ioc_, exchange(port(),
                     {forwarded_for("6.6.6.6, 198.51.100.7"), forwarded_for("2001:db8::1"),
                      forwarded_for("nonsense"), make_request(http::verb::get, "/x")},
                     false));
  ASSERT_TRUE(result);
  ASSERT_EQ(requests_.size(), 4u);
  EXPECT_EQ(requests_[0].remote_ip, "198.51.100.7");
  EXPECT_EQ(requests_[1].remote_ip, "2001:db8::1");
  EXPECT_EQ(requests_[2].remote_ip, "127.0.0.1");
  EXPECT_EQ(requests_[3].remote_ip, "127.0.0.1");
}

TEST_F(HttpServerTest, AnUntrustedPeersForwardedForIsIgnored) {
  start(trusting("10.0.0.0/8"));
  auto result = run_client(ioc_, exchange(port(), {forwarded_for("198.51.100.7")}, false));
  ASSERT_TRUE(result);
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].remote_ip, "127.0.0.1");
}

TEST_F(HttpServerTest, BehindATrustedProxyThePerIpCapCountsForwardedClients) {
  auto options = trusting("127.0.0.1");
  options.max_connections_per_ip = 1;
  std::vector<std::string> refusals;
  options.on_connection_refused = [&](std::string_view cap) { refusals.emplace_back(cap); };
  start(options);
  // The proxy's own address is not capped: a WebSocket of one client holds a connection...
  auto task = [](std::uint16_t port) -> asio::awaitable<std::unique_ptr<WsClient>> {
    auto ws = std::make_unique<WsClient>(co_await connect(port));
    ws->set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set("X-Forwarded-For", "198.51.100.7"); }));
    co_await ws->async_handshake("127.0.0.1", "/v1/ws", asio::use_awaitable);
    co_return ws;
  };
  auto ws = run_client(ioc_, task(port()));
  ASSERT_TRUE(ws && *ws);
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.opens == 1; }));
  EXPECT_EQ(ws_.last->remote_ip(), "198.51.100.7");
  // ...another client is served...
  auto other = run_client(ioc_, exchange(port(), {forwarded_for("198.51.100.8")}, false));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->responses.at(0).result_int(), 200u);
  // ...and the same client again is over its cap.
  auto refused = run_client(ioc_, exchange(port(), {forwarded_for("198.51.100.7")}, true));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->responses.at(0).result_int(), 503u);
  EXPECT_EQ(refused->responses.at(0)["Retry-After"], "1");
  EXPECT_TRUE(refused->closed_by_server);
  EXPECT_EQ(refusals, std::vector<std::string>{"per_ip"});
  EXPECT_EQ(requests_.size(), 1u);
}

TEST_F(HttpServerTest, HeadIsServedAsGetWithoutTheBody) {
  start();
  auto task = [](std::uint16_t port) -> asio::awaitable<http::response<http::empty_body>> {
    auto stream = co_await connect(port);
    auto req = make_request(http::verb::head, "/healthz");
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // A response to HEAD has no body whatever its Content-Length says.
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    co_return parser.release();
  };
  auto res = run_client(ioc_, task(port()));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ((*res)[http::field::content_length], "11");
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].method, "GET");
}

// A fault in the server is `unavailable` (docs/errors.md has no other code for it).
TEST_F(HttpServerTest, HandlerExceptionBecomesUnavailable) {
  start();
  respond_ = [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); };
  auto result =
      run_client(ioc_, exchange(port(), {make_request(http::verb::get, "/healthz")}, false));
  ASSERT_TRUE(result);
  const auto& res = result->responses.at(0);
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(
      res.body(),
      R"({"error":{"code":"unavailable","message":"Something went wrong on our side.","retryable":true}})");
  EXPECT_FALSE(res["X-Request-Id"].empty());
}

TEST_F(HttpServerTest, StatusOutOfRangeBecomesUnavailable) {
  start();
  respond_ = [](const HttpRequest&) {
    HttpResponse res;
    res.status = 42;
    return res;
  };
  auto result =
      run_client(ioc_, exchange(port(), {make_request(http::verb::get, "/healthz")}, false));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 503u);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterTheTimeout) {
  ServerOptions options;
  options.http_idle_timeout = 200ms;
  start(options);
  auto task = [](std::uint16_t port) -> asio::awaitable<bool> {
    auto stream = co_await connect(port);
    std::array<char, 16> scratch{};
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAsTuple);
    co_return ec == asio::error::eof;
  };
  const auto begin = Clock::now();
  auto closed = run_client(ioc_, task(port()));
  ASSERT_TRUE(closed);
  EXPECT_TRUE(*closed);
  EXPECT_GE(Clock::now() - begin, 150ms);
}

TEST_F(HttpServerTest, NonUpgradeRequestOnTheWsPathGoesToTheHttpHandler) {
  start();
  auto result =
      run_client(ioc_, exchange(port(), {make_request(http::verb::get, "/v1/ws")}, false));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses.at(0).result_int(), 200u);
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].path, "/v1/ws");
  EXPECT_EQ(ws_.opens, 0);
}

TEST_F(HttpServerTest, WebSocketEchoesTextAndReportsCloseOnce) {
  start();
  auto task = [](HttpServer& server, RecordingWsHandler& handler,
                 std::uint16_t port) -> asio::awaitable<std::vector<std::string>> {
    auto ws = co_await ws_connect(port);
    std::vector<std::string> seen;
    seen.push_back(std::to_string(server.ws_count()));
    seen.push_back(handler.last ? handler.last->remote_ip() : "");
    seen.push_back(handler.last && handler.last->is_open() ? "open" : "not open");
    const std::vector<std::string> texts{"hello", "world"};
    for (const auto& text : texts) {
      co_await ws->async_write(asio::buffer(text), asio::use_awaitable);
      beast::flat_buffer buffer;
      co_await ws->async_read(buffer, asio::use_awaitable);
      seen.push_back(beast::buffers_to_string(buffer.data()));
    }
    co_await ws->async_close(websocket::close_code::normal, asio::use_awaitable);
    co_return seen;
  };
  auto seen = run_client(ioc_, task(*server_, ws_, port()));
  ASSERT_TRUE(seen);
  EXPECT_EQ(*seen, (std::vector<std::string>{"1", "127.0.0.1", "open", "hello", "world"}));
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.closes == 1; }));
  EXPECT_EQ(server_->ws_count(), 0u);
  EXPECT_FALSE(ws_.last->is_open());
  ws_.last->send_text("too late");  // A no-op on a closed connection.

  server_->stop();
  EXPECT_TRUE(run_until_idle(ioc_));
  EXPECT_EQ(ws_.opens, 1);
  EXPECT_EQ(ws_.closes, 1);
  ASSERT_EQ(ws_.closes_by_id.size(), 1u);
  EXPECT_EQ(ws_.closes_by_id.begin()->second, 1);
}

TEST_F(HttpServerTest, WebSocketMessageOverTheLimitClosesWith1009) {
  start();
  auto task = [](std::uint16_t port) -> asio::awaitable<WsTranscript> {
    auto ws = co_await ws_connect(port);
    WsTranscript out;
    const std::string small = "small";
    co_await ws->async_write(asio::buffer(small), asio::use_awaitable);
    beast::flat_buffer buffer;
    co_await ws->async_read(buffer, asio::use_awaitable);
    out.received.push_back(beast::buffers_to_string(buffer.data()));
    const std::string big(65 * 1024, 'm');
    co_await ws->async_write(asio::buffer(big), asio::use_awaitable);
    co_await read_until_closed(*ws, out);
    co_return out;
  };
  auto transcript = run_client(ioc_, task(port()));
  ASSERT_TRUE(transcript);
  EXPECT_EQ(transcript->received, (std::vector<std::string>{"small"}));
  EXPECT_EQ(transcript->end, websocket::error::closed);
  EXPECT_EQ(transcript->close_code, 1009);
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.closes == 1; }));
  EXPECT_EQ(ws_.messages, (std::vector<std::string>{"small"}));
}

// Beast's own limit would close the socket with most of the frame unread: the peer, still
// sending, would see a reset instead of the close frame.
TEST_F(HttpServerTest, WebSocketMessageFarOverTheLimitStillGetsThe1009CloseFrame) {
  start();
  auto task = [](std::uint16_t port) -> asio::awaitable<WsTranscript> {
    auto ws = co_await ws_connect(port);
    WsTranscript out;
    const std::string huge(8 * 1024 * 1024, 'h');
    // The server may close before all of it is taken; what matters is what it answers.
    co_await ws->async_write(asio::buffer(huge), kAsTuple);
    co_await read_until_closed(*ws, out);
    co_return out;
  };
  auto transcript = run_client(ioc_, task(port()));
  ASSERT_TRUE(transcript);
  EXPECT_TRUE(transcript->received.empty());
  EXPECT_EQ(transcript->end, websocket::error::closed);
  EXPECT_EQ(transcript->close_code, 1009);
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.closes == 1; }));
  EXPECT_TRUE(ws_.messages.empty());
}

TEST_F(HttpServerTest, ServerCloseWithCodeReachesTheClient) {
  start();
  auto transcript = run_client(ioc_, ws_send_and_read(port(), {"close 4001"}));
  ASSERT_TRUE(transcript);
  EXPECT_TRUE(transcript->received.empty());
  EXPECT_EQ(transcript->end, websocket::error::closed);
  EXPECT_EQ(transcript->close_code, 4001);
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.closes == 1; }));
}

TEST_F(HttpServerTest, ServerCloseGoesOutAfterTheQueuedFrames) {
  start();
  auto transcript = run_client(ioc_, ws_send_and_read(port(), {"burst", "ignored after close"}));
  ASSERT_TRUE(transcript);
  EXPECT_EQ(transcript->received, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(transcript->close_code, 4001);
  EXPECT_FALSE(ws_.was_open_after_close);
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.closes == 1; }));
  EXPECT_EQ(ws_.messages, (std::vector<std::string>{"burst"}));
}

TEST_F(HttpServerTest, BinaryFrameClosesWith1003) {
  start();
  auto task = [](std::uint16_t port) -> asio::awaitable<WsTranscript> {
    auto ws = co_await ws_connect(port);
    ws->binary(true);
    const std::string data = "\x01\x02";
    co_await ws->async_write(asio::buffer(data), asio::use_awaitable);
    WsTranscript out;
    co_await read_until_closed(*ws, out);
    co_return out;
  };
  auto transcript = run_client(ioc_, task(port()));
  ASSERT_TRUE(transcript);
  EXPECT_EQ(transcript->close_code, 1003);
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.closes == 1; }));
  EXPECT_TRUE(ws_.messages.empty());
}

TEST_F(HttpServerTest, SilentPeerIsDroppedAfterTwoPingIntervals) {
  ServerOptions options;
  options.ws_ping_interval = 200ms;
  start(options);
  // A raw TCP client: it completes the upgrade and then never reads or answers anything.
  auto task = [](std::uint16_t port) -> asio::awaitable<std::unique_ptr<beast::tcp_stream>> {
    auto stream = std::make_unique<beast::tcp_stream>(co_await connect(port));
    const std::string upgrade =
        "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    co_await asio::async_write(*stream, asio::buffer(upgrade), asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    co_await http::async_read_header(*stream, buffer, parser, asio::use_awaitable);
    if (parser.get().result() != http::status::switching_protocols) co_return nullptr;
    co_return stream;
  };
  auto silent = run_client(ioc_, task(port()));
  ASSERT_TRUE(silent && *silent);
  ASSERT_EQ(ws_.opens, 1);

  ASSERT_TRUE(run_until(
      ioc_, [&] { return ws_.closes == 1; }, 3s));
  const auto lived = ws_.closed_at - ws_.opened_at;
  EXPECT_GE(lived, 300ms);
  EXPECT_LT(lived, 1500ms);
  EXPECT_EQ(server_->ws_count(), 0u);
}

TEST_F(HttpServerTest, PeerThatAnswersPingsStaysConnected) {
  ServerOptions options;
  options.ws_ping_interval = 100ms;
  start(options);
  auto ws = run_client(ioc_, ws_connect(port()));
  ASSERT_TRUE(ws && *ws);
  // Beast answers pings while a read is pending.
  WsTranscript transcript;
  bool reader_done = false;
  asio::co_spawn(ioc_, read_until_closed(**ws, transcript),
                 [&](std::exception_ptr) { reader_done = true; });
  // Ten ping intervals without any message of ours: only the pongs keep it alive.
  EXPECT_FALSE(run_until(
      ioc_, [&] { return ws_.closes > 0; }, 1s));
  EXPECT_EQ(server_->ws_count(), 1u);

  server_->stop();
  ASSERT_TRUE(run_until(ioc_, [&] { return reader_done; }));
  EXPECT_EQ(transcript.close_code, 1001);
}

TEST_F(HttpServerTest, StopClosesWebSocketsWithGoingAwayAndWindsDown) {
  start();
  auto ws = run_client(ioc_, ws_connect(port()));
  ASSERT_TRUE(ws && *ws);
  // An idle keep-alive HTTP connection must not hold the shutdown up either. One request first,
  // so the server has surely accepted it before stop().
  auto served = [](std::uint16_t port) -> asio::awaitable<std::unique_ptr<beast::tcp_stream>> {
    auto stream = std::make_unique<beast::tcp_stream>(co_await connect(port));
    auto req = make_request(http::verb::get, "/healthz");
    co_await http::async_write(*stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    ClientResponse res;
    co_await http::async_read(*stream, buffer, res, asio::use_awaitable);
    co_return stream;
  };
  auto idle = run_client(ioc_, served(port()));
  ASSERT_TRUE(idle && *idle);
  ASSERT_TRUE(run_until(ioc_, [&] { return server_->ws_count() == 1; }));

  WsTranscript transcript;
  bool reader_done = false;
  asio::co_spawn(ioc_, read_until_closed(**ws, transcript),
                 [&](std::exception_ptr) { reader_done = true; });
  bool idle_closed = false;
  auto wait_close = [](beast::tcp_stream& stream, bool& closed) -> asio::awaitable<void> {
    std::array<char, 16> scratch{};
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAsTuple);
    closed = ec == asio::error::eof;
  };
  asio::co_spawn(ioc_, wait_close(**idle, idle_closed), asio::detached);

  server_->stop();
  ASSERT_TRUE(run_until(ioc_, [&] { return reader_done && idle_closed; }));
  EXPECT_EQ(transcript.close_code, 1001);
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.closes == 1; }));
  EXPECT_EQ(server_->ws_count(), 0u);
  ws->reset();
  idle.reset();
  EXPECT_TRUE(run_until_idle(ioc_));

  // No new connections once stopped.
  auto refused = [](std::uint16_t port) -> asio::awaitable<bool> {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    auto [ec] = co_await stream.async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kAsTuple);
    co_return ec == asio::error::connection_refused;
  };
  auto was_refused = run_client(ioc_, refused(port()));
  ASSERT_TRUE(was_refused);
  EXPECT_TRUE(*was_refused);
}

TEST_F(HttpServerTest, DestroyingTheServerReportsOpenWebSocketsClosed) {
  start();
  auto ws = run_client(ioc_, ws_connect(port()));
  ASSERT_TRUE(ws && *ws);
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_.opens == 1; }));
  server_.reset();
  EXPECT_EQ(ws_.closes, 1);
  ws->reset();
  // The handler still holds the connection; that must not hold the io_context up.
  const auto begin = Clock::now();
  EXPECT_TRUE(run_until_idle(ioc_));
  EXPECT_LT(Clock::now() - begin, 1s);
  EXPECT_EQ(ws_.closes, 1);
}

TEST_F(HttpServerTest, StartFailsWhenThePortIsTaken) {
  start();
  ServerOptions options;
  options.port = port();
  HttpServer second(ioc_, options, respond_, ws_);
  std::string error;
  EXPECT_FALSE(second.start(error));
  EXPECT_NE(error.find("bind"), std::string::npos) << error;
}

}  // namespace
}  // namespace sb::net
