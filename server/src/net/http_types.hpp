#pragma once
// Plain HTTP and WebSocket types shared between the Beast-based server (net/) and the handlers
// (rest/, signaling/). Nothing here includes Beast, so handlers compile fast.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::net {

/// One parsed HTTP request. Header names are lower-cased.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent: "/v1/calls?state=ringing"
  std::string path;    // percent-decoded path: "/v1/calls"
  std::string query;   // raw query without '?': "state=ringing"
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote_ip;
  /// True when the declared or received body exceeded the server's limit; `body` is empty then
  /// and the handler answers 413.
  bool body_too_large = false;

  /// The header's value, or "" when absent. `name` must be lower-case.
  std::string_view header(std::string_view name) const {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string_view{} : std::string_view{it->second};
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// One open WebSocket. Owned by the server; handlers keep shared_ptrs or weak_ptrs.
/// All methods must be called on the server's io thread.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  /// Unique within this process.
  virtual std::uint64_t id() const = 0;
  virtual const std::string& remote_ip() const = 0;
  /// Queues a text frame; frames go out in order. A no-op once closing.
  virtual void send_text(std::string text) = 0;
  /// Sends a close frame with `code` after the queued frames, then drops the connection.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual bool is_open() const = 0;
};

/// Receives the life of every WebSocket of `/v1/ws`. Called on the io thread.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_open(const std::shared_ptr<WsConnection>& conn) = 0;
  virtual void on_message(const std::shared_ptr<WsConnection>& conn, std::string_view text) = 0;
  /// Called once, whatever closed it (peer, server, error, missed pings).
  virtual void on_close(const std::shared_ptr<WsConnection>& conn) = 0;
};

}  // namespace sb::net
