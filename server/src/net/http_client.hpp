#pragma once
// A small outgoing HTTP/1.1 client (plain and TLS), for webhook delivery and the identity
// provider's key set. One request per connection; every request has a deadline. Redirects are
// not followed. Beast stays inside http_client.cpp.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::net {

struct HttpClientResult {
  int status = 0;     // 0 when no response came (error says why)
  std::string error;  // empty on a response, whatever its status
  std::string body = {};
  std::string cache_control = {};  // the Cache-Control header, when the response has one
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& ioc);
  ~HttpClient();

  /// POSTs `body` to `url` (http:// or https://, certificates verified against the system
  /// store). `done` runs on the io thread exactly once.
  void post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
            std::string body, std::chrono::milliseconds timeout,
            std::function<void(HttpClientResult)> done);
  /// GETs `url` the same way; bodies over 1 MiB are an error.
  void get(const std::string& url, std::chrono::milliseconds timeout,
           std::function<void(HttpClientResult)> done);

  /// Defined in http_client.cpp; public only so its request coroutine can name it.
  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::net
