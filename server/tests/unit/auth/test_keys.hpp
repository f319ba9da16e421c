#pragma once
// Key pairs and token signing for the auth tests: keys are generated with OpenSSL, tokens are
// signed with libjwt, so the verifier is checked against an independent implementation.

#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sb::auth::testing {

struct PemPair {
  std::string private_pem;
  std::string public_pem;
};

inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

inline PemPair pem_pair(EVP_PKEY* key) {
  if (key == nullptr) throw std::runtime_error("key generation failed");
  PemPair pair;
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  pair.private_pem = bio_text(priv);
  pair.public_pem = bio_text(pub);
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return pair;
}

inline const PemPair& rsa_key() {
  static const PemPair pair = pem_pair(EVP_RSA_gen(2048));
  return pair;
}
inline const PemPair& other_rsa_key() {
  static const PemPair pair = pem_pair(EVP_RSA_gen(2048));
  return pair;
}
inline const PemPair& small_rsa_key() {
  static const PemPair pair = pem_pair(EVP_RSA_gen(1024));
  return pair;
}
inline const PemPair& ec_key() {
  static const PemPair pair = pem_pair(EVP_EC_gen("P-256"));
  return pair;
}
inline const PemPair& p384_key() {
  static const PemPair pair = pem_pair(EVP_EC_gen("P-384"));
  return pair;
}

/// Signs `claims` with libjwt. `key` is the HS secret or a private key PEM; a non-empty `kid`
/// goes into the header.
inline std::string sign(jwt_alg_t alg, std::string_view key, const boost::json::object& claims,
                        const std::string& kid = "") {
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) throw std::runtime_error("jwt_new failed");
  const std::string json = boost::json::serialize(claims);
  std::string token;
  if (jwt_add_grants_json(jwt, json.c_str()) == 0 &&
      (kid.empty() || jwt_add_header(jwt, "kid", kid.c_str()) == 0) &&
      jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) == 0) {
    if (char* s = jwt_encode_str(jwt)) {
      token = s;
      std::free(s);
    }
  }
  jwt_free(jwt);
  if (token.empty()) throw std::runtime_error("signing failed");
  return token;
}

inline std::string base64url(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3F]);
  return out;
}

/// A token assembled by hand, for headers libjwt would not produce.
inline std::string raw_token(const boost::json::object& header, const boost::json::object& claims,
                             std::string_view signature) {
  return base64url(boost::json::serialize(header)) + "." +
         base64url(boost::json::serialize(claims)) + "." + base64url(signature);
}

inline std::string big_endian(const BIGNUM* n, int width = 0) {
  std::string out(static_cast<std::size_t>(width > 0 ? width : BN_num_bytes(n)), '\0');
  BN_bn2binpad(n, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  return out;
}

/// The public half of `pair` as a JWK: RSA `n`/`e` or EC P-256 `x`/`y`, with `kid`, `use` and
/// the `alg` it is meant for.
inline boost::json::object jwk_of(const PemPair& pair, const std::string& kid) {
  BIO* bio = BIO_new_mem_buf(pair.public_pem.data(), static_cast<int>(pair.public_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) throw std::runtime_error("unreadable public key");
  boost::json::object jwk{{"kid", kid}, {"use", "sig"}};
  BIGNUM* a = nullptr;
  BIGNUM* b = nullptr;
  if (EVP_PKEY_is_a(key, "RSA")) {
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &a);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &b);
    jwk["kty"] = "RSA";
    jwk["alg"] = "RS256";
    jwk["n"] = base64url(big_endian(a));
    jwk["e"] = base64url(big_endian(b));
  } else {
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &a);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &b);
    jwk["kty"] = "EC";
    jwk["alg"] = "ES256";
    jwk["crv"] = "P-256";
    jwk["x"] = base64url(big_endian(a, 32));
    jwk["y"] = base64url(big_endian(b, 32));
  }
  BN_free(a);
  BN_free(b);
  EVP_PKEY_free(key);
  return jwk;
}

}  // namespace sb::auth::testing
