#include "auth/dev_token.hpp"

#include <gtest/gtest.h>

#include "auth/jwt_verifier.hpp"

namespace sb::auth {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

JwtVerifier dev_verifier() {
  return JwtVerifier::create({.algorithm = JwtAlgorithm::kHs256, .key = std::string(kDevJwtSecret)})
      .value();
}

TEST(DevToken, MintedTokenVerifiesWithTheDevSecret) {
  const Principal in{"staff-7", "acme", Role::kAdmin, "Grace Admin", 0};
  const auto token = mint_hs256_token(kDevJwtSecret, in, kNow, 3600);
  ASSERT_FALSE(token.empty());
  auto out = dev_verifier().verify(token, kNow);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->user_id, "staff-7");
  EXPECT_EQ(out->org_id, "acme");
  EXPECT_EQ(out->role, Role::kAdmin);
  EXPECT_EQ(out->name, "Grace Admin");
  EXPECT_EQ(out->expires_at_s, kNow + 3600);
}

TEST(DevToken, CarriesTheSkillsOfAStaffMember) {
  Principal in{"staff-8", "acme", Role::kStaff, "Ben", 0};
  in.skills = {"billing", "tech"};
  auto out = dev_verifier().verify(mint_hs256_token(kDevJwtSecret, in, kNow, 3600), kNow);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->skills, (std::vector<std::string>{"billing", "tech"}));
}

TEST(DevToken, ExpiresAfterTheTtl) {
  const Principal in{"c1", "acme", Role::kClient, "", 0};
  const auto token = mint_hs256_token(kDevJwtSecret, in, kNow, 60);
  EXPECT_TRUE(dev_verifier().verify(token, kNow + 60 + 29));
  EXPECT_EQ(dev_verifier().verify(token, kNow + 60 + 30).error(), AuthError::kExpired);
}

TEST(DevToken, AnEmptyNameIsLeftOutSoItDefaultsToTheUserId) {
  const Principal in{"c1", "acme", Role::kClient, "", 0};
  auto out = dev_verifier().verify(mint_hs256_token(kDevJwtSecret, in, kNow, 60), kNow);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->name, "c1");
}

TEST(DevToken, AnEmptySecretMintsNothing) {
  EXPECT_TRUE(
      mint_hs256_token("", Principal{"c1", "acme", Role::kClient, "", 0}, kNow, 60).empty());
}

TEST(DevToken, TheDevSecretIsLong) {
  EXPECT_GE(kDevJwtSecret.size(), 32u);
}

}  // namespace
}  // namespace sb::auth
