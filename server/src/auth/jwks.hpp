#pragma once
// Keys published by an identity provider as a JSON Web Key Set (RFC 7517), chosen by the
// token's `kid`. Only JWKs that fit the configured algorithm are kept: with RS256 pinned, an EC
// key (or an RSA key marked for another algorithm) is never used, so the published set can
// not widen what the server accepts.

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt_algorithm.hpp"
#include "auth/public_key.hpp"

namespace sb::auth {

/// Keys by `kid`.
using JwkSet = std::map<std::string, std::shared_ptr<const PublicKey>, std::less<>>;

struct ParsedJwks {
  JwkSet keys;
  /// JWKs left out: no `kid`, a `kid` seen before, another key type or `alg`, not for
  /// signatures, or not a valid key.
  int ignored = 0;
};

/// A JWKS document (`{"keys": [...]}`): its keys usable with `algorithm` (RS256 or ES256).
/// nullopt when the text is not a JSON object with a `keys` array.
std::optional<ParsedJwks> parse_jwks(std::string_view json, JwtAlgorithm algorithm);

/// One JWK as a key for `algorithm`: RSA `n`/`e` (2048 bits or more) for RS256, EC P-256
/// `x`/`y` for ES256. Null when its `kty`, `crv`, `alg`, `use` or `key_ops` do not fit, or its
/// numbers are not a valid public key.
std::shared_ptr<const PublicKey> public_key_from_jwk(const boost::json::object& jwk,
                                                     JwtAlgorithm algorithm);

/// The keys in use, read by verifying threads while the refresher replaces them.
class KeySet {
 public:
  std::shared_ptr<const PublicKey> find(std::string_view kid) const;
  /// Installs `keys`. True when a key of the previous set is gone or now different, so tokens
  /// it verified must not be trusted any longer.
  bool replace(JwkSet keys);
  /// Whether a key set was installed yet (an empty one counts).
  bool loaded() const;

 private:
  mutable std::mutex mutex_;
  JwkSet keys_;
  bool loaded_ = false;
};

}  // namespace sb::auth
