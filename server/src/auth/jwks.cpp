#include "auth/jwks.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "auth/base64url.hpp"

namespace sb::auth {
namespace {

constexpr std::size_t kMaxKidChars = 256;
constexpr std::size_t kP256CoordinateBytes = 32;
// Public exponents are 65537 in practice; a long one only costs verification time.
constexpr std::size_t kMaxRsaExponentBytes = 8;
constexpr std::size_t kMaxRsaModulusBytes = 2048;  // 16384 bits

const boost::json::string* member_string(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v == nullptr ? nullptr : v->if_string();
}

// `alg`, `use` and `key_ops` are optional; when present they must allow our use of the key.
bool meant_for(const boost::json::object& jwk, JwtAlgorithm algorithm) {
  if (const auto* alg = jwk.if_contains("alg")) {
    if (!alg->is_string() || alg->get_string() != to_string(algorithm)) return false;
  }
  if (const auto* use = jwk.if_contains("use")) {
    if (!use->is_string() || use->get_string() != "sig") return false;
  }
  if (const auto* ops = jwk.if_contains("key_ops")) {
    if (!ops->is_array()) return false;
    bool verify = false;
    for (const auto& op : ops->get_array()) {
      const auto* name = op.if_string();
      verify = verify || (name != nullptr && *name == "verify");
    }
    if (!verify) return false;
  }
  return true;
}

std::optional<std::string> decoded_member(const boost::json::object& jwk, std::string_view name) {
  const auto* text = member_string(jwk, name);
  if (text == nullptr || text->empty()) return std::nullopt;
  return base64url_decode(*text);
}

const unsigned char* bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Builds the key from OSSL parameters that `add` puts into the builder.
template <typename AddParams>
EVP_PKEY* key_from_params(const char* type, AddParams add) {
  EVP_PKEY* key = nullptr;
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  if (builder != nullptr && ctx != nullptr && add(builder) &&
      (params = OSSL_PARAM_BLD_to_param(builder)) != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(builder);
  return key;
}

EVP_PKEY* rsa_key(const boost::json::object& jwk) {
  const auto n = decoded_member(jwk, "n");
  const auto e = decoded_member(jwk, "e");
  if (!n || !e || n->size() > kMaxRsaModulusBytes || e->size() > kMaxRsaExponentBytes) {
    return nullptr;
  }
  BIGNUM* modulus = BN_bin2bn(bytes(*n), static_cast<int>(n->size()), nullptr);
  BIGNUM* exponent = BN_bin2bn(bytes(*e), static_cast<int>(e->size()), nullptr);
  EVP_PKEY* key = nullptr;
  if (modulus != nullptr && exponent != nullptr) {
    key = key_from_params("RSA", [&](OSSL_PARAM_BLD* b) {
      return OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, modulus) == 1 &&
             OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, exponent) == 1;
    });
  }
  BN_free(modulus);
  BN_free(exponent);
  return key;
}

EVP_PKEY* p256_key(const boost::json::object& jwk) {
  const auto* crv = member_string(jwk, "crv");
  const auto x = decoded_member(jwk, "x");
  const auto y = decoded_member(jwk, "y");
  if (crv == nullptr || *crv != "P-256" || !x || !y || x->size() != kP256CoordinateBytes ||
      y->size() != kP256CoordinateBytes) {
    return nullptr;
  }
  // SEC 1 uncompressed point: 0x04, x, y. OpenSSL refuses a point that is not on the curve.
  const std::string point = '\x04' + *x + *y;
  static constexpr char kGroup[] = "prime256v1";
  return key_from_params("EC", [&](OSSL_PARAM_BLD* b) {
    return OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, kGroup, 0) == 1 &&
           OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size()) == 1;
  });
}

bool passes_public_check(EVP_PKEY* key) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  const bool ok = ctx != nullptr && EVP_PKEY_public_check(ctx) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

}  // namespace

std::shared_ptr<const PublicKey> public_key_from_jwk(const boost::json::object& jwk,
                                                     JwtAlgorithm algorithm) {
  const auto* kty = member_string(jwk, "kty");
  if (kty == nullptr || !meant_for(jwk, algorithm)) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (algorithm == JwtAlgorithm::kRs256 && *kty == "RSA") raw = rsa_key(jwk);
  if (algorithm == JwtAlgorithm::kEs256 && *kty == "EC") raw = p256_key(jwk);
  if (raw != nullptr && !passes_public_check(raw)) {
    EVP_PKEY_free(raw);
    raw = nullptr;
  }
  ERR_clear_error();
  if (raw == nullptr) return nullptr;
  auto key = std::make_shared<const PublicKey>(raw);
  return key->algorithm() == algorithm ? key : nullptr;
}

std::optional<ParsedJwks> parse_jwks(std::string_view json, JwtAlgorithm algorithm) {
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(json, ec);
  const auto* root = ec ? nullptr : doc.if_object();
  const auto* keys = root == nullptr ? nullptr : root->if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return std::nullopt;
  ParsedJwks out;
  for (const auto& item : keys->get_array()) {
    const auto* jwk = item.if_object();
    const auto* kid = jwk == nullptr ? nullptr : member_string(*jwk, "kid");
    auto key = kid == nullptr || kid->empty() || kid->size() > kMaxKidChars
                   ? nullptr
                   : public_key_from_jwk(*jwk, algorithm);
    // A kid that names two usable keys is ambiguous: the first one published wins.
    if (key == nullptr || !out.keys.emplace(std::string(*kid), std::move(key)).second) {
      ++out.ignored;
    }
  }
  return out;
}

std::shared_ptr<const PublicKey> KeySet::find(std::string_view kid) const {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second;
}

bool KeySet::replace(JwkSet keys) {
  std::lock_guard lock(mutex_);
  bool lost = false;
  for (const auto& [kid, old_key] : keys_) {
    auto it = keys.find(kid);
    lost = lost || it == keys.end() || !it->second->same_as(*old_key);
  }
  keys_ = std::move(keys);
  loaded_ = true;
  return lost;
}

bool KeySet::loaded() const {
  std::lock_guard lock(mutex_);
  return loaded_;
}

}  // namespace sb::auth
