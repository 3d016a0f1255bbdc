// SHA-256 through GNU Nettle's sha256_* functions (see sha256.h for why Nettle).
#include "lang/sha256.h"

#include <nettle/sha2.h>

namespace upgrade {

struct Sha256::Context {
  sha256_ctx state;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) { sha256_init(&context_->state); }

Sha256::~Sha256() = default;

void Sha256::Update(std::string_view bytes) {
  sha256_update(&context_->state, bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
}

std::string Sha256::FinishHex() {
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&context_->state, SHA256_DIGEST_SIZE, digest);
  static const char* kHex = "0123456789abcdef";
  std::string hex(2 * SHA256_DIGEST_SIZE, '0');
  for (int i = 0; i < SHA256_DIGEST_SIZE; ++i) {
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
