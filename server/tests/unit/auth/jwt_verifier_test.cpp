#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <string>

#include "unit/auth/test_keys.hpp"

namespace sb::auth {
namespace {

using testing::ec_key;
using testing::other_rsa_key;
using testing::raw_token;
using testing::rsa_key;
using testing::sign;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::string_view kSecret = "a-shared-secret-of-reasonable-length-0123456789";

boost::json::object good_claims() {
  return {{"sub", "user-1"},     {"org", "org.a"},   {"role", "staff"},
          {"name", "Ada Staff"}, {"iat", kNow - 10}, {"exp", kNow + 600}};
}

JwtVerifier make_verifier(JwtAlgorithm alg, std::string key,
                          std::optional<std::string> issuer = std::nullopt,
                          std::optional<std::string> audience = std::nullopt) {
  auto v =
      JwtVerifier::create(JwtConfig{alg, std::move(key), std::move(issuer), std::move(audience)});
  if (!v) throw std::runtime_error("verifier: " + v.error().message());
  return *v;
}

JwtVerifier hs256() {
  return make_verifier(JwtAlgorithm::kHs256, std::string(kSecret));
}

std::string hs256_token(const boost::json::object& claims) {
  return sign(JWT_ALG_HS256, kSecret, claims);
}

boost::system::error_code error_of(const boost::system::result<Principal>& r) {
  return r ? boost::system::error_code{} : r.error();
}

// --- Good tokens ---

TEST(JwtVerifier, AcceptsAGoodHs256Token) {
  auto p = hs256().verify(hs256_token(good_claims()), kNow);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->user_id, "user-1");
  EXPECT_EQ(p->org_id, "org.a");
  EXPECT_EQ(p->role, Role::kStaff);
  EXPECT_EQ(p->name, "Ada Staff");
  EXPECT_EQ(p->expires_at_s, kNow + 600);
}

TEST(JwtVerifier, AcceptsAGoodRs256Token) {
  auto v = make_verifier(JwtAlgorithm::kRs256, rsa_key().public_pem);
  auto p = v.verify(sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims()), kNow);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->user_id, "user-1");
  EXPECT_EQ(p->role, Role::kStaff);
}

TEST(JwtVerifier, AcceptsAGoodEs256Token) {
  auto v = make_verifier(JwtAlgorithm::kEs256, ec_key().public_pem);
  auto p = v.verify(sign(JWT_ALG_ES256, ec_key().private_pem, good_claims()), kNow);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->org_id, "org.a");
}

TEST(JwtVerifier, Es256TokensCarryTheJoseRawSignature) {
  // 64 raw bytes of r and s are 86 base64url characters (DER would be 70 to 72 bytes).
  const auto token = sign(JWT_ALG_ES256, ec_key().private_pem, good_claims());
  EXPECT_EQ(token.size() - token.rfind('.') - 1, 86u);
}

TEST(JwtVerifier, NameDefaultsToTheSubject) {
  auto claims = good_claims();
  claims.erase("name");
  auto p = hs256().verify(hs256_token(claims), kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "user-1");

  claims["name"] = "";
  p = hs256().verify(hs256_token(claims), kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "user-1");
}

TEST(JwtVerifier, AcceptsEveryRole) {
  for (auto [text, role] : {std::pair{"client", Role::kClient}, std::pair{"staff", Role::kStaff},
                            std::pair{"admin", Role::kAdmin}}) {
    auto claims = good_claims();
    claims["role"] = text;
    auto p = hs256().verify(hs256_token(claims), kNow);
    ASSERT_TRUE(p) << text;
    EXPECT_EQ(p->role, role);
  }
}

TEST(JwtVerifier, AcceptsFractionalNumericDates) {
  auto claims = good_claims();
  claims["exp"] = static_cast<double>(kNow) + 0.5;
  claims["iat"] = static_cast<double>(kNow) - 0.5;
  auto p = hs256().verify(hs256_token(claims), kNow);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->expires_at_s, kNow);
}

// --- Creating a verifier ---

TEST(JwtVerifierCreate, RejectsAnEmptySecret) {
  auto v = JwtVerifier::create({.algorithm = JwtAlgorithm::kHs256, .key = ""});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), AuthError::kInvalidKey);
}

TEST(JwtVerifierCreate, RejectsAPemKeyAsHmacSecret) {
  EXPECT_FALSE(
      JwtVerifier::create({.algorithm = JwtAlgorithm::kHs256, .key = rsa_key().public_pem}));
}

TEST(JwtVerifierCreate, RejectsAnUnreadablePem) {
  for (std::string key :
       {"", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}) {
    auto v = JwtVerifier::create({.algorithm = JwtAlgorithm::kRs256, .key = key});
    ASSERT_FALSE(v) << key;
    EXPECT_EQ(v.error(), AuthError::kInvalidKey);
  }
}

TEST(JwtVerifierCreate, RejectsAPrivateKeyPem) {
  EXPECT_FALSE(
      JwtVerifier::create({.algorithm = JwtAlgorithm::kRs256, .key = rsa_key().private_pem}));
}

TEST(JwtVerifierCreate, RejectsAKeyOfAnotherType) {
  EXPECT_FALSE(
      JwtVerifier::create({.algorithm = JwtAlgorithm::kRs256, .key = ec_key().public_pem}));
  EXPECT_FALSE(
      JwtVerifier::create({.algorithm = JwtAlgorithm::kEs256, .key = rsa_key().public_pem}));
  EXPECT_FALSE(JwtVerifier::create(
      {.algorithm = JwtAlgorithm::kEs256, .key = testing::p384_key().public_pem}));
}

TEST(JwtVerifierCreate, RejectsAnRsaKeyUnder2048Bits) {
  EXPECT_FALSE(JwtVerifier::create(
      {.algorithm = JwtAlgorithm::kRs256, .key = testing::small_rsa_key().public_pem}));
}

TEST(JwtVerifierCreate, RejectsANegativeLeeway) {
  auto v =
      JwtVerifier::create({.algorithm = JwtAlgorithm::kHs256, .key = "secret", .leeway_s = -1});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), AuthError::kInvalidConfig);
}

TEST(DetectPublicKeyAlgorithm, TellsRsaFromEc) {
  EXPECT_EQ(detect_public_key_algorithm(rsa_key().public_pem).value(), JwtAlgorithm::kRs256);
  EXPECT_EQ(detect_public_key_algorithm(ec_key().public_pem).value(), JwtAlgorithm::kEs256);
  EXPECT_FALSE(detect_public_key_algorithm(testing::p384_key().public_pem));
  EXPECT_FALSE(detect_public_key_algorithm("garbage"));
}

TEST(JwtAlgorithmNames, RoundTrip) {
  for (auto a : {JwtAlgorithm::kHs256, JwtAlgorithm::kRs256, JwtAlgorithm::kEs256}) {
    EXPECT_EQ(parse_jwt_algorithm(to_string(a)), a);
  }
  EXPECT_FALSE(parse_jwt_algorithm("none"));
  EXPECT_FALSE(parse_jwt_algorithm("rs256"));
}

// --- Malformed tokens and signatures ---

TEST(JwtVerifier, RejectsMalformedTokens) {
  const auto good = hs256_token(good_claims());
  const std::string cases[] = {
      "",
      "abc",
      "a.b",
      good + ".extra",
      "!!!." + good.substr(good.find('.') + 1),
      testing::base64url("not json") + good.substr(good.find('.')),
      good.substr(0, good.find('.')) + "." + testing::base64url("[1,2]") + ".sig",
      good.substr(0, good.rfind('.')) + ".a",  // Not a valid base64url length.
      std::string(9000, 'a') + "." + std::string(10, 'b') + "." + std::string(10, 'c'),
  };
  for (const auto& token : cases) {
    EXPECT_EQ(error_of(hs256().verify(token, kNow)), AuthError::kMalformedToken) << token;
  }
}

TEST(JwtVerifier, RejectsCriticalHeaderExtensions) {
  const auto token =
      raw_token({{"alg", "HS256"}, {"crit", boost::json::array{"b64"}}, {"b64", false}},
                good_claims(), "sig");
  EXPECT_EQ(error_of(hs256().verify(token, kNow)), AuthError::kMalformedToken);
}

TEST(JwtVerifier, RejectsAWrongSecret) {
  const auto token = sign(JWT_ALG_HS256, "another-secret", good_claims());
  EXPECT_EQ(error_of(hs256().verify(token, kNow)), AuthError::kBadSignature);
}

TEST(JwtVerifier, RejectsATamperedPayload) {
  auto tamper = [](const std::string& token) {
    auto claims = good_claims();
    claims["role"] = "admin";
    const auto forged = testing::base64url(boost::json::serialize(claims));
    const auto dot1 = token.find('.');
    const auto dot2 = token.rfind('.');
    return token.substr(0, dot1 + 1) + forged + token.substr(dot2);
  };
  EXPECT_EQ(error_of(hs256().verify(tamper(hs256_token(good_claims())), kNow)),
            AuthError::kBadSignature);

  auto rs = make_verifier(JwtAlgorithm::kRs256, rsa_key().public_pem);
  const auto rs_token = sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims());
  EXPECT_EQ(error_of(rs.verify(tamper(rs_token), kNow)), AuthError::kBadSignature);

  auto es = make_verifier(JwtAlgorithm::kEs256, ec_key().public_pem);
  const auto es_token = sign(JWT_ALG_ES256, ec_key().private_pem, good_claims());
  EXPECT_EQ(error_of(es.verify(tamper(es_token), kNow)), AuthError::kBadSignature);
}

TEST(JwtVerifier, RejectsATokenSignedWithAnotherKeyPair) {
  auto rs = make_verifier(JwtAlgorithm::kRs256, rsa_key().public_pem);
  const auto token = sign(JWT_ALG_RS256, other_rsa_key().private_pem, good_claims());
  EXPECT_EQ(error_of(rs.verify(token, kNow)), AuthError::kBadSignature);
}

TEST(JwtVerifier, RejectsAnEs256SignatureOfTheWrongLength) {
  auto es = make_verifier(JwtAlgorithm::kEs256, ec_key().public_pem);
  const auto token =
      raw_token({{"alg", "ES256"}, {"typ", "JWT"}}, good_claims(), std::string(63, '\x01'));
  EXPECT_EQ(error_of(es.verify(token, kNow)), AuthError::kBadSignature);
}

// --- The algorithm is fixed by configuration ---

TEST(JwtVerifier, RejectsAlgNone) {
  for (std::string_view sig : {"", "x"}) {
    const auto token = raw_token({{"alg", "none"}, {"typ", "JWT"}}, good_claims(), sig);
    EXPECT_EQ(error_of(hs256().verify(token, kNow)), AuthError::kAlgorithmMismatch);
    auto rs = make_verifier(JwtAlgorithm::kRs256, rsa_key().public_pem);
    EXPECT_EQ(error_of(rs.verify(token, kNow)), AuthError::kAlgorithmMismatch);
  }
}

TEST(JwtVerifier, RejectsAHeaderWithoutAlg) {
  const auto token = raw_token({{"typ", "JWT"}}, good_claims(), "sig");
  EXPECT_EQ(error_of(hs256().verify(token, kNow)), AuthError::kAlgorithmMismatch);
}

TEST(JwtVerifier, RejectsHs256SignedWithThePublicKeyWhenRs256IsConfigured) {
  auto rs = make_verifier(JwtAlgorithm::kRs256, rsa_key().public_pem);
  const auto forged = sign(JWT_ALG_HS256, rsa_key().public_pem, good_claims());
  EXPECT_EQ(error_of(rs.verify(forged, kNow)), AuthError::kAlgorithmMismatch);

  auto es = make_verifier(JwtAlgorithm::kEs256, ec_key().public_pem);
  const auto forged_es = sign(JWT_ALG_HS256, ec_key().public_pem, good_claims());
  EXPECT_EQ(error_of(es.verify(forged_es, kNow)), AuthError::kAlgorithmMismatch);
}

TEST(JwtVerifier, RejectsAnotherAlgorithmThanTheConfiguredOne) {
  const auto rs_token = sign(JWT_ALG_RS256, rsa_key().private_pem, good_claims());
  const auto es_token = sign(JWT_ALG_ES256, ec_key().private_pem, good_claims());
  EXPECT_EQ(error_of(hs256().verify(rs_token, kNow)), AuthError::kAlgorithmMismatch);
  auto rs = make_verifier(JwtAlgorithm::kRs256, rsa_key().public_pem);
  EXPECT_EQ(error_of(rs.verify(es_token, kNow)), AuthError::kAlgorithmMismatch);
  auto es = make_verifier(JwtAlgorithm::kEs256, ec_key().public_pem);
  EXPECT_EQ(error_of(es.verify(rs_token, kNow)), AuthError::kAlgorithmMismatch);
  const auto hs384 = sign(JWT_ALG_HS384, kSecret, good_claims());
  EXPECT_EQ(error_of(hs256().verify(hs384, kNow)), AuthError::kAlgorithmMismatch);
}

// --- Time claims, with the 30 s leeway on both sides ---

TEST(JwtVerifier, RejectsAMissingOrNonNumericExp) {
  auto claims = good_claims();
  claims.erase("exp");
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kMissingExpiry);
  claims["exp"] = "soon";
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidTimeClaim);
}

TEST(JwtVerifier, RejectsATimeClaimThatIsNoNumber) {
  // Boost.JSON reads 0e400 as NaN (libFuzzer found it): no time at all, so invalid.
  const std::string input = testing::base64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            testing::base64url(R"({"sub":"user-1","org":"org.a","role":"staff",)"
                                               R"("exp":0e400})");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  const std::string token =
      input + "." + testing::base64url(std::string_view(reinterpret_cast<char*>(mac), length));
  EXPECT_EQ(error_of(hs256().verify(token, kNow)), AuthError::kInvalidTimeClaim);
}

TEST(JwtVerifier, AcceptsAnExpiredTokenWithinTheLeeway) {
  auto claims = good_claims();
  claims["iat"] = kNow - 3600;
  claims["exp"] = kNow - 29;
  EXPECT_TRUE(hs256().verify(hs256_token(claims), kNow));
}

TEST(JwtVerifier, RejectsAnExpiredTokenBeyondTheLeeway) {
  auto claims = good_claims();
  claims["iat"] = kNow - 3600;
  claims["exp"] = kNow - 30;
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kExpired);
  claims["exp"] = kNow - 3000;
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kExpired);
}

TEST(JwtVerifier, AcceptsNbfAndIatInTheFutureWithinTheLeeway) {
  auto claims = good_claims();
  claims["nbf"] = kNow + 30;
  claims["iat"] = kNow + 30;
  EXPECT_TRUE(hs256().verify(hs256_token(claims), kNow));
}

TEST(JwtVerifier, RejectsNbfBeyondTheLeeway) {
  auto claims = good_claims();
  claims["nbf"] = kNow + 31;
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kNotYetValid);
}

TEST(JwtVerifier, RejectsIatBeyondTheLeeway) {
  auto claims = good_claims();
  claims["iat"] = kNow + 31;
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kIssuedInFuture);
}

TEST(JwtVerifier, RejectsNonNumericNbfOrIat) {
  for (const char* name : {"nbf", "iat"}) {
    auto claims = good_claims();
    claims[name] = "yesterday";
    EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidTimeClaim);
  }
}

TEST(JwtVerifier, UsesTheConfiguredLeeway) {
  auto v = JwtVerifier::create(
               {.algorithm = JwtAlgorithm::kHs256, .key = std::string(kSecret), .leeway_s = 0})
               .value();
  auto claims = good_claims();
  claims["exp"] = kNow + 1;
  EXPECT_TRUE(v.verify(hs256_token(claims), kNow));
  claims["exp"] = kNow;
  EXPECT_EQ(error_of(v.verify(hs256_token(claims), kNow)), AuthError::kExpired);
}

// --- Issuer and audience ---

TEST(JwtVerifier, ChecksTheIssuerWhenConfigured) {
  auto v = make_verifier(JwtAlgorithm::kHs256, std::string(kSecret), "https://idp.example");
  auto claims = good_claims();
  EXPECT_EQ(error_of(v.verify(hs256_token(claims), kNow)), AuthError::kWrongIssuer);
  claims["iss"] = "https://evil.example";
  EXPECT_EQ(error_of(v.verify(hs256_token(claims), kNow)), AuthError::kWrongIssuer);
  claims["iss"] = 42;
  EXPECT_EQ(error_of(v.verify(hs256_token(claims), kNow)), AuthError::kWrongIssuer);
  claims["iss"] = "https://idp.example";
  EXPECT_TRUE(v.verify(hs256_token(claims), kNow));
}

TEST(JwtVerifier, IgnoresIssuerAndAudienceWhenNotConfigured) {
  auto claims = good_claims();
  claims["iss"] = "anyone";
  claims["aud"] = "anything";
  EXPECT_TRUE(hs256().verify(hs256_token(claims), kNow));
}

TEST(JwtVerifier, ChecksTheAudienceAsAStringOrAnArray) {
  auto v = make_verifier(JwtAlgorithm::kHs256, std::string(kSecret), std::nullopt, "switchboard");
  auto claims = good_claims();
  EXPECT_EQ(error_of(v.verify(hs256_token(claims), kNow)), AuthError::kWrongAudience);
  claims["aud"] = "other";
  EXPECT_EQ(error_of(v.verify(hs256_token(claims), kNow)), AuthError::kWrongAudience);
  claims["aud"] = boost::json::array{"other", "more"};
  EXPECT_EQ(error_of(v.verify(hs256_token(claims), kNow)), AuthError::kWrongAudience);
  claims["aud"] = boost::json::array{};
  EXPECT_EQ(error_of(v.verify(hs256_token(claims), kNow)), AuthError::kWrongAudience);
  claims["aud"] = "switchboard";
  EXPECT_TRUE(v.verify(hs256_token(claims), kNow));
  claims["aud"] = boost::json::array{"other", "switchboard"};
  EXPECT_TRUE(v.verify(hs256_token(claims), kNow));
}

// --- Identity claims ---

TEST(JwtVerifier, RejectsAMissingOrInvalidSubject) {
  for (boost::json::value bad :
       {boost::json::value(nullptr), boost::json::value(""), boost::json::value(7),
        boost::json::value("has space"), boost::json::value(std::string(129, 'u'))}) {
    auto claims = good_claims();
    claims["sub"] = bad;
    EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidSubject)
        << bad;
  }
  auto claims = good_claims();
  claims.erase("sub");
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidSubject);
}

TEST(JwtVerifier, RejectsAMissingOrInvalidOrg) {
  for (boost::json::value bad : {boost::json::value(""), boost::json::value(true),
                                 boost::json::value("org/a"), boost::json::value("ørg")}) {
    auto claims = good_claims();
    claims["org"] = bad;
    EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidOrg) << bad;
  }
  auto claims = good_claims();
  claims.erase("org");
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidOrg);
}

TEST(JwtVerifier, RejectsAMissingOrUnknownRole) {
  for (boost::json::value bad : {boost::json::value("Staff"), boost::json::value("root"),
                                 boost::json::value(""), boost::json::value(1)}) {
    auto claims = good_claims();
    claims["role"] = bad;
    EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidRole) << bad;
  }
  auto claims = good_claims();
  claims.erase("role");
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidRole);
}

TEST(JwtVerifier, RejectsANameThatIsNotAString) {
  auto claims = good_claims();
  claims["name"] = boost::json::array{"a"};
  EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidName);
}

TEST(JwtVerifier, ReadsTheSkillsClaimOfStaff) {
  auto claims = good_claims();
  auto p = hs256().verify(hs256_token(claims), kNow);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->skills.empty());
  claims["skills"] = boost::json::array{"billing", "tech"};
  p = hs256().verify(hs256_token(claims), kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->skills, (std::vector<std::string>{"billing", "tech"}));
  for (const boost::json::value& bad :
       {boost::json::value("billing"), boost::json::value(boost::json::array{1}),
        boost::json::value(boost::json::array{"not a topic"})}) {
    claims["skills"] = bad;
    EXPECT_EQ(error_of(hs256().verify(hs256_token(claims), kNow)), AuthError::kInvalidSkills);
  }
}

TEST(AuthError, HasShortReasonsInItsOwnCategory) {
  const boost::system::error_code ec = AuthError::kExpired;
  EXPECT_STREQ(ec.category().name(), "sb.auth");
  EXPECT_EQ(ec.message(), "token expired");
  EXPECT_EQ(boost::system::error_code(AuthError::kBadSignature).message(), "bad signature");
}

}  // namespace
}  // namespace sb::auth

namespace sb::auth {
namespace {

// --- The memory of verified tokens ---

TEST(JwtVerifierMemory, AVerifiedTokenStillExpiresWithTheClock) {
  const auto v = hs256();
  const std::string token = hs256_token(good_claims());  // exp = kNow + 600, leeway 30
  ASSERT_TRUE(v.verify(token, kNow));
  ASSERT_TRUE(v.verify(token, kNow + 629));
  EXPECT_EQ(error_of(v.verify(token, kNow + 630)), AuthError::kExpired);
}

TEST(JwtVerifierMemory, OnlyTheSameBytesAreRemembered) {
  const auto v = hs256();
  const std::string token = hs256_token(good_claims());
  ASSERT_TRUE(v.verify(token, kNow));
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(v.verify(forged, kNow)), AuthError::kBadSignature);
  EXPECT_TRUE(v.verify(token, kNow));
}

TEST(JwtVerifierMemory, ATokenNotYetValidIsNotRememberedAsRefusedOrAccepted) {
  const auto v = hs256();
  auto claims = good_claims();
  claims["nbf"] = kNow + 100;
  const std::string token = hs256_token(claims);
  EXPECT_EQ(error_of(v.verify(token, kNow)), AuthError::kNotYetValid);
  EXPECT_TRUE(v.verify(token, kNow + 100));
}

TEST(VerifiedTokens, ForgetsEverythingWhenFullAndSkipsHugeTokens) {
  VerifiedTokens memory;
  Principal p;
  p.expires_at_s = 100;
  for (std::size_t i = 0; i < VerifiedTokens::kMaxEntries; ++i) {
    memory.remember("token-" + std::to_string(i), p, memory.generation());
  }
  EXPECT_TRUE(memory.find("token-0", 0));
  memory.remember("one-more", p, memory.generation());
  EXPECT_FALSE(memory.find("token-0", 0));
  EXPECT_TRUE(memory.find("one-more", 0));
  EXPECT_FALSE(memory.find("one-more", 100));  // exp at or before the cut-off
  const std::string huge(VerifiedTokens::kMaxTokenBytes + 1, 'x');
  memory.remember(huge, p, memory.generation());
  EXPECT_FALSE(memory.find(huge, 0));
}

TEST(VerifiedTokens, ForgetAllDropsEntriesAndRemembersVerifiedBeforeIt) {
  VerifiedTokens memory;
  Principal p;
  p.expires_at_s = 100;
  memory.remember("kept-until-forget", p, memory.generation());
  const auto before = memory.generation();
  memory.forget_all();
  EXPECT_FALSE(memory.find("kept-until-forget", 0));
  // Verified with a key that was withdrawn while verifying: not remembered.
  memory.remember("verified-before", p, before);
  EXPECT_FALSE(memory.find("verified-before", 0));
  memory.remember("verified-after", p, memory.generation());
  EXPECT_TRUE(memory.find("verified-after", 0));
}

}  // namespace
}  // namespace sb::auth
