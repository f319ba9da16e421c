#include "auth/jwks.hpp"

#include <gtest/gtest.h>

#include <string>

#include "auth/jwt_verifier.hpp"
#include "unit/auth/test_keys.hpp"

namespace sb::auth {
namespace {

using testing::ec_key;
using testing::jwk_of;
using testing::other_rsa_key;
using testing::rsa_key;
using testing::sign;

constexpr std::int64_t kNow = 1'800'000'000;

boost::json::object good_claims() {
  return {{"sub", "user-1"}, {"org", "org.a"}, {"role", "client"}, {"exp", kNow + 600}};
}

std::string jwks_text(std::initializer_list<boost::json::object> keys) {
  boost::json::array array;
  for (const auto& k : keys) array.push_back(k);
  return boost::json::serialize(boost::json::object{{"keys", std::move(array)}});
}

JwkSet keys_of(std::initializer_list<boost::json::object> keys, JwtAlgorithm algorithm) {
  auto parsed = parse_jwks(jwks_text(keys), algorithm);
  if (!parsed) throw std::runtime_error("not a JWKS");
  return std::move(parsed->keys);
}

JwtVerifier jwks_verifier(JwtAlgorithm algorithm) {
  auto v = JwtVerifier::create({.algorithm = algorithm, .keys_from_jwks = true});
  if (!v) throw std::runtime_error("verifier: " + v.error().message());
  return *v;
}

boost::system::error_code error_of(const boost::system::result<Principal>& r) {
  return r ? boost::system::error_code{} : r.error();
}

// --- Reading JWKs ---

TEST(Jwks, ReadsRsaAndEcKeysForTheirAlgorithm) {
  const auto rsa = parse_jwks(jwks_text({jwk_of(rsa_key(), "r1"), jwk_of(ec_key(), "e1")}),
                              JwtAlgorithm::kRs256);
  ASSERT_TRUE(rsa);
  ASSERT_EQ(rsa->keys.size(), 1u);
  EXPECT_TRUE(rsa->keys.contains("r1"));
  EXPECT_EQ(rsa->ignored, 1);  // The EC key does not fit RS256.
  EXPECT_EQ(rsa->keys.at("r1")->algorithm(), JwtAlgorithm::kRs256);

  const auto ec = parse_jwks(jwks_text({jwk_of(rsa_key(), "r1"), jwk_of(ec_key(), "e1")}),
                             JwtAlgorithm::kEs256);
  ASSERT_TRUE(ec);
  ASSERT_EQ(ec->keys.size(), 1u);
  EXPECT_TRUE(ec->keys.contains("e1"));
  EXPECT_EQ(ec->ignored, 1);
}

TEST(Jwks, BuildsTheSameKeyAsThePem) {
  const auto from_jwk = public_key_from_jwk(jwk_of(rsa_key(), "r1"), JwtAlgorithm::kRs256);
  const auto from_pem = read_pem_public_key(rsa_key().public_pem);
  ASSERT_TRUE(from_jwk && from_pem);
  EXPECT_TRUE(from_jwk->same_as(*from_pem));
  const auto ec_jwk = public_key_from_jwk(jwk_of(ec_key(), "e1"), JwtAlgorithm::kEs256);
  const auto ec_pem = read_pem_public_key(ec_key().public_pem);
  ASSERT_TRUE(ec_jwk && ec_pem);
  EXPECT_TRUE(ec_jwk->same_as(*ec_pem));
  EXPECT_FALSE(ec_jwk->same_as(*from_pem));
}

TEST(Jwks, MembersAlgUseAndKeyOpsAreOptional) {
  auto jwk = jwk_of(rsa_key(), "r1");
  jwk.erase("alg");
  jwk.erase("use");
  EXPECT_TRUE(public_key_from_jwk(jwk, JwtAlgorithm::kRs256));
  jwk["key_ops"] = boost::json::array{"verify"};
  EXPECT_TRUE(public_key_from_jwk(jwk, JwtAlgorithm::kRs256));
}

TEST(Jwks, IgnoresKeysMeantForSomethingElse) {
  const auto with = [](boost::json::object jwk, std::string_view name, boost::json::value v) {
    jwk[name] = std::move(v);
    return jwk;
  };
  const auto rsa = jwk_of(rsa_key(), "r1");
  const auto ec = jwk_of(ec_key(), "e1");
  const std::pair<const char*, boost::json::object> refused_for_rs256[] = {
      {"alg RS384", with(rsa, "alg", "RS384")},
      {"alg PS256", with(rsa, "alg", "PS256")},
      {"alg HS256", with(rsa, "alg", "HS256")},
      {"alg not a string", with(rsa, "alg", 256)},
      {"use enc", with(rsa, "use", "enc")},
      {"key_ops without verify", with(rsa, "key_ops", boost::json::array{"encrypt"})},
      {"kty EC with RSA numbers", with(rsa, "kty", "EC")},
      {"kty oct", boost::json::object{{"kty", "oct"}, {"kid", "s"}, {"k", "c2VjcmV0"}}},
      {"no kty",
       [&] {
         auto k = rsa;
         k.erase("kty");
         return k;
       }()},
      {"n not base64url", with(rsa, "n", "not base64url!")},
      {"no e",
       [&] {
         auto k = rsa;
         k.erase("e");
         return k;
       }()},
      {"1024-bit modulus", jwk_of(testing::small_rsa_key(), "r1")},
  };
  for (const auto& [label, jwk] : refused_for_rs256) {
    EXPECT_FALSE(public_key_from_jwk(jwk, JwtAlgorithm::kRs256)) << label;
  }

  auto off_curve = ec;
  auto y = boost::json::value_to<std::string>(ec.at("y"));
  y[5] = y[5] == 'A' ? 'B' : 'A';
  off_curve["y"] = y;
  const std::pair<const char*, boost::json::object> refused_for_es256[] = {
      {"alg ES384", with(ec, "alg", "ES384")},
      {"crv P-384", with(ec, "crv", "P-384")},
      {"P-384 key", jwk_of(testing::p384_key(), "e1")},
      {"x too short", with(ec, "x", "AAAA")},
      {"point not on the curve", off_curve},
      {"an RSA key", rsa},
  };
  for (const auto& [label, jwk] : refused_for_es256) {
    EXPECT_FALSE(public_key_from_jwk(jwk, JwtAlgorithm::kEs256)) << label;
  }
  EXPECT_TRUE(public_key_from_jwk(ec, JwtAlgorithm::kEs256));
}

TEST(Jwks, IgnoresKeysWithoutKidAndRepeatedKids) {
  auto no_kid = jwk_of(rsa_key(), "");
  no_kid.erase("kid");
  const auto parsed = parse_jwks(
      jwks_text({no_kid, jwk_of(rsa_key(), ""), jwk_of(rsa_key(), "same"),
                 jwk_of(other_rsa_key(), "same"), jwk_of(other_rsa_key(), std::string(300, 'k'))}),
      JwtAlgorithm::kRs256);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->keys.size(), 1u);
  EXPECT_EQ(parsed->ignored, 4);
  // The first key published under a kid wins.
  EXPECT_TRUE(parsed->keys.at("same")->same_as(*read_pem_public_key(rsa_key().public_pem)));
}

TEST(Jwks, RefusesDocumentsThatAreNotAKeySet) {
  for (const char* text : {"", "not json", "[]", R"({"keys": {}})", R"({"key": []})", "42"}) {
    EXPECT_FALSE(parse_jwks(text, JwtAlgorithm::kRs256)) << text;
  }
  const auto empty = parse_jwks(R"({"keys": [1, "x", null, {}]})", JwtAlgorithm::kRs256);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->keys.empty());
  EXPECT_EQ(empty->ignored, 4);
}

TEST(KeySet, ReplaceSaysWhetherAKeyWasLostOrChanged) {
  KeySet set;
  EXPECT_FALSE(set.loaded());
  const auto a = jwk_of(rsa_key(), "a");
  const auto b = jwk_of(other_rsa_key(), "b");
  EXPECT_FALSE(set.replace(keys_of({a}, JwtAlgorithm::kRs256)));
  EXPECT_TRUE(set.loaded());
  EXPECT_TRUE(set.find("a"));
  EXPECT_FALSE(set.find("b"));
  EXPECT_FALSE(set.replace(keys_of({a, b}, JwtAlgorithm::kRs256)));  // Only added.
  EXPECT_TRUE(set.replace(keys_of({b}, JwtAlgorithm::kRs256)));      // a is gone.
  EXPECT_FALSE(set.find("a"));
  EXPECT_TRUE(set.replace(keys_of({jwk_of(rsa_key(), "b")}, JwtAlgorithm::kRs256)));  // b changed.
}

// --- Choosing the key by kid ---

TEST(JwksVerifier, NeedsAnAsymmetricAlgorithm) {
  auto v = JwtVerifier::create({.algorithm = JwtAlgorithm::kHs256, .keys_from_jwks = true});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), AuthError::kInvalidConfig);
}

TEST(JwksVerifier, VerifiesWithTheKeyTheKidNames) {
  auto v = jwks_verifier(JwtAlgorithm::kRs256);
  EXPECT_FALSE(v.has_keys());
  v.replace_jwks(
      keys_of({jwk_of(rsa_key(), "a"), jwk_of(other_rsa_key(), "b")}, JwtAlgorithm::kRs256));
  EXPECT_TRUE(v.has_keys());
  const auto by_a = sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims(), "a");
  const auto by_b = sign(JWT_ALG_RS256, other_rsa_key().private_pem, good_claims(), "b");
  EXPECT_TRUE(v.verify(by_a, kNow));
  EXPECT_TRUE(v.verify(by_b, kNow));
  // Signed by a but naming b: b's key does not verify it.
  const auto lying = sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims(), "b");
  EXPECT_EQ(error_of(v.verify(lying, kNow)), AuthError::kBadSignature);
}

TEST(JwksVerifier, Es256KeysByKid) {
  auto v = jwks_verifier(JwtAlgorithm::kEs256);
  v.replace_jwks(keys_of({jwk_of(ec_key(), "e")}, JwtAlgorithm::kEs256));
  EXPECT_TRUE(v.verify(sign(JWT_ALG_ES256, ec_key().private_pem, good_claims(), "e"), kNow));
  // The pinned algorithm wins over the header, whatever key the kid names.
  EXPECT_EQ(
      error_of(v.verify(sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims(), "e"), kNow)),
      AuthError::kAlgorithmMismatch);
}

TEST(JwksVerifier, UnknownOrMissingKidIsRefusedAndOnlyAnUnknownOneAsksForARefresh) {
  auto v = jwks_verifier(JwtAlgorithm::kRs256);
  int asked = 0;
  v.on_unknown_kid([&asked] { ++asked; });
  const auto by_a = sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims(), "a");
  EXPECT_EQ(error_of(v.verify(by_a, kNow)), AuthError::kUnknownKey);  // No key set yet.
  EXPECT_EQ(asked, 1);
  v.replace_jwks(keys_of({jwk_of(rsa_key(), "a")}, JwtAlgorithm::kRs256));
  EXPECT_TRUE(v.verify(by_a, kNow));
  EXPECT_EQ(asked, 1);
  const auto by_c = sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims(), "c");
  EXPECT_EQ(error_of(v.verify(by_c, kNow)), AuthError::kUnknownKey);
  EXPECT_EQ(asked, 2);
  const auto no_kid = sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims());
  EXPECT_EQ(error_of(v.verify(no_kid, kNow)), AuthError::kUnknownKey);
  EXPECT_EQ(asked, 2);
}

TEST(JwksVerifier, ATokenIsNotAcceptedOnceItsKeyIsWithdrawn) {
  auto v = jwks_verifier(JwtAlgorithm::kRs256);
  v.replace_jwks(keys_of({jwk_of(rsa_key(), "a")}, JwtAlgorithm::kRs256));
  const auto by_a = sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims(), "a");
  ASSERT_TRUE(v.verify(by_a, kNow));  // Now remembered as verified.
  v.replace_jwks(
      keys_of({jwk_of(rsa_key(), "a"), jwk_of(other_rsa_key(), "b")}, JwtAlgorithm::kRs256));
  EXPECT_TRUE(v.verify(by_a, kNow));
  v.replace_jwks(keys_of({jwk_of(other_rsa_key(), "b")}, JwtAlgorithm::kRs256));
  EXPECT_EQ(error_of(v.verify(by_a, kNow)), AuthError::kUnknownKey);
  // The same kid republished with another key: tokens of the old key are refused too.
  const auto by_b = sign(JWT_ALG_RS256, other_rsa_key().private_pem, good_claims(), "b");
  ASSERT_TRUE(v.verify(by_b, kNow));
  v.replace_jwks(keys_of({jwk_of(rsa_key(), "b")}, JwtAlgorithm::kRs256));
  EXPECT_EQ(error_of(v.verify(by_b, kNow)), AuthError::kBadSignature);
}

}  // namespace
}  // namespace sb::auth
