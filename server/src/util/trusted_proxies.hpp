#pragma once
// `--trusted-proxies`: the networks whose X-Forwarded-For is believed, and the rule that finds a
// request's client address behind them (docs/operations.md#behind-a-reverse-proxy). Addresses are
// parsed by Boost.Asio.

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

class TrustedProxies {
 public:
  /// None: every peer is the client itself.
  TrustedProxies() = default;

  /// A comma-separated list of CIDRs ("10.0.0.0/8, fd00::/8") or single addresses. nullopt with
  /// `*problem` set to one sentence naming the entry that is neither.
  static std::optional<TrustedProxies> parse(std::string_view list, std::string* problem);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  /// Whether `address` lies in one of the networks (IPv4-mapped IPv6 counts as its IPv4).
  bool contains(const boost::asio::ip::address& address) const;
  bool contains(std::string_view address) const;

  /// The address of the client a request from `peer` is for. Only a trusted peer's
  /// `forwarded_for` (the X-Forwarded-For value, "" when absent) is read: from its right end,
  /// past every trusted address, to the first address that is not trusted. Every proxy
  /// appends the address it was reached from, so the entries left of that one were written by
  /// the client and may be forged. If every entry is trusted, the leftmost is the client; an
  /// entry that is no address ends the walk at the trusted one to its right (or the peer).
  /// Returned in canonical form, so one client has one spelling.
  std::string client_ip(std::string_view peer, std::string_view forwarded_for) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace sb
