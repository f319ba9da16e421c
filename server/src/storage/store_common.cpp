#include "storage/store_common.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace sb::storage {
std::string metadata_to_json(const std::map<std::string, std::string>& metadata) {
  boost::json::object obj;
  for (const auto& [k, v] : metadata) obj[k] = v;
  return boost::json::serialize(obj);
}

std::map<std::string, std::string> metadata_from_json(std::string_view text) {
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return out;
  for (const auto& [k, v] : value.as_object()) {
    if (v.is_string()) out.emplace(std::string(k), std::string(v.as_string()));
  }
  return out;
}

void derive_staff_view(StaffEntry& e, bool ringing, std::int64_t available_since_ms,
                       std::int64_t last_call_end_ms, std::int64_t wrap_up_until_ms,
                       std::int64_t now_ms) {
  e.status = e.connected ? e.chosen_status : call::StaffStatus::kOffline;
  if (e.call_id) {
    e.state = call::StaffState::kInCall;
  } else if (ringing) {
    e.state = call::StaffState::kRinging;
  } else if (wrap_up_until_ms > now_ms) {
    e.state = call::StaffState::kWrapUp;
  } else {
    e.state = call::StaffState::kIdle;
  }
  e.idle_since_ms = std::max(available_since_ms, last_call_end_ms);
}

std::optional<double> quality_average(double sum, std::int64_t count) {
  if (count <= 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

std::optional<double> quality_maximum(double max, std::int64_t count) {
  if (count <= 0) return std::nullopt;
  return max;
}

std::string string_list_to_json(const std::vector<std::string>& items) {
  boost::json::array arr;
  for (const auto& item : items) arr.emplace_back(item);
  return boost::json::serialize(arr);
}

std::vector<std::string> string_list_from_json(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return out;
  for (const auto& v : value.as_array()) {
    if (v.is_string()) out.emplace_back(v.as_string());
  }
  return out;
}

}  // namespace sb::storage
