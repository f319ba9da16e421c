#include "auth/public_key.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <limits>

namespace sb::auth {
namespace {

constexpr int kMinRsaBits = 2048;

}  // namespace

PublicKey::~PublicKey() {
  EVP_PKEY_free(key_);
}

std::optional<JwtAlgorithm> PublicKey::algorithm() const {
  if (EVP_PKEY_is_a(key_, "RSA")) {
    if (EVP_PKEY_get_bits(key_) < kMinRsaBits) return std::nullopt;
    return JwtAlgorithm::kRs256;
  }
  if (EVP_PKEY_is_a(key_, "EC")) {
    std::array<char, 64> group{};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(key_, group.data(), group.size(), &len) != 1) return std::nullopt;
    const std::string_view name(group.data(), len);
    if (name == "prime256v1" || name == "P-256") return JwtAlgorithm::kEs256;
  }
  return std::nullopt;
}

bool PublicKey::same_as(const PublicKey& other) const {
  return EVP_PKEY_eq(key_, other.key_) == 1;
}

std::shared_ptr<const PublicKey> read_pem_public_key(std::string_view pem) {
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
  return key == nullptr ? nullptr : std::make_shared<const PublicKey>(key);
}

}  // namespace sb::auth
