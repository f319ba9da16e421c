#pragma once
// The addresses the server is given on its command line, parsed with Boost.URL: `--listen`
// (host:port) and `--redis` (redis://[[user]:password@]host:port[/db]).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  std::uint16_t port = 0;
};

/// "host:port", "1.2.3.4:port" or "[v6]:port"; port 0 is allowed (any free port).
std::optional<HostPort> parse_host_port(std::string_view text);

struct RedisUrl {
  std::string host;
  std::uint16_t port = 0;
  /// For AUTH: Redis 6 ACL user (empty: the default user) and password.
  std::string user;
  std::optional<std::string> password;
  /// SELECT'ed after connecting. Pub/sub ignores it, but a URL naming one is still honoured.
  int db = 0;
};

/// `redis://[[user]:password@]host:port[/db]`; nullopt for anything else (another scheme, no
/// port, a query or fragment, a path that is not a number).
std::optional<RedisUrl> parse_redis_url(std::string_view text);

}  // namespace sb
