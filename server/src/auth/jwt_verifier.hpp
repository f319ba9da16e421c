#pragma once
// Verifies the integrating app's JWTs (docs/api.md#identity). The accepted algorithm is fixed by
// configuration; the token's header never chooses it. The key is configured, or chosen by the
// token's `kid` from the identity provider's key set (--jwt-jwks-url, auth/jwks.hpp).

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "auth/jwks.hpp"
#include "auth/jwt_algorithm.hpp"
#include "auth/principal.hpp"
#include "auth/public_key.hpp"
#include "auth/verified_tokens.hpp"

namespace sb::auth {

/// Why a key or a token was refused. Each message is a short reason for logs; the REST layer
/// answers every one of them with `401 unauthenticated`.
enum class AuthError {
  kInvalidKey = 1,
  kInvalidConfig,
  kMalformedToken,
  kAlgorithmMismatch,
  kBadSignature,
  kInvalidTimeClaim,
  kMissingExpiry,
  kExpired,
  kNotYetValid,
  kIssuedInFuture,
  kWrongIssuer,
  kWrongAudience,
  kInvalidSubject,
  kInvalidOrg,
  kInvalidRole,
  kInvalidName,
  kInvalidSkills,
  kUnknownKey,
};

const boost::system::error_category& auth_category() noexcept;
boost::system::error_code make_error_code(AuthError e) noexcept;

/// RS256 for an RSA key, ES256 for an EC P-256 key, given PEM text of a public key (or of a
/// certificate). kInvalidKey for anything else.
boost::system::result<JwtAlgorithm> detect_public_key_algorithm(std::string_view pem);

struct JwtConfig {
  JwtAlgorithm algorithm = JwtAlgorithm::kHs256;
  /// The HS256 shared secret, or the PEM text of the RS256/ES256 public key; empty with
  /// keys_from_jwks.
  std::string key = {};
  std::optional<std::string> issuer = std::nullopt;
  std::optional<std::string> audience = std::nullopt;
  std::int64_t leeway_s = 30;
  /// RS256 or ES256 keys installed by replace_jwks() and chosen by the token's `kid`.
  bool keys_from_jwks = false;
};

/// Its configuration is immutable once created, and it remembers tokens it verified behind a
/// lock, so one instance may verify from many threads at once.
class JwtVerifier {
 public:
  /// kInvalidKey for an empty secret, a secret that is a PEM block, or a PEM key that is not
  /// readable or not of the configured algorithm's type (RSA of 2048+ bits, EC P-256).
  /// kInvalidConfig for keys_from_jwks with HS256.
  static boost::system::result<JwtVerifier> create(JwtConfig config);

  /// Checks the signature with the configured algorithm and key, then the claims against
  /// `now_s` (seconds since the epoch) with the configured leeway: `exp` required, `nbf`/`iat`
  /// optional, `iss`/`aud` when configured, `sub`/`org` valid ids, `role` known. With
  /// keys_from_jwks the key is the one installed under the header's `kid`: kUnknownKey when
  /// there is none (and the unknown-kid handler runs).
  boost::system::result<Principal> verify(std::string_view token, std::int64_t now_s) const;

  JwtAlgorithm algorithm() const { return config_.algorithm; }

  /// keys_from_jwks: installs the identity provider's current keys (thread-safe). When a key
  /// that was installed is gone or changed, the tokens verified so far are forgotten, so none
  /// is accepted with a key the provider withdrew.
  void replace_jwks(JwkSet keys);
  /// keys_from_jwks: runs on the verifying thread whenever a token names a `kid` that is not
  /// installed, so the caller can refresh the key set. Set before verifying.
  void on_unknown_kid(std::function<void()> handler);
  /// False until the first key set is installed (keys_from_jwks); true otherwise.
  bool has_keys() const;

 private:
  struct Jwks;
  JwtVerifier(JwtConfig config, std::shared_ptr<const PublicKey> key);
  /// Everything `verify` checks, without the memory of verified tokens.
  boost::system::result<Principal> check(std::string_view token, std::int64_t now_s) const;

  JwtConfig config_;
  std::shared_ptr<const PublicKey> key_;  // The configured public key; null for HS256 and JWKS.
  std::shared_ptr<Jwks> jwks_;            // With keys_from_jwks only.
  std::shared_ptr<VerifiedTokens> verified_ = std::make_shared<VerifiedTokens>();
};

}  // namespace sb::auth

template <>
struct boost::system::is_error_code_enum<sb::auth::AuthError> : std::true_type {};
