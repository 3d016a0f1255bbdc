// SHA-256 in lower-case hex, the one digest the project uses for content, pins and secrets.
// Through GNU Nettle, linked statically: as fast as OpenSSL's (both use the CPU's SHA
// instructions), while loading libcrypto into every process cost about 0.7 ms per command,
// and OpenSSL's EVP interface first loads and indexes every algorithm of its default provider.
#pragma once

#include <memory>
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
  std::unique_ptr<Context> context_;
};

/// Hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace upgrade
