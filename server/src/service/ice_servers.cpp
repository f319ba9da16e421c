#include "service/ice_servers.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>

#include "util/clock.hpp"

namespace sb::service {

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

boost::json::object ice_servers_json(const IceConfig& config, const std::string& user_id,
                                     std::int64_t now_ms) {
  boost::json::array servers;
  if (!config.stun_urls.empty()) {
    boost::json::array urls(config.stun_urls.begin(), config.stun_urls.end());
    servers.push_back(boost::json::object{{"urls", std::move(urls)}});
  }
  const std::int64_t expires_ms = now_ms + config.turn_ttl_ms;
  if (!config.turn_urls.empty() && !config.turn_secret.empty()) {
    const std::string username = std::to_string(expires_ms / 1000) + ":" + user_id;
    boost::json::array urls(config.turn_urls.begin(), config.turn_urls.end());
    servers.push_back(
        boost::json::object{{"urls", std::move(urls)},
                            {"username", username},
                            {"credential", turn_credential(config.turn_secret, username)}});
  }
  return {{"ice_servers", std::move(servers)}, {"expires_at", format_rfc3339_ms(expires_ms)}};
}

}  // namespace sb::service
