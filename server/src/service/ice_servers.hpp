#pragma once
// STUN/TURN servers for browsers, with coturn `use-auth-secret` (TURN REST API) credentials:
// username "<expiry unix seconds>:<user id>", credential base64(HMAC-SHA1(secret, username)).

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/ice_profiles.hpp"

namespace sb::service {

struct IceConfig {
  std::vector<std::string> stun_urls;
  std::vector<std::string> turn_urls;
  std::string turn_secret;
  std::int64_t turn_ttl_ms = 3600 * 1000;
  /// docs/config.md#ice-server-profiles (--ice-profiles). Empty: one profile, `default`, of the
  /// URLs above.
  std::vector<IceProfile> profiles = {};
};

/// The profiles calls draw from: `config.profiles`, or the one `default` profile.
std::vector<IceProfile> ice_profiles(const IceConfig& config);

/// base64(HMAC-SHA1(secret, username)).
std::string turn_credential(const std::string& secret, const std::string& username);

/// `{"ice_servers": [...], "expires_at": "..."}` of profile `profile` for `user_id` at `now_ms`.
/// No profile, or one no longer configured (a call from before a restart with another file):
/// the first profile.
boost::json::object ice_servers_json(const IceConfig& config,
                                     const std::optional<std::string>& profile,
                                     const std::string& user_id, std::int64_t now_ms);

}  // namespace sb::service
