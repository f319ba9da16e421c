#include "service/ice_servers.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/json.hpp>

#include "util/clock.hpp"

namespace sb::service {

std::vector<IceProfile> ice_profiles(const IceConfig& config) {
  if (!config.profiles.empty()) return config.profiles;
  return {IceProfile{std::string(kDefaultIceProfile), 1, config.stun_urls, config.turn_urls}};
}

std::string turn_credential(const std::string& secret, const std::string& username) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(username.data()), username.size(), mac, &mac_len);
  std::string out(4 * ((mac_len + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

boost::json::object ice_servers_json(const IceConfig& config,
                                     const std::optional<std::string>& profile,
                                     const std::string& user_id, std::int64_t now_ms) {
  const auto profiles = ice_profiles(config);
  auto chosen = std::find_if(profiles.begin(), profiles.end(),
                             [&](const IceProfile& p) { return profile && p.name == *profile; });
  const IceProfile& p = chosen != profiles.end() ? *chosen : profiles.front();
  boost::json::array servers;
  if (!p.stun_urls.empty()) {
    boost::json::array urls(p.stun_urls.begin(), p.stun_urls.end());
    servers.push_back(boost::json::object{{"urls", std::move(urls)}});
  }
  const std::int64_t expires_ms = now_ms + config.turn_ttl_ms;
  if (!p.turn_urls.empty() && !config.turn_secret.empty()) {
    const std::string username = std::to_string(expires_ms / 1000) + ":" + user_id;
    boost::json::array urls(p.turn_urls.begin(), p.turn_urls.end());
    servers.push_back(
        boost::json::object{{"urls", std::move(urls)},
                            {"username", username},
                            {"credential", turn_credential(config.turn_secret, username)}});
  }
  return {{"ice_servers", std::move(servers)}, {"expires_at", format_rfc3339_ms(expires_ms)}};
}

}  // namespace sb::service
