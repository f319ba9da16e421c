#pragma once
// Structured logging: one line per event, JSON for machines or text for people.
//
//   obs::log_info("call.transition", {{"call_id", id}, {"from", "ringing"}, {"to", "accepted"}});
//
// JSON: {"ts":"2026-11-23T21:00:00.000Z","level":"info","event":"call.transition","call_id":...}
// Text: 2026-11-23T21:00:00.000Z INFO  call.transition call_id=c1 from=ringing to=accepted
//
// Never log tokens, secrets or SDP bodies at info level.

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string_view>
#include <utility>

namespace sb {
class Clock;
}

namespace sb::obs {

enum class LogFormat { kJson, kText };
enum class Level { kDebug, kInfo, kWarn, kError };

/// "debug", "info", "warn", "error".
std::string_view to_string(Level level);
/// "json" or "text".
std::string_view to_string(LogFormat format);
std::optional<LogFormat> parse_log_format(std::string_view text);
std::optional<Level> parse_level(std::string_view text);

/// One named value of a log line; takes anything Boost.JSON can convert (strings, numbers, bools).
struct Field {
  template <typename T>
  Field(std::string_view name, T&& value)
      : first(name), second(boost::json::value_from(std::forward<T>(value))) {}
  std::string_view first;
  boost::json::value second;
};

/// Sets the format and the lowest level written. Before any call: JSON, info.
void init_logging(LogFormat format, Level min);
/// Where lines go; nullptr restores stdout. The stream must outlive its use as the sink.
void set_log_sink(std::ostream* sink);
/// The clock for timestamps; nullptr restores the system clock. Must outlive its use.
void set_log_clock(const Clock* clock);

/// Whether `level` is written, to skip building costly fields.
bool log_enabled(Level level) noexcept;

/// Writes one line. Thread-safe; never throws (a failing sink loses the line). Fields named
/// "ts", "level" or "event" are written with a leading underscore.
void log(Level level, std::string_view event, std::initializer_list<Field> fields = {}) noexcept;

inline void log_debug(std::string_view event, std::initializer_list<Field> fields = {}) noexcept {
  log(Level::kDebug, event, fields);
}
inline void log_info(std::string_view event, std::initializer_list<Field> fields = {}) noexcept {
  log(Level::kInfo, event, fields);
}
inline void log_warn(std::string_view event, std::initializer_list<Field> fields = {}) noexcept {
  log(Level::kWarn, event, fields);
}
inline void log_error(std::string_view event, std::initializer_list<Field> fields = {}) noexcept {
  log(Level::kError, event, fields);
}

}  // namespace sb::obs
