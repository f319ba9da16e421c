#pragma once
// Helpers both store implementations share: names of ring outcomes, metadata as JSON text.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store.hpp"

namespace sb::storage {

std::optional<RingOutcome> parse_ring_outcome(std::string_view s);
std::string metadata_to_json(const std::map<std::string, std::string>& metadata);
std::map<std::string, std::string> metadata_from_json(std::string_view text);
std::string string_list_to_json(const std::vector<std::string>& items);
std::vector<std::string> string_list_from_json(std::string_view text);
/// 'ringing', 'accepted', 'active' as an SQL list, for `state IN (...)`.
inline constexpr std::string_view kOpenStatesSql = "('ringing', 'accepted', 'active')";

}  // namespace sb::storage
