#include "auth/jwt_verifier.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "auth/base64url.hpp"

// Signatures are checked with OpenSSL directly rather than through libjwt: libjwt 1.10 takes the
// algorithm from the token header, compares HMACs with strcmp (not constant time), refuses any
// `typ` other than "JWT" and re-parses the PEM key for every token.

namespace sb::auth {

struct JwtVerifier::Jwks {
  KeySet keys;
  std::function<void()> on_unknown_kid;
};

namespace {

// Real tokens are a few hundred bytes; the cap bounds the work an unauthenticated caller can cause.
constexpr std::size_t kMaxTokenBytes = 8 * 1024;
constexpr std::size_t kEs256CoordinateBytes = 32;

class AuthCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sb.auth"; }

  std::string message(int ev) const override {
    switch (static_cast<AuthError>(ev)) {
      case AuthError::kInvalidKey:
        return "invalid verification key";
      case AuthError::kInvalidConfig:
        return "invalid verifier configuration";
      case AuthError::kMalformedToken:
        return "malformed token";
      case AuthError::kAlgorithmMismatch:
        return "token algorithm is not the configured one";
      case AuthError::kBadSignature:
        return "bad signature";
      case AuthError::kInvalidTimeClaim:
        return "exp, nbf or iat is not a number";
      case AuthError::kMissingExpiry:
        return "token has no exp";
      case AuthError::kExpired:
        return "token expired";
      case AuthError::kNotYetValid:
        return "token not valid yet (nbf)";
      case AuthError::kIssuedInFuture:
        return "token issued in the future (iat)";
      case AuthError::kWrongIssuer:
        return "wrong issuer";
      case AuthError::kWrongAudience:
        return "wrong audience";
      case AuthError::kInvalidSubject:
        return "missing or invalid sub";
      case AuthError::kInvalidOrg:
        return "missing or invalid org";
      case AuthError::kInvalidRole:
        return "missing or unknown role";
      case AuthError::kInvalidName:
        return "name is not a string";
      case AuthError::kInvalidSkills:
        return "skills is not a list of topic ids";
      case AuthError::kUnknownKey:
        return "no key with the token's kid";
    }
    return "unknown auth error";
  }
};

std::optional<boost::json::object> decode_json_object(std::string_view segment) {
  auto text = base64url_decode(segment);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool verify_hs256(const std::string& secret, std::string_view signing_input,
                  std::string_view signature) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), bytes(signing_input),
           signing_input.size(), mac.data(), &mac_len) == nullptr) {
    return false;
  }
  return signature.size() == mac_len && CRYPTO_memcmp(mac.data(), signature.data(), mac_len) == 0;
}

// JWS carries ES256 signatures as the raw 32-byte r and s; OpenSSL verifies DER.
std::optional<std::string> es256_signature_to_der(std::string_view raw) {
  if (raw.size() != 2 * kEs256CoordinateBytes) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (sig == nullptr) return std::nullopt;
  BIGNUM* r = BN_bin2bn(bytes(raw), kEs256CoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + kEs256CoordinateBytes, kEs256CoordinateBytes, nullptr);
  std::optional<std::string> der;
  if (r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // Owned by sig now.
    const int len = i2d_ECDSA_SIG(sig, nullptr);
    if (len > 0) {
      std::string out(static_cast<std::size_t>(len), '\0');
      auto* p = reinterpret_cast<unsigned char*>(out.data());
      if (i2d_ECDSA_SIG(sig, &p) == len) der = std::move(out);
    }
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

bool verify_with_public_key(EVP_PKEY* key, std::string_view signing_input,
                            std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                  EVP_DigestVerify(ctx, bytes(signature), signature.size(), bytes(signing_input),
                                   signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// NumericDate (RFC 7519 section 2): any JSON number, fractions allowed.
enum class TimeClaim { kAbsent, kPresent, kInvalid };

TimeClaim read_time(const boost::json::object& claims, std::string_view name, std::int64_t& out) {
  const boost::json::value* v = claims.if_contains(name);
  if (v == nullptr) return TimeClaim::kAbsent;
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  if (v->is_int64()) {
    out = v->get_int64();
  } else if (v->is_uint64()) {
    out = kMax;  // Only values above int64 range are stored as uint64.
  } else if (v->is_double()) {
    const double d = v->get_double();
    if (std::isnan(d)) return TimeClaim::kInvalid;  // No time at all (libFuzzer found one).
    if (d >= 9.0e18) {
      out = kMax;
    } else if (d <= -9.0e18) {
      out = kMin;
    } else {
      out = static_cast<std::int64_t>(d);
      if (static_cast<double>(out) > d) --out;  // Floor, for negative fractions.
    }
  } else {
    return TimeClaim::kInvalid;
  }
  return TimeClaim::kPresent;
}

const boost::json::string* string_claim(const boost::json::object& claims, std::string_view name) {
  const boost::json::value* v = claims.if_contains(name);
  return v == nullptr ? nullptr : v->if_string();
}

bool audience_matches(const boost::json::value* aud, std::string_view expected) {
  if (aud == nullptr) return false;
  if (const auto* s = aud->if_string()) return *s == expected;
  if (const auto* a = aud->if_array()) {
    for (const auto& item : *a) {
      if (const auto* s = item.if_string(); s != nullptr && *s == expected) return true;
    }
  }
  return false;
}

}  // namespace

const boost::system::error_category& auth_category() noexcept {
  static const AuthCategory category;
  return category;
}

boost::system::error_code make_error_code(AuthError e) noexcept {
  return {static_cast<int>(e), auth_category()};
}

boost::system::result<JwtAlgorithm> detect_public_key_algorithm(std::string_view pem) {
  const auto key = read_pem_public_key(pem);
  const auto algorithm = key == nullptr ? std::nullopt : key->algorithm();
  if (!algorithm) return make_error_code(AuthError::kInvalidKey);
  return *algorithm;
}

JwtVerifier::JwtVerifier(JwtConfig config, std::shared_ptr<const PublicKey> key)
    : config_(std::move(config)), key_(std::move(key)) {}

boost::system::result<JwtVerifier> JwtVerifier::create(JwtConfig config) {
  if (config.leeway_s < 0) return make_error_code(AuthError::kInvalidConfig);
  if (config.keys_from_jwks) {
    if (config.algorithm == JwtAlgorithm::kHs256) return make_error_code(AuthError::kInvalidConfig);
    JwtVerifier verifier(std::move(config), nullptr);
    verifier.jwks_ = std::make_shared<Jwks>();
    return verifier;
  }
  if (config.algorithm == JwtAlgorithm::kHs256) {
    // A PEM block as the HMAC secret is the classic key-confusion misconfiguration.
    if (config.key.empty() || config.key.find("-----BEGIN") != std::string::npos ||
        config.key.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      return make_error_code(AuthError::kInvalidKey);
    }
    return JwtVerifier(std::move(config), nullptr);
  }
  auto key = read_pem_public_key(config.key);
  if (key == nullptr || key->algorithm() != config.algorithm) {
    return make_error_code(AuthError::kInvalidKey);
  }
  return JwtVerifier(std::move(config), std::move(key));
}

void JwtVerifier::replace_jwks(JwkSet keys) {
  if (!jwks_) return;
  if (jwks_->keys.replace(std::move(keys))) verified_->forget_all();
}

void JwtVerifier::on_unknown_kid(std::function<void()> handler) {
  if (jwks_) jwks_->on_unknown_kid = std::move(handler);
}

bool JwtVerifier::has_keys() const {
  return !jwks_ || jwks_->keys.loaded();
}

boost::system::result<Principal> JwtVerifier::verify(std::string_view token,
                                                     std::int64_t now_s) const {
  if (auto known = verified_->find(token, now_s - config_.leeway_s)) return std::move(*known);
  const auto generation = verified_->generation();
  auto checked = check(token, now_s);
  if (checked) verified_->remember(token, *checked, generation);
  return checked;
}

boost::system::result<Principal> JwtVerifier::check(std::string_view token,
                                                    std::int64_t now_s) const {
  if (token.empty() || token.size() > kMaxTokenBytes)
    return make_error_code(AuthError::kMalformedToken);
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return make_error_code(AuthError::kMalformedToken);
  }
  const auto header_b64 = token.substr(0, dot1);
  const auto payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const auto signing_input = token.substr(0, dot2);
  const auto header = decode_json_object(header_b64);
  const auto claims = decode_json_object(payload_b64);
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header || !claims || !signature) return make_error_code(AuthError::kMalformedToken);
  // RFC 7515 section 4.1.11: extensions listed in "crit" must be understood; we know none.
  if (header->contains("crit")) return make_error_code(AuthError::kMalformedToken);

  const auto* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != to_string(config_.algorithm)) {
    return make_error_code(AuthError::kAlgorithmMismatch);
  }

  const PublicKey* key = key_.get();
  std::shared_ptr<const PublicKey> by_kid;  // Holds the key while a refresh may replace the set.
  if (jwks_) {
    const auto* kid = header->if_contains("kid");
    if (kid == nullptr || !kid->is_string()) return make_error_code(AuthError::kUnknownKey);
    by_kid = jwks_->keys.find(kid->get_string());
    key = by_kid.get();
    if (key == nullptr) {
      if (jwks_->on_unknown_kid) jwks_->on_unknown_kid();
      return make_error_code(AuthError::kUnknownKey);
    }
  }

  bool signature_ok = false;
  switch (config_.algorithm) {
    case JwtAlgorithm::kHs256:
      signature_ok = verify_hs256(config_.key, signing_input, *signature);
      break;
    case JwtAlgorithm::kRs256:
      signature_ok = verify_with_public_key(key->get(), signing_input, *signature);
      break;
    case JwtAlgorithm::kEs256:
      if (auto der = es256_signature_to_der(*signature)) {
        signature_ok = verify_with_public_key(key->get(), signing_input, *der);
      }
      break;
  }
  ERR_clear_error();
  if (!signature_ok) return make_error_code(AuthError::kBadSignature);

  std::int64_t exp = 0;
  std::int64_t nbf = 0;
  std::int64_t iat = 0;
  const auto exp_state = read_time(*claims, "exp", exp);
  const auto nbf_state = read_time(*claims, "nbf", nbf);
  const auto iat_state = read_time(*claims, "iat", iat);
  if (exp_state == TimeClaim::kInvalid || nbf_state == TimeClaim::kInvalid ||
      iat_state == TimeClaim::kInvalid) {
    return make_error_code(AuthError::kInvalidTimeClaim);
  }
  // `now_s - leeway` and `now_s + leeway` stay in range for any real clock reading.
  const std::int64_t leeway = config_.leeway_s;
  if (exp_state == TimeClaim::kAbsent) return make_error_code(AuthError::kMissingExpiry);
  if (exp <= now_s - leeway) return make_error_code(AuthError::kExpired);
  if (nbf_state == TimeClaim::kPresent && nbf > now_s + leeway) {
    return make_error_code(AuthError::kNotYetValid);
  }
  if (iat_state == TimeClaim::kPresent && iat > now_s + leeway) {
    return make_error_code(AuthError::kIssuedInFuture);
  }

  if (config_.issuer) {
    const auto* iss = string_claim(*claims, "iss");
    if (iss == nullptr || *iss != *config_.issuer) return make_error_code(AuthError::kWrongIssuer);
  }
  if (config_.audience && !audience_matches(claims->if_contains("aud"), *config_.audience)) {
    return make_error_code(AuthError::kWrongAudience);
  }

  const auto* sub = string_claim(*claims, "sub");
  if (sub == nullptr || !is_valid_id(*sub)) return make_error_code(AuthError::kInvalidSubject);
  const auto* org = string_claim(*claims, "org");
  if (org == nullptr || !is_valid_id(*org)) return make_error_code(AuthError::kInvalidOrg);
  const auto* role_text = string_claim(*claims, "role");
  const auto role = role_text == nullptr ? std::nullopt : parse_role(*role_text);
  if (!role) return make_error_code(AuthError::kInvalidRole);

  Principal p;
  p.user_id = std::string(*sub);
  p.org_id = std::string(*org);
  p.role = *role;
  if (const auto* name = claims->if_contains("name"); name != nullptr && !name->is_null()) {
    if (!name->is_string()) return make_error_code(AuthError::kInvalidName);
    p.name = std::string(name->get_string());
  }
  if (p.name.empty()) p.name = p.user_id;
  if (const auto* skills = claims->if_contains("skills"); skills != nullptr && !skills->is_null()) {
    if (!skills->is_array()) return make_error_code(AuthError::kInvalidSkills);
    for (const auto& topic : skills->get_array()) {
      if (!topic.is_string() || !is_valid_id(topic.get_string())) {
        return make_error_code(AuthError::kInvalidSkills);
      }
      p.skills.emplace_back(topic.get_string());
    }
  }
  p.expires_at_s = exp;
  return p;
}

}  // namespace sb::auth
