#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "unit/net/run_until.hpp"

namespace sb::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using testing::run_until;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Answers one request on 127.0.0.1 with `response`, or never answers when it is empty.
class OneShotServer {
 public:
  explicit OneShotServer(asio::io_context& ioc)
      : acceptor_(ioc, {asio::ip::make_address("127.0.0.1"), 0}) {}

  std::string url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) +
           std::string(target);
  }

  void serve(std::optional<http::response<http::string_body>> response) {
    asio::co_spawn(acceptor_.get_executor(), run(std::move(response)), asio::detached);
  }

  std::optional<http::request<http::string_body>> received;

 private:
  asio::awaitable<void> run(std::optional<http::response<http::string_body>> response) {
    auto [aec, socket] = co_await acceptor_.async_accept(kAsTuple);
    if (aec) co_return;
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    auto [rec, n] = co_await http::async_read(stream, buffer, req, kAsTuple);
    if (rec) co_return;
    received = std::move(req);
    if (!response) {
      // Hold the connection open without answering, until the client gives up.
      asio::steady_timer wait(stream.get_executor(), 5s);
      co_await wait.async_wait(kAsTuple);
      co_return;
    }
    response->prepare_payload();
    co_await http::async_write(stream, *response, kAsTuple);
  }

  tcp::acceptor acceptor_;
};

http::response<http::string_body> answer(http::status status, std::string body) {
  http::response<http::string_body> res{status, 11};
  res.body() = std::move(body);
  return res;
}

TEST(HttpClient, GetReturnsStatusBodyAndCacheControl) {
  asio::io_context ioc;
  OneShotServer server(ioc);
  auto res = answer(http::status::ok, R"({"keys":[]})");
  res.set(http::field::cache_control, "public, max-age=600");
  server.serve(std::move(res));
  HttpClient client(ioc);
  std::optional<HttpClientResult> result;
  client.get(server.url("/realms/r/certs?x=1"), 2s, [&](HttpClientResult r) { result = r; });
  ASSERT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->error, "");
  EXPECT_EQ(result->body, R"({"keys":[]})");
  EXPECT_EQ(result->cache_control, "public, max-age=600");
  ASSERT_TRUE(server.received);
  EXPECT_EQ(server.received->method(), http::verb::get);
  EXPECT_EQ(server.received->target(), "/realms/r/certs?x=1");
  EXPECT_EQ(server.received->body(), "");
}

TEST(HttpClient, PostSendsTheBodyAndReportsANon2xxStatus) {
  asio::io_context ioc;
  OneShotServer server(ioc);
  server.serve(answer(http::status::service_unavailable, "down"));
  HttpClient client(ioc);
  std::optional<HttpClientResult> result;
  client.post(server.url("/hook"), {{"x-signature", "abc"}}, "payload", 2s,
              [&](HttpClientResult r) { result = r; });
  ASSERT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
  EXPECT_EQ(result->status, 503);
  ASSERT_TRUE(server.received);
  EXPECT_EQ(server.received->method(), http::verb::post);
  EXPECT_EQ(server.received->body(), "payload");
  EXPECT_EQ((*server.received)["x-signature"], "abc");
}

TEST(HttpClient, AGetBodyOverOneMebibyteIsAnError) {
  asio::io_context ioc;
  OneShotServer server(ioc);
  server.serve(answer(http::status::ok, std::string(1024 * 1024 + 1, 'x')));
  HttpClient client(ioc);
  std::optional<HttpClientResult> result;
  client.get(server.url("/jwks"), 2s, [&](HttpClientResult r) { result = r; });
  ASSERT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
  EXPECT_EQ(result->status, 0);
  EXPECT_TRUE(result->error.starts_with("read: ")) << result->error;
}

TEST(HttpClient, GivesUpAtTheDeadline) {
  asio::io_context ioc;
  OneShotServer server(ioc);
  server.serve(std::nullopt);
  HttpClient client(ioc);
  std::optional<HttpClientResult> result;
  const auto started = std::chrono::steady_clock::now();
  client.get(server.url("/slow"), 200ms, [&](HttpClientResult r) { result = r; });
  ASSERT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
  EXPECT_EQ(result->status, 0);
  EXPECT_FALSE(result->error.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST(HttpClient, RefusesAUrlThatIsNotHttp) {
  asio::io_context ioc;
  HttpClient client(ioc);
  std::optional<HttpClientResult> result;
  client.get("file:///etc/passwd", 1s, [&](HttpClientResult r) { result = r; });
  ASSERT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
  EXPECT_EQ(result->status, 0);
  EXPECT_EQ(result->error, "url scheme must be http or https");
}

}  // namespace
}  // namespace sb::net
