// --trusted-proxies: parsing, and the rightmost-untrusted rule for X-Forwarded-For.
#include "util/trusted_proxies.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sb {
namespace {

TrustedProxies proxies(std::string_view list) {
  std::string problem;
  auto parsed = TrustedProxies::parse(list, &problem);
  EXPECT_TRUE(parsed) << problem;
  return parsed.value_or(TrustedProxies{});
}

TEST(TrustedProxies, ParsesV4AndV6NetworksAndSingleAddresses) {
  const auto p = proxies(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1");
  EXPECT_TRUE(p.contains("10.200.3.4"));
  EXPECT_FALSE(p.contains("11.0.0.1"));
  EXPECT_TRUE(p.contains("192.168.1.7"));
  EXPECT_FALSE(p.contains("192.168.1.8"));
  EXPECT_TRUE(p.contains("fd12:3456::1"));
  EXPECT_FALSE(p.contains("fe80::1"));
  EXPECT_TRUE(p.contains("::1"));
  EXPECT_FALSE(p.contains("::2"));
  // A dual-stack socket's spelling of an IPv4 peer is that IPv4 address.
  EXPECT_TRUE(p.contains("::ffff:10.1.2.3"));
  EXPECT_FALSE(p.contains("not an address"));
  EXPECT_TRUE(TrustedProxies().empty());
  EXPECT_TRUE(proxies("").empty());
}

TEST(TrustedProxies, AcceptsHostBitsInACidrAsTheirNetwork) {
  const auto p = proxies("10.1.2.3/16");
  EXPECT_TRUE(p.contains("10.1.200.200"));
  EXPECT_FALSE(p.contains("10.2.0.1"));
}

TEST(TrustedProxies, RefusesAnEntryThatIsNeitherAnAddressNorACidr) {
  for (const char* bad :
       {"10.0.0.0/33", "fd00::/129", "10.0.0", "proxy.internal", "10.0.0.1:80", "10.0.0.0/8,nope",
        "*", "10.0.0.0/-1", "10.0.0.0/99999999999999999999", "fd00::/", "/8", "10.0.0.0/8/8"}) {
    std::string problem;
    EXPECT_FALSE(TrustedProxies::parse(bad, &problem)) << bad;
    EXPECT_NE(problem.find("is not an address or a CIDR"), std::string::npos) << bad;
  }
}

TEST(TrustedProxies, WithoutTrustTheForwardedForIsIgnored) {
  EXPECT_EQ(TrustedProxies().client_ip("203.0.113.9", "1.2.3.4"), "203.0.113.9");
  // The peer is no proxy of ours: anyone can send the header.
  EXPECT_EQ(proxies("10.0.0.0/8").client_ip("203.0.113.9", "1.2.3.4"), "203.0.113.9");
}

TEST(TrustedProxies, TakesTheRightmostAddressThatIsNotATrustedProxy) {
  const auto p = proxies("10.0.0.0/8");
  EXPECT_EQ(p.client_ip("10.0.0.2", "198.51.100.7"), "198.51.100.7");
  // Two proxies of ours in a row: both skipped.
  EXPECT_EQ(p.client_ip("10.0.0.2", "198.51.100.7, 10.0.0.5"), "198.51.100.7");
}

TEST(TrustedProxies, IgnoresSpoofedEntriesLeftOfTheClient) {
  const auto p = proxies("10.0.0.0/8");
  // The client sent "X-Forwarded-For: 1.1.1.1, 10.9.9.9"; nginx appended its real address.
  EXPECT_EQ(p.client_ip("10.0.0.2", "1.1.1.1, 10.9.9.9, 198.51.100.7"), "198.51.100.7");
  // Repeated header fields arrive joined by ", " in order, which reads the same.
  EXPECT_EQ(p.client_ip("10.0.0.2", "1.1.1.1,198.51.100.7,10.0.0.3"), "198.51.100.7");
}

TEST(TrustedProxies, WhenEveryEntryIsTrustedTheLeftmostIsTheClient) {
  const auto p = proxies("10.0.0.0/8");
  EXPECT_EQ(p.client_ip("10.0.0.2", "10.1.1.1, 10.0.0.5"), "10.1.1.1");
}

TEST(TrustedProxies, AMalformedEntryStopsTheWalkAtTheTrustedHopToItsRight) {
  const auto p = proxies("10.0.0.0/8");
  EXPECT_EQ(p.client_ip("10.0.0.2", "198.51.100.7, garbage, 10.0.0.5"), "10.0.0.5");
  EXPECT_EQ(p.client_ip("10.0.0.2", "198.51.100.7, unknown"), "10.0.0.2");
  EXPECT_EQ(p.client_ip("10.0.0.2", "198.51.100.7:4711"), "10.0.0.2");
  EXPECT_EQ(p.client_ip("10.0.0.2", "198.51.100.7,,10.0.0.5"), "10.0.0.5");
  // No header, or an empty one: the proxy itself.
  EXPECT_EQ(p.client_ip("10.0.0.2", ""), "10.0.0.2");
  EXPECT_EQ(p.client_ip("10.0.0.2", " "), "10.0.0.2");
}

TEST(TrustedProxies, HandlesIpv6ProxiesAndClientsInCanonicalForm) {
  const auto p = proxies("fd00::/8, 127.0.0.1");
  EXPECT_EQ(p.client_ip("fd00::10", "2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(p.client_ip("fd00::10", "2001:db8::1, fd00::20"), "2001:db8::1");
  EXPECT_EQ(p.client_ip("127.0.0.1", "1.1.1.1, 2001:db8::5, fd00::3"), "2001:db8::5");
  // An IPv4 client written as IPv4-mapped IPv6 shares the bucket of its IPv4 spelling.
  EXPECT_EQ(p.client_ip("127.0.0.1", "::ffff:198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(p.client_ip("fd00::10", "[2001:db8::1]"), "fd00::10");
}

}  // namespace
}  // namespace sb
