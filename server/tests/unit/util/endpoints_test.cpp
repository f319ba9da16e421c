#include "util/endpoints.hpp"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(HostPort, NamesAddressesAndIpv6Literals) {
  auto hp = parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 8080);
  hp = parse_host_port("[::1]:0");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 0);
  hp = parse_host_port("sb-1.internal:443");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "sb-1.internal");
  for (const char* bad : {"", "localhost", ":8080", "host:70000", "a b:80", "u@h:80", "h:8x",
                          "[::1]", "::1:80", "h%20x:80", "h:-1"}) {
    EXPECT_FALSE(parse_host_port(bad)) << bad;
  }
}

TEST(RedisUrl, HostPortPasswordUserAndDb) {
  auto u = parse_redis_url("redis://127.0.0.1:6379");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 6379);
  EXPECT_FALSE(u->password);
  EXPECT_EQ(u->db, 0);
  u = parse_redis_url("redis://:s%40cret@[::1]:6380/3");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->user, "");
  EXPECT_EQ(u->password, "s@cret");  // percent-decoded
  EXPECT_EQ(u->db, 3);
  u = parse_redis_url("redis://switchboard:pw@redis-1:6379/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->user, "switchboard");
  EXPECT_EQ(u->password, "pw");
  for (const char* bad :
       {"", "127.0.0.1:6379", "rediss://h:6379", "http://h:6379", "redis://h", "redis://:6379",
        "redis://h:0", "redis://h:65536", "redis://h:12x", "redis://h:6379/x", "redis://u@h:6379",
        "redis://h:6379?x=1", "redis://h:6379#f", "redis://[::1]", "redis://::1:6379",
        "redis://h:-1", "redis://h:6379/-1"}) {
    EXPECT_FALSE(parse_redis_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace sb
