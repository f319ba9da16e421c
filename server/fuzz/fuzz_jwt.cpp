// libFuzzer target for JWT verification (auth/jwt_verifier), the first thing every request
// and WebSocket hello goes through. The first input byte picks what the rest is:
//   0: a whole token, as a client sends it;
//   1: the claims JSON of a token signed with the right HS256 secret, so the claim checks
//      (times, issuer, audience, subject, org, role, name) are reached past the signature;
//   2: the header JSON of such a token (alg, typ, crit, kid ...), with fixed valid claims;
//   3: PEM text given as a public key (the RS256/ES256 key loading).

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/jwt_verifier.hpp"

namespace {

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef-0123456789";
constexpr std::int64_t kNow = 1'800'000'000;

std::string base64url(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::string signed_token(std::string_view header, std::string_view claims) {
  const std::string input = base64url(header) + "." + base64url(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), len));
}

const sb::auth::JwtVerifier& verifier() {
  static const auto v =
      sb::auth::JwtVerifier::create(
          {sb::auth::JwtAlgorithm::kHs256, std::string(kSecret), "issuer-x", std::nullopt, 30})
          .value();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      (void)verifier().verify(rest, kNow);
      break;
    case 1:
      (void)verifier().verify(signed_token(R"({"alg":"HS256","typ":"JWT"})", rest), kNow);
      break;
    case 2:
      (void)verifier().verify(
          signed_token(rest,
                       R"({"sub":"u","org":"o","role":"staff","iss":"issuer-x","exp":1800000100})"),
          kNow);
      break;
    default:
      (void)sb::auth::detect_public_key_algorithm(rest);
      (void)sb::auth::JwtVerifier::create({sb::auth::JwtAlgorithm::kEs256, std::string(rest)});
      break;
  }
  return 0;
}
