#include "net/http_message.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdio>
#include <random>

#include "net/error_response.hpp"

namespace sb::net {
namespace {

// For the answers the server writes itself (docs/errors.md: every response carries one).
std::string make_request_id() {
  static std::mt19937_64 rng{std::random_device{}()};
  std::array<char, 17> buf{};
  std::snprintf(buf.data(), buf.size(), "%016llx", static_cast<unsigned long long>(rng()));
  return std::string(buf.data(), 16);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

bool header_is_safe(std::string_view name, std::string_view value) {
  auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  return !name.empty() && std::none_of(name.begin(), name.end(), bad) &&
         std::none_of(value.begin(), value.end(), bad);
}

}  // namespace

std::optional<std::string> decoded_path(std::string_view target) {
  return percent_decode(target.substr(0, target.find('?')));
}

std::optional<HttpRequest> to_http_request(Request& req, const std::string& remote_ip) {
  auto path = decoded_path(req.target());
  if (!path) return std::nullopt;
  HttpRequest out;
  // HEAD is served as GET; the body is left off when writing.
  out.method = req.method() == http::verb::head ? "GET" : std::string(req.method_string());
  out.target = std::string(req.target());
  out.path = std::move(*path);
  if (const auto q = out.target.find('?'); q != std::string::npos) {
    out.query = out.target.substr(q + 1);
  }
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = out.headers.emplace(std::move(name), std::string(field.value()));
    // Repeated fields form one comma-separated list (RFC 9110 5.3).
    if (!inserted) it->second.append(", ").append(field.value());
  }
  out.body = std::move(req.body());
  out.remote_ip = remote_ip;
  return out;
}

Response to_beast_response(HttpResponse res, unsigned version, bool keep_alive) {
  if (res.status < 100 || res.status > 999) {
    res = server_error(call::ErrorCode::kUnavailable, "Something went wrong on our side.");
  }
  Response out;
  out.version(version);
  out.result(static_cast<unsigned>(res.status));
  if (!res.content_type.empty()) out.set(http::field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers) {
    // Framing is ours; CR/LF in a handler's header would split the response.
    if (!header_is_safe(name, value) || beast::iequals(name, "content-length") ||
        beast::iequals(name, "transfer-encoding")) {
      continue;
    }
    out.insert(name, value);
  }
  out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

HttpResponse server_error(call::ErrorCode code, std::string message) {
  HttpResponse res = error_response(call::make_error(code, std::move(message)));
  res.headers.emplace_back("X-Request-Id", make_request_id());
  return res;
}

}  // namespace sb::net
