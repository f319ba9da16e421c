#include "obs/log.hpp"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <mutex>
#include <string>

#include "util/clock.hpp"

namespace sb::obs {
namespace {

struct State {
  std::mutex mutex;
  LogFormat format = LogFormat::kJson;
  std::ostream* sink = nullptr;
  const Clock* clock = nullptr;
};

State& state() {
  static State s;
  return s;
}

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

bool is_reserved(std::string_view key) {
  return key == "ts" || key == "level" || key == "event";
}

// Bare in text lines when unambiguous; JSON-quoted otherwise so a line stays one line.
bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void append_text_value(std::string& line, const boost::json::value& v) {
  if (const auto* s = v.if_string(); s != nullptr && !needs_quotes(*s)) {
    line.append(s->data(), s->size());
  } else {
    line += boost::json::serialize(v);
  }
}

void append_text_key(std::string& line, std::string_view key) {
  if (needs_quotes(key)) {
    line += boost::json::serialize(key);
  } else {
    line += key;
  }
}

std::string json_line(std::string_view ts, Level level, std::string_view event,
                      std::initializer_list<Field> fields) {
  std::string line = "{\"ts\":";
  line += boost::json::serialize(ts);
  line += ",\"level\":\"";
  line += to_string(level);
  line += "\",\"event\":";
  line += boost::json::serialize(event);
  for (const auto& [key, value] : fields) {
    line += ',';
    line += boost::json::serialize(is_reserved(key) ? "_" + std::string(key) : std::string(key));
    line += ':';
    line += boost::json::serialize(value);
  }
  line += "}\n";
  return line;
}

std::string text_line(std::string_view ts, Level level, std::string_view event,
                      std::initializer_list<Field> fields) {
  std::string line(ts);
  switch (level) {
    case Level::kDebug:
      line += " DEBUG ";
      break;
    case Level::kInfo:
      line += " INFO  ";
      break;
    case Level::kWarn:
      line += " WARN  ";
      break;
    case Level::kError:
      line += " ERROR ";
      break;
  }
  append_text_key(line, event);
  for (const auto& [key, value] : fields) {
    line += ' ';
    if (is_reserved(key)) line += '_';
    append_text_key(line, key);
    line += '=';
    append_text_value(line, value);
  }
  line += '\n';
  return line;
}

}  // namespace

std::string_view to_string(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string_view to_string(LogFormat format) {
  return format == LogFormat::kText ? "text" : "json";
}

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "json") return LogFormat::kJson;
  if (text == "text") return LogFormat::kText;
  return std::nullopt;
}

std::optional<Level> parse_level(std::string_view text) {
  for (auto level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (text == to_string(level)) return level;
  }
  return std::nullopt;
}

void init_logging(LogFormat format, Level min) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.format = format;
  g_min_level.store(static_cast<int>(min), std::memory_order_relaxed);
}

void set_log_sink(std::ostream* sink) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.sink = sink;
}

void set_log_clock(const Clock* clock) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.clock = clock;
}

bool log_enabled(Level level) noexcept {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

void log(Level level, std::string_view event, std::initializer_list<Field> fields) noexcept {
  if (!log_enabled(level)) return;
  try {
    State& s = state();
    std::lock_guard lock(s.mutex);
    const Clock& clock = s.clock != nullptr ? *s.clock : system_clock();
    const std::string ts = format_rfc3339_ms(clock.now_ms());
    const std::string line = s.format == LogFormat::kJson ? json_line(ts, level, event, fields)
                                                          : text_line(ts, level, event, fields);
    std::ostream& out = s.sink != nullptr ? *s.sink : std::cout;
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    out.flush();
  } catch (...) {
    // Logging must never take the server down; the line is lost.
  }
}

}  // namespace sb::obs
