// SHA-256 in lower-case hex, the one digest the project uses for content, pins and secrets.
// OpenSSL 3 looks a digest up by name on every EVP_sha256() init, which costs more than hashing
// a small value; here it is fetched once per process.
#pragma once

#include <string>
#include <string_view>

namespace upgrade {

/// A SHA-256 digest fed in pieces (a file far larger than memory, read in chunks).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  /// The digest of everything fed so far, as 64 hex digits; the object is spent afterwards.
  std::string FinishHex();

 private:
  struct Context;
  Context* context_;
};

/// Hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace upgrade
