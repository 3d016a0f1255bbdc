// SHA-256 through OpenSSL's SHA256_Init/Update/Final (see sha256.h for why not EVP).
#include "lang/sha256.h"

// OpenSSL 3 marks these deprecated in favour of EVP; they remain supported and need no provider.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace upgrade {

struct Sha256::Context {
  SHA256_CTX state;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) { SHA256_Init(&context_->state); }

Sha256::~Sha256() = default;

void Sha256::Update(std::string_view bytes) {
  SHA256_Update(&context_->state, bytes.data(), bytes.size());
}

std::string Sha256::FinishHex() {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &context_->state);
  static const char* kHex = "0123456789abcdef";
  std::string hex(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return hex;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 digest;
  digest.Update(bytes);
  return digest.FinishHex();
}

}  // namespace upgrade
