#include "auth/jwt_verifier.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <boost/json.hpp>
#include <cstring>
#include <limits>
#include <utility>

// Signatures are checked with OpenSSL directly rather than through libjwt: libjwt 1.10 takes the
// algorithm from the token header, compares HMACs with strcmp (not constant time), refuses any
// `typ` other than "JWT" and re-parses the PEM key for every token.

namespace sb::auth {

struct JwtVerifier::Key {
  explicit Key(EVP_PKEY* k) : pkey(k) {}
  ~Key() { EVP_PKEY_free(pkey); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  EVP_PKEY* pkey;
};

namespace {

// Real tokens are a few hundred bytes; the cap bounds the work an unauthenticated caller can cause.
constexpr std::size_t kMaxTokenBytes = 8 * 1024;
constexpr int kMinRsaBits = 2048;
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
    }
    return "unknown auth error";
  }
};

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Unpadded base64url (RFC 7515 section 2).
std::optional<std::string> base64url_decode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = base64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFFu));
      acc &= (1u << bits) - 1u;
    }
  }
  return out;
}

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

EVP_PKEY* read_public_key(std::string_view pem) {
  if (pem.empty() || pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return nullptr;
  }
  EVP_PKEY* key = nullptr;
  if (BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))) {
    key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  }
  if (key == nullptr) {
    // Issuers often publish a certificate rather than a bare key.
    if (BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))) {
      if (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        key = X509_get_pubkey(cert);
        X509_free(cert);
      }
      BIO_free(bio);
    }
  }
  ERR_clear_error();
  return key;
}

std::optional<JwtAlgorithm> algorithm_of(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) < kMinRsaBits) return std::nullopt;
    return JwtAlgorithm::kRs256;
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    std::array<char, 64> group{};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) != 1) return std::nullopt;
    const std::string_view name(group.data(), len);
    if (name == "prime256v1" || name == "P-256") return JwtAlgorithm::kEs256;
  }
  return std::nullopt;
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

std::string_view to_string(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kHs256:
      return "HS256";
    case JwtAlgorithm::kRs256:
      return "RS256";
    case JwtAlgorithm::kEs256:
      return "ES256";
  }
  return "HS256";
}

std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view text) {
  for (auto a : {JwtAlgorithm::kHs256, JwtAlgorithm::kRs256, JwtAlgorithm::kEs256}) {
    if (text == to_string(a)) return a;
  }
  return std::nullopt;
}

boost::system::result<JwtAlgorithm> detect_public_key_algorithm(std::string_view pem) {
  EVP_PKEY* key = read_public_key(pem);
  if (key == nullptr) return make_error_code(AuthError::kInvalidKey);
  auto algorithm = algorithm_of(key);
  EVP_PKEY_free(key);
  if (!algorithm) return make_error_code(AuthError::kInvalidKey);
  return *algorithm;
}

JwtVerifier::JwtVerifier(JwtConfig config, std::shared_ptr<const Key> key)
    : config_(std::move(config)), key_(std::move(key)) {}

boost::system::result<JwtVerifier> JwtVerifier::create(JwtConfig config) {
  if (config.leeway_s < 0) return make_error_code(AuthError::kInvalidConfig);
  if (config.algorithm == JwtAlgorithm::kHs256) {
    // A PEM block as the HMAC secret is the classic key-confusion misconfiguration.
    if (config.key.empty() || config.key.find("-----BEGIN") != std::string::npos ||
        config.key.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      return make_error_code(AuthError::kInvalidKey);
    }
    return JwtVerifier(std::move(config), nullptr);
  }
  EVP_PKEY* pkey = read_public_key(config.key);
  if (pkey == nullptr) return make_error_code(AuthError::kInvalidKey);
  auto key = std::make_shared<const Key>(pkey);
  if (algorithm_of(pkey) != config.algorithm) return make_error_code(AuthError::kInvalidKey);
  return JwtVerifier(std::move(config), std::move(key));
}

boost::system::result<Principal> JwtVerifier::verify(std::string_view token,
                                                     std::int64_t now_s) const {
  if (auto known = verified_->find(token, now_s - config_.leeway_s)) return std::move(*known);
  auto checked = check(token, now_s);
  if (checked) verified_->remember(token, *checked);
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

  bool signature_ok = false;
  switch (config_.algorithm) {
    case JwtAlgorithm::kHs256:
      signature_ok = verify_hs256(config_.key, signing_input, *signature);
      break;
    case JwtAlgorithm::kRs256:
      signature_ok = verify_with_public_key(key_->pkey, signing_input, *signature);
      break;
    case JwtAlgorithm::kEs256:
      if (auto der = es256_signature_to_der(*signature)) {
        signature_ok = verify_with_public_key(key_->pkey, signing_input, *der);
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
