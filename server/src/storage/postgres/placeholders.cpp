#include "storage/postgres/placeholders.hpp"

#include <algorithm>
#include <cctype>

namespace sb::storage::postgres {

std::string numbered_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  char quote = 0;  // The quote character while inside quoted text.
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char ch = sql[i];
    if (quote) {
      if (ch == quote) quote = 0;  // A doubled quote closes and opens again: still right.
      out += ch;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
    } else if (ch == '?') {
      std::size_t end = i + 1;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
      const int number =
          end > i + 1 ? std::stoi(std::string(sql.substr(i + 1, end - i - 1))) : highest + 1;
      highest = std::max(highest, number);
      out += '$';
      out += std::to_string(number);
      i = end - 1;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace sb::storage::postgres
