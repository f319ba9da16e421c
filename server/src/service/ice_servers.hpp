#pragma once
// STUN/TURN servers for browsers, with coturn `use-auth-secret` (TURN REST API) credentials:
// username "<expiry unix seconds>:<user id>", credential base64(HMAC-SHA1(secret, username)).

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace sb::service {

struct IceConfig {
  std::vector<std::string> stun_urls;
  std::vector<std::string> turn_urls;
  std::string turn_secret;
  std::int64_t turn_ttl_ms = 3600 * 1000;
};

/// base64(HMAC-SHA1(secret, username)).
std::string turn_credential(const std::string& secret, const std::string& username);

/// `{"ice_servers": [...], "expires_at": "..."}` for `user_id` at `now_ms`.
boost::json::object ice_servers_json(const IceConfig& config, const std::string& user_id,
                                     std::int64_t now_ms);

}  // namespace sb::service
