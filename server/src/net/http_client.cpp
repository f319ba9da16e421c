#include "net/http_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

namespace sb::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Webhook receivers answer with a short body; anything larger is not read.
constexpr std::size_t kMaxPostResponseBody = 64 * 1024;
// Key sets are a few KiB; Entra ID's, with certificate chains, stays well under this.
constexpr std::size_t kMaxGetResponseBody = 1024 * 1024;

struct Target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string path;
};

bool parse_target(const std::string& url, Target& out, std::string& error) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    error = "bad url";
    return false;
  }
  const auto scheme = parsed->scheme();
  if (scheme != "http" && scheme != "https") {
    error = "url scheme must be http or https";
    return false;
  }
  out.tls = scheme == "https";
  out.host = parsed->host();
  out.port = parsed->has_port() ? std::string(parsed->port()) : (out.tls ? "443" : "80");
  out.path = parsed->encoded_target().empty() ? "/" : std::string(parsed->encoded_target());
  return true;
}

template <typename Stream>
asio::awaitable<HttpClientResult> exchange(Stream& stream, http::request<http::string_body>& req) {
  auto [wec, written] = co_await http::async_write(stream, req, kAsTuple);
  if (wec) co_return HttpClientResult{0, "write: " + wec.message()};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(req.method() == http::verb::get ? kMaxGetResponseBody : kMaxPostResponseBody);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, kAsTuple);
  if (rec) co_return HttpClientResult{0, "read: " + rec.message()};
  auto response = parser.release();
  HttpClientResult result;
  result.status = static_cast<int>(response.result_int());
  result.cache_control = std::string(response[http::field::cache_control]);
  result.body = std::move(response.body());
  co_return result;
}

}  // namespace

struct HttpClient::Impl {
  explicit Impl(asio::io_context& io) : ioc(io), tls(asio::ssl::context::tls_client) {
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
  }
  asio::io_context& ioc;
  asio::ssl::context tls;
};

// One request on a fresh connection.
asio::awaitable<HttpClientResult> send_request(std::shared_ptr<HttpClient::Impl> impl,
                                               Target target, http::request<http::string_body> req,
                                               std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(target.host, target.port, kAsTuple);
  if (rec) co_return HttpClientResult{0, "resolve: " + rec.message()};
  if (!target.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    auto [cec, ep] = co_await stream.async_connect(endpoints, kAsTuple);
    if (cec) co_return HttpClientResult{0, "connect: " + cec.message()};
    auto result = co_await exchange(stream, req);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return result;
  }
  beast::ssl_stream<beast::tcp_stream> stream(executor, impl->tls);
  // SNI and host name verification.
  SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [cec, ep] = co_await beast::get_lowest_layer(stream).async_connect(endpoints, kAsTuple);
  if (cec) co_return HttpClientResult{0, "connect: " + cec.message()};
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kAsTuple);
  if (hec) co_return HttpClientResult{0, "tls: " + hec.message()};
  co_return co_await exchange(stream, req);
}

namespace {

void send(const std::shared_ptr<HttpClient::Impl>& impl, http::verb method, const std::string& url,
          const std::vector<std::pair<std::string, std::string>>& headers, std::string body,
          std::chrono::milliseconds timeout, std::function<void(HttpClientResult)> done) {
  Target target;
  std::string error;
  if (!parse_target(url, target, error)) {
    asio::post(impl->ioc, [done = std::move(done), error] { done({0, error}); });
    return;
  }
  http::request<http::string_body> req{method, target.path, 11};
  req.set(http::field::host, target.host);
  req.set(http::field::user_agent,
          method == http::verb::post ? "switchboard-webhooks/1" : "switchboard/1");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (method == http::verb::post) {
    req.body() = std::move(body);
    req.prepare_payload();
  }

  // Arguments, not lambda captures: a coroutine keeps its parameters in its own frame.
  asio::co_spawn(impl->ioc, send_request(impl, std::move(target), std::move(req), timeout),
                 [done = std::move(done)](std::exception_ptr e, HttpClientResult result) {
                   if (e) result = {0, "unexpected failure"};
                   done(std::move(result));
                 });
}

}  // namespace

HttpClient::HttpClient(asio::io_context& ioc) : impl_(std::make_shared<Impl>(ioc)) {}
HttpClient::~HttpClient() = default;

void HttpClient::post(const std::string& url,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::string body, std::chrono::milliseconds timeout,
                      std::function<void(HttpClientResult)> done) {
  send(impl_, http::verb::post, url, headers, std::move(body), timeout, std::move(done));
}

void HttpClient::get(const std::string& url, std::chrono::milliseconds timeout,
                     std::function<void(HttpClientResult)> done) {
  send(impl_, http::verb::get, url, {{"accept", "application/json"}}, "", timeout, std::move(done));
}

}  // namespace sb::net
