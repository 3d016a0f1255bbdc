// Streaming digests over OpenSSL EVP (see s3_digest.h).
#include "providers/s3/s3_digest.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace upgrade::s3 {

struct Digest::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Digest::Digest(Kind kind) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(impl_->ctx, kind == Kind::kMd5 ? EVP_md5() : EVP_sha256(), nullptr);
}

Digest::~Digest() { EVP_MD_CTX_free(impl_->ctx); }

void Digest::Update(const char* data, size_t size) {
  EVP_DigestUpdate(impl_->ctx, data, size);
}

std::string Digest::RawDigest() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(impl_->ctx, out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string Digest::HexDigest() { return HexOf(RawDigest()); }

std::string HexOf(const std::string& raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

std::string Base64Of(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(raw.data()),
                             static_cast<int>(raw.size()));
  out.resize(size);
  return out;
}

std::string Md5Raw(const std::string& bytes) {
  Digest digest(Digest::Kind::kMd5);
  digest.Update(bytes);
  return digest.RawDigest();
}

std::string Md5Hex(const std::string& bytes) { return HexOf(Md5Raw(bytes)); }

std::string Sha256HexOf(const std::string& bytes) {
  Digest digest(Digest::Kind::kSha256);
  digest.Update(bytes);
  return digest.HexDigest();
}

std::string MultipartEtag(const std::vector<std::string>& raw_part_md5s) {
  if (raw_part_md5s.size() == 1) return HexOf(raw_part_md5s[0]);
  Digest digest(Digest::Kind::kMd5);
  for (const std::string& part : raw_part_md5s) digest.Update(part);
  return digest.HexDigest() + "-" + std::to_string(raw_part_md5s.size());
}

bool HashFile(const std::string& path, std::string* md5_hex, std::string* sha256_hex,
              std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  Digest md5(Digest::Kind::kMd5);
  Digest sha256(Digest::Kind::kSha256);
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    md5.Update(buffer.data(), static_cast<size_t>(got));
    sha256.Update(buffer.data(), static_cast<size_t>(got));
  }
  if (in.bad()) {
    *error = "cannot read " + path;
    return false;
  }
  if (md5_hex) *md5_hex = md5.HexDigest();
  if (sha256_hex) *sha256_hex = sha256.HexDigest();
  return true;
}

}  // namespace upgrade::s3
