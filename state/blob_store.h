// The content-addressed blob store of a state directory (`blobs/`): previous file contents,
// directory tarballs, database dumps that undo records and snapshots refer to by name.
#pragma once

#include <atomic>
#include <string>

#include "providers/provider.h"

namespace upgrade {

/// BlobStore on the local file system: blob "sha256:<hex>" lives at `DIR/<hex>`. Writes are
/// atomic (a temp file renamed into place), so a blob either exists whole or not at all.
class FileBlobStore : public BlobStore {
 public:
  /// Uses `dir` (created on first write).
  explicit FileBlobStore(std::string dir);

  std::optional<std::string> PutBytes(const std::string& bytes, std::string* error) override;
  std::optional<std::string> AdoptFile(const std::string& path, std::string* error) override;
  std::string NewTempPath() override;
  std::string PathOf(const std::string& name) const override;
  std::optional<std::string> GetBytes(const std::string& name, std::string* error) const override;

 private:
  bool EnsureDirs(std::string* error);

  std::string dir_;
  std::atomic<unsigned> temp_counter_{0};
};

}  // namespace upgrade
