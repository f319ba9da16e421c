#include "util/ice_profiles.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <optional>
#include <set>

namespace sb {
namespace {

constexpr std::size_t kMaxProfiles = 32;
constexpr std::size_t kMaxNameChars = 64;

using Problem = std::optional<std::string>;

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameChars) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

/// `key` of profile `where` as a list of URLs starting with `scheme` or its secure twin.
Problem read_urls(const boost::json::object& o, std::string_view key, std::string_view scheme,
                  const std::string& where, std::vector<std::string>& out) {
  const auto* value = o.if_contains(key);
  if (!value) return std::nullopt;
  const std::string secure = std::string(scheme.substr(0, scheme.size() - 1)) + "s:";
  const std::string what = where + ": \"" + std::string(key) + "\"";
  if (!value->is_array()) return what + " is not a list of URLs";
  for (const auto& item : value->as_array()) {
    if (!item.is_string()) return what + " holds something that is not a string";
    const std::string url(item.as_string());
    const bool schemed = (url.starts_with(scheme) && url.size() > scheme.size()) ||
                         (url.starts_with(secure) && url.size() > secure.size());
    if (!schemed)
      return what + ": \"" + url + "\" is not a " + std::string(scheme) + " or " + secure + " URL";
    out.push_back(url);
  }
  return std::nullopt;
}

Problem read_profile(const boost::json::value& v, std::size_t index, IceProfile& out) {
  std::string where = "profile " + std::to_string(index + 1);
  if (!v.is_object()) return where + " is not an object";
  const auto& o = v.as_object();
  for (const auto& [key, _] : o) {
    if (key != "name" && key != "weight" && key != "stun_urls" && key != "turn_urls") {
      return where + ": unknown key \"" + std::string(key) +
             "\" (keys: name, weight, stun_urls, turn_urls)";
    }
  }
  const auto* name = o.if_contains("name");
  if (!name || !name->is_string() || !valid_name(name->as_string())) {
    return where + ": \"name\" must be 1 to 64 letters, digits, '_', '-' or '.'";
  }
  out.name = std::string(name->as_string());
  where += " (\"" + out.name + "\")";
  const auto* weight = o.if_contains("weight");
  if (!weight || !weight->is_number()) return where + ": \"weight\" must be a number";
  out.weight = weight->to_number<double>();
  if (!std::isfinite(out.weight) || out.weight < 0) return where + ": \"weight\" must be 0 or more";
  if (auto p = read_urls(o, "stun_urls", "stun:", where, out.stun_urls)) return p;
  return read_urls(o, "turn_urls", "turn:", where, out.turn_urls);
}

}  // namespace

std::variant<std::vector<IceProfile>, IceProfilesError> parse_ice_profiles(std::string_view json) {
  boost::system::error_code ec;
  const auto doc = boost::json::parse(json, ec);
  if (ec) return IceProfilesError{"not JSON (" + ec.message() + ")"};
  if (!doc.is_array() || doc.as_array().empty()) {
    return IceProfilesError{"must be a non-empty JSON list of profiles"};
  }
  const auto& list = doc.as_array();
  if (list.size() > kMaxProfiles) {
    return IceProfilesError{"more than " + std::to_string(kMaxProfiles) + " profiles"};
  }
  std::vector<IceProfile> profiles;
  std::set<std::string> names;
  double total = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    IceProfile p;
    if (auto problem = read_profile(list[i], i, p)) return IceProfilesError{*problem};
    if (!names.insert(p.name).second) {
      return IceProfilesError{"two profiles are named \"" + p.name + "\""};
    }
    total += p.weight;
    profiles.push_back(std::move(p));
  }
  if (!(total > 0)) return IceProfilesError{"every weight is 0: no profile could be drawn"};
  return profiles;
}

const IceProfile& draw_ice_profile(const std::vector<IceProfile>& profiles, double unit) {
  double total = 0;
  for (const auto& p : profiles) total += p.weight;
  double point = unit * total;
  for (const auto& p : profiles) {
    if (p.weight > 0 && point < p.weight) return p;
    point -= p.weight;
  }
  // Rounding at the top end: the last profile that can be drawn.
  for (auto it = profiles.rbegin(); it != profiles.rend(); ++it) {
    if (it->weight > 0) return *it;
  }
  return profiles.front();
}

}  // namespace sb
