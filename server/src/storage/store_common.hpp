#pragma once
// Helpers the store's tables share: metadata as JSON text, the staff view, quality figures.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store.hpp"

namespace sb::storage {

std::string metadata_to_json(const std::map<std::string, std::string>& metadata);
std::map<std::string, std::string> metadata_from_json(std::string_view text);
/// Fills what a staff entry's columns imply: `status` (offline while not connected), `state`
/// (in a call, ringing, wrapping up, idle) and `idle_since_ms` (the later of becoming available
/// and the last call's end).
void derive_staff_view(StaffEntry& entry, bool ringing, std::int64_t available_since_ms,
                       std::int64_t last_call_end_ms, std::int64_t wrap_up_until_ms,
                       std::int64_t now_ms);
/// A quality figure's average over the `count` samples that carried it; nothing when none did.
std::optional<double> quality_average(double sum, std::int64_t count);
/// A quality figure's worst value; nothing when no sample carried it.
std::optional<double> quality_maximum(double max, std::int64_t count);
std::string string_list_to_json(const std::vector<std::string>& items);
std::vector<std::string> string_list_from_json(std::string_view text);
/// A call is open: 'queued', 'ringing', 'accepted' or 'active'. Written exactly as the condition
/// of the index calls_one_open_per_caller, so that SQLite sees the index fits the query; and as
/// two lists of two, which SQLite tests without building a temporary table.
inline constexpr std::string_view kOpenCallCondition =
    "(state IN ('queued', 'ringing') OR state IN ('accepted', 'active'))";

}  // namespace sb::storage
