#include "util/trusted_proxies.hpp"

#include <algorithm>
#include <string>

namespace sb {
namespace {

namespace ip = boost::asio::ip;

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// IPv4 peers of a dual-stack socket look like ::ffff:a.b.c.d; they are matched and named as the
// IPv4 address they are.
ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::optional<ip::address> address_of(std::string_view text) {
  boost::system::error_code ec;
  const auto a = ip::make_address(std::string(trimmed(text)), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

// Splits `list` at commas and calls `f` on each entry, from the right end when `backwards`.
// Stops when `f` returns false.
template <typename F>
void each_entry(std::string_view list, bool backwards, F f) {
  std::vector<std::string_view> entries;
  for (std::size_t start = 0; start <= list.size();) {
    auto end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    entries.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  if (backwards) std::reverse(entries.begin(), entries.end());
  for (auto entry : entries) {
    if (!f(trimmed(entry))) return;
  }
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::parse(std::string_view list, std::string* problem) {
  TrustedProxies out;
  bool ok = true;
  each_entry(list, false, [&](std::string_view entry) {
    if (entry.empty()) return true;
    const std::string text(entry);
    boost::system::error_code ec;
    if (entry.find('/') == std::string_view::npos) {
      if (const auto a = address_of(entry); a && a->is_v4()) {
        out.v4_.emplace_back(a->to_v4(), 32);
      } else if (a) {
        out.v6_.emplace_back(a->to_v6(), 128);
      } else {
        ok = false;
      }
    } else if (const auto v4 = ip::make_network_v4(text, ec); !ec) {
      out.v4_.push_back(v4.canonical());
    } else if (const auto v6 = ip::make_network_v6(text, ec); !ec) {
      out.v6_.push_back(v6.canonical());
    } else {
      ok = false;
    }
    if (!ok) *problem = "\"" + text + "\" is not an address or a CIDR (e.g. 10.0.0.0/8, fd00::/8)";
    return ok;
  });
  if (!ok) return std::nullopt;
  return out;
}

bool TrustedProxies::contains(const ip::address& address) const {
  const auto a = unmapped(address);
  if (a.is_v4()) {
    return std::any_of(v4_.begin(), v4_.end(), [&](const ip::network_v4& n) {
      return ip::network_v4(a.to_v4(), n.prefix_length()).canonical() == n;
    });
  }
  // A scope id (fe80::1%eth0) names an interface, not another address.
  auto v6 = a.to_v6();
  v6.scope_id(0);
  return std::any_of(v6_.begin(), v6_.end(), [&](const ip::network_v6& n) {
    return ip::network_v6(v6, n.prefix_length()).canonical() == n;
  });
}

bool TrustedProxies::contains(std::string_view address) const {
  const auto a = address_of(address);
  return a && contains(*a);
}

std::string TrustedProxies::client_ip(std::string_view peer, std::string_view forwarded_for) const {
  if (empty() || !contains(peer)) return std::string(peer);
  std::string client(peer);
  each_entry(forwarded_for, true, [&](std::string_view entry) {
    const auto a = address_of(entry);
    if (!a) return false;
    client = a->to_string();
    return contains(*a);
  });
  return client;
}

}  // namespace sb
