#include "util/origins.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace sb {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The origin as a browser serializes it (RFC 6454 6.1), or nullopt.
std::optional<std::string> origin_of(std::string_view text) {
  const auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return std::nullopt;
  const auto& url = *parsed;
  const std::string scheme = lower(std::string(url.scheme()));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  if (!url.has_authority() || url.has_userinfo() || url.host().empty()) return std::nullopt;
  if (!url.path().empty() || url.has_query() || url.has_fragment()) return std::nullopt;
  if (url.has_port() && url.port().empty()) return std::nullopt;
  std::string out = scheme + "://" + lower(std::string(url.encoded_host_and_port()));
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (out.ends_with(default_port)) out.resize(out.size() - default_port.size());
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> parse_origin_list(std::string_view list,
                                                          std::string* problem) {
  std::vector<std::string> origins;
  for (std::size_t start = 0; start <= list.size();) {
    auto end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    const auto entry = trimmed(list.substr(start, end - start));
    start = end + 1;
    if (entry.empty()) continue;
    auto origin = origin_of(entry);
    if (!origin) {
      *problem =
          "\"" + std::string(entry) +
          "\" is not an origin (scheme://host[:port], no path, e.g. https://app.example.com)";
      return std::nullopt;
    }
    if (std::find(origins.begin(), origins.end(), *origin) == origins.end()) {
      origins.push_back(std::move(*origin));
    }
  }
  return origins;
}

}  // namespace sb
