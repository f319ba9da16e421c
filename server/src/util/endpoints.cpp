#include "util/endpoints.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace sb {
namespace {

template <typename View>
std::optional<HostPort> host_and_port(const View& v) {
  if (!v.has_port() || v.port().empty()) return std::nullopt;
  unsigned port = 0;
  const auto text = v.port();
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port > 65535) return std::nullopt;
  std::string host = v.host_address();
  if (host.empty()) return std::nullopt;
  // A registered name with percent-escapes or odd characters is no host anyone meant.
  if (v.host_type() == boost::urls::host_type::name) {
    for (char c : host) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
      if (!ok) return std::nullopt;
    }
  }
  return HostPort{std::move(host), static_cast<std::uint16_t>(port)};
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view text) {
  auto authority = boost::urls::parse_authority(text);
  if (!authority || authority->has_userinfo()) return std::nullopt;
  return host_and_port(*authority);
}

std::optional<RedisUrl> parse_redis_url(std::string_view text) {
  auto url = boost::urls::parse_uri(text);
  if (!url || url->scheme() != "redis" || !url->has_authority()) return std::nullopt;
  if (url->has_query() || url->has_fragment()) return std::nullopt;
  auto hp = host_and_port(*url);
  if (!hp || hp->port == 0) return std::nullopt;
  RedisUrl out{std::move(hp->host), hp->port, {}, std::nullopt, 0};
  if (url->has_userinfo()) {
    if (!url->has_password()) return std::nullopt;  // a user without a password means nothing
    out.user = url->user();
    out.password = url->password();
  }
  std::string_view path = url->encoded_path();
  if (path.starts_with('/')) path.remove_prefix(1);
  if (!path.empty()) {
    auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), out.db);
    if (ec != std::errc() || end != path.data() + path.size() || out.db < 0) return std::nullopt;
  }
  return out;
}

}  // namespace sb
