// SCRAM-SHA-256 verifier checks; see scram.h.
#include "providers/postgres/scram.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <vector>

namespace upgrade::postgres {
namespace {

std::vector<unsigned char> Base64Decode(const std::string& text) {
  std::vector<unsigned char> out(text.size());
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return {};
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace

bool ScramMatches(const std::string& password, const std::string& verifier) {
  const std::string prefix = "SCRAM-SHA-256$";
  if (verifier.compare(0, prefix.size(), prefix) != 0) return false;
  size_t colon = verifier.find(':', prefix.size());
  size_t dollar = verifier.find('$', prefix.size());
  size_t colon2 = verifier.find(':', dollar);
  if (colon == std::string::npos || dollar == std::string::npos || colon2 == std::string::npos)
    return false;
  int iterations = std::atoi(verifier.substr(prefix.size(), colon - prefix.size()).c_str());
  std::vector<unsigned char> salt = Base64Decode(verifier.substr(colon + 1, dollar - colon - 1));
  std::vector<unsigned char> stored = Base64Decode(verifier.substr(dollar + 1, colon2 - dollar - 1));
  if (iterations <= 0 || salt.empty() || stored.size() != SHA256_DIGEST_LENGTH) return false;
  unsigned char salted[SHA256_DIGEST_LENGTH];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        sizeof salted, salted) != 1)
    return false;
  unsigned char client_key[SHA256_DIGEST_LENGTH];
  unsigned int length = 0;
  const char* label = "Client Key";
  HMAC(EVP_sha256(), salted, sizeof salted, reinterpret_cast<const unsigned char*>(label), 10,
       client_key, &length);
  unsigned char stored_key[SHA256_DIGEST_LENGTH];
  SHA256(client_key, sizeof client_key, stored_key);
  return std::equal(stored.begin(), stored.end(), stored_key);
}

}  // namespace upgrade::postgres
