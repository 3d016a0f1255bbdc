// Streaming MD5 and SHA-256 over OpenSSL's EVP API: S3 ETags are MD5s (of the bytes, or of the
// parts' MD5s for multipart uploads) and SigV4 payload hashes are SHA-256s.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace upgrade::s3 {

/// One running digest; feed it with Update, read it once with HexDigest or RawDigest.
class Digest {
 public:
  enum class Kind { kMd5, kSha256 };
  explicit Digest(Kind kind);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void Update(const char* data, size_t size);
  void Update(const std::string& bytes) { Update(bytes.data(), bytes.size()); }
  /// The digest as raw bytes; the digest is finished afterwards.
  std::string RawDigest();
  /// The digest as lower-case hex; the digest is finished afterwards.
  std::string HexDigest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string HexOf(const std::string& raw);
std::string Base64Of(const std::string& raw);
std::string Md5Raw(const std::string& bytes);
std::string Md5Hex(const std::string& bytes);
std::string Sha256HexOf(const std::string& bytes);

/// The ETag S3 gives an object uploaded in parts with these raw part MD5s: the MD5 of their
/// concatenation, "-", the number of parts. One part of a plain PUT: its MD5 alone.
std::string MultipartEtag(const std::vector<std::string>& raw_part_md5s);

/// Hashes a file with MD5 and SHA-256 in one pass; false and `*error` when it cannot be read.
bool HashFile(const std::string& path, std::string* md5_hex, std::string* sha256_hex,
              std::string* error);

}  // namespace upgrade::s3
