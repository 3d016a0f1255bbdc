// What the fs provider tests share: a provider with a blob store, whole-tree fingerprints
// (content, mode, existence, link targets) and one change driven through every verb.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "providers/fs/fs_provider.h"
#include "state/blob_store.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {

/// Every entry under `root`, one line each: relative path, kind, mode, and the content's
/// SHA-256 or the link's target. Two trees are byte-identical when their fingerprints are.
std::string TreeFingerprint(const std::string& root);

/// The uid and gid of `nobody`, the user other than root that tests act as.
constexpr unsigned kNobody = 65534;

/// Runs `check` as `nobody` when this process is root (in a forked child that has become
/// nobody), else in this process: its result, or 1 when the child could not become nobody
/// (and -1 when it did not exit).
int RunAsNobody(const std::function<int()>& check);

/// An fs provider with a blob store in a temporary state directory.
class FsFixture {
 public:
  FsFixture();
  ProviderContext& context() { return context_; }
  FsProvider& provider() { return provider_; }
  FileBlobStore& blobs() { return *blobs_; }

  /// A resource of `type` at `path`, with extra resource-block attributes.
  static ResourceConfig Resource(const std::string& type, const std::string& path,
                                 Value::Map extra = {});

  /// Read + Diff; the test fails on an error.
  Change Plan(const ResourceConfig& resource, const Value::Map& desired);
  /// Prepare; the undo record.
  Value Prepare(const ResourceConfig& resource, const Change& change);
  /// Apply; the new state. Fails the test on an error.
  State Apply(const ResourceConfig& resource, const Change& change, const Value& undo);
  /// Reverse; fails the test on an error.
  State Reverse(const ResourceConfig& resource, const Value& undo);

 private:
  TempDir state_dir_;
  std::unique_ptr<FileBlobStore> blobs_;
  FsProvider provider_;
  ProviderContext context_;
};

}  // namespace upgrade::testing
