#include "storage/store_common.hpp"

#include <array>
#include <boost/json.hpp>
#include <utility>

namespace sb::storage {
namespace {

constexpr std::array<std::pair<RingOutcome, std::string_view>, 8> kOutcomes{{
    {RingOutcome::kRinging, "ringing"},
    {RingOutcome::kAccepted, "accepted"},
    {RingOutcome::kDeclined, "declined"},
    {RingOutcome::kMissed, "missed"},
    {RingOutcome::kTaken, "taken"},
    {RingOutcome::kCancelled, "cancelled"},
    {RingOutcome::kStopped, "stopped"},
    {RingOutcome::kWithdrawn, "withdrawn"},
}};

}  // namespace

std::string_view to_string(RingOutcome o) {
  for (const auto& [value, name] : kOutcomes) {
    if (value == o) return name;
  }
  return "ringing";
}

std::optional<RingOutcome> parse_ring_outcome(std::string_view s) {
  for (const auto& [value, name] : kOutcomes) {
    if (name == s) return value;
  }
  return std::nullopt;
}

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
