#pragma once
// An OpenSSL public key that verifies RS256 or ES256 signatures, read from PEM (a configured
// key file) or built from a JWK (auth/jwks.hpp). Immutable once built, so it is shared freely.

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string_view>

#include "auth/jwt_algorithm.hpp"

namespace sb::auth {

class PublicKey {
 public:
  /// Takes ownership of `key` (not null).
  explicit PublicKey(EVP_PKEY* key) noexcept : key_(key) {}
  ~PublicKey();
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;

  EVP_PKEY* get() const { return key_; }
  /// RS256 for RSA of 2048 bits or more, ES256 for EC P-256; nullopt for any other key.
  std::optional<JwtAlgorithm> algorithm() const;
  /// The same key material (a JWKS refresh that republishes a kid with another key changes it).
  bool same_as(const PublicKey& other) const;

 private:
  EVP_PKEY* key_;
};

/// A PEM public key, or the key of a PEM certificate; null when neither can be read.
std::shared_ptr<const PublicKey> read_pem_public_key(std::string_view pem);

}  // namespace sb::auth
