// What tests see of durability: the syncs made while a recorder lives (state/atomic_file.h's
// sync observer), so a test can assert what a change put on disk before it returned.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace upgrade::testing {

/// Records every sync made while it lives as "KIND PATH", PATH relative to `root` ("." for
/// `root` itself). One at a time: it owns the process's sync observer.
class SyncRecorder {
 public:
  explicit SyncRecorder(std::string root);
  ~SyncRecorder();
  SyncRecorder(const SyncRecorder&) = delete;
  SyncRecorder& operator=(const SyncRecorder&) = delete;

  /// The syncs recorded since the last call, in the order they were made.
  std::vector<std::string> Take();

 private:
  std::string root_;
  std::mutex mutex_;
  std::vector<std::string> syncs_;
};

}  // namespace upgrade::testing
