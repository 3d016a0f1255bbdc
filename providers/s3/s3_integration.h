// What the s3 integration tests share: the s3rver that scripts/test-services.sh starts
// (UPGRADE_TEST_S3_ENDPOINT, keys S3RVER), awscli as an independent client, fresh bucket
// names, and a provider context with a real BlobStore.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "providers/provider.h"
#include "state/blob_store.h"
#include "tests/support/test_support.h"

namespace upgrade::s3::testing {

/// The s3rver endpoint; fails the test when the services are not running.
std::string Endpoint();
/// Connection attributes for s3rver, plus `extra`.
Value::Map Connection(Value::Map extra = {});
/// A bucket name no other test uses, e.g. "t-3f2a9c01".
std::string FreshBucket();

/// Runs `/usr/bin/aws --endpoint-url ENDPOINT args...` with the s3rver keys and no config.
upgrade::testing::CommandResult Aws(const std::vector<std::string>& args);

/// A ProviderContext whose BlobStore lives in a temporary state directory.
class Context {
 public:
  Context();
  ProviderContext& get() { return context_; }
  std::vector<std::string> progress() const { return progress_; }
  const std::string& state_dir() const { return dir_.path(); }

 private:
  upgrade::testing::TempDir dir_;
  std::unique_ptr<FileBlobStore> blobs_;
  ProviderContext context_;
  std::vector<std::string> progress_;
};

}  // namespace upgrade::s3::testing
