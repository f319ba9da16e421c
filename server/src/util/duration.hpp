#pragma once
// Durations as operators write them on the command line: "45s", "1500ms", "1m30s", "1.5h".

#include <chrono>
#include <optional>
#include <string_view>

namespace sb {

/// One or more `<number><unit>` parts, unit one of ms, s, m, h; the number may have a decimal
/// fraction (rounded down to whole milliseconds). Nullopt for a bare number, a sign, spaces, an
/// unknown unit or anything above about 100 years.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace sb
