// The sync recorder: installs itself as the sync observer and keeps what it is told.
#include "tests/support/sync_recorder.h"

#include <utility>

#include "state/atomic_file.h"

namespace upgrade::testing {

SyncRecorder::SyncRecorder(std::string root) : root_(std::move(root)) {
  ObserveSyncs([this](const std::string& sync) {
    size_t space = sync.find(' ');
    std::string path = sync.substr(space + 1);
    if (path == root_) {
      path = ".";
    } else if (path.rfind(root_ + "/", 0) == 0) {
      path.erase(0, root_.size() + 1);
    }
    std::lock_guard<std::mutex> guard(mutex_);
    syncs_.push_back(sync.substr(0, space) + " " + path);
  });
}

SyncRecorder::~SyncRecorder() { ObserveSyncs({}); }

std::vector<std::string> SyncRecorder::Take() {
  std::lock_guard<std::mutex> guard(mutex_);
  return std::exchange(syncs_, {});
}

}  // namespace upgrade::testing
