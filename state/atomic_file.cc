// Durable file writes: temp file in the same directory, fsync, rename over, fsync the directory.
#include "state/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

namespace upgrade {
namespace {

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::function<void(const std::string&)>& SyncObserver() {
  static std::function<void(const std::string&)> observer;
  return observer;
}

}  // namespace

void TellSync(const char* kind, const std::string& path) {
  if (SyncObserver()) SyncObserver()(std::string(kind) + " " + path);
}

void ObserveSyncs(std::function<void(const std::string& sync)> observer) {
  SyncObserver() = std::move(observer);
}

bool WriteAll(int fd, std::string_view bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

namespace {

/// The fsyncs of each directory, shared by the threads waiting for one (as a journal's group
/// commit): a caller takes a ticket after its rename, and is done once a sync that started
/// after its ticket was taken has finished.
class DirectorySyncs {
 public:
  bool Sync(const std::string& dir, std::string* error) {
    std::unique_lock<std::mutex> lock(mutex_);
    Progress& progress = dirs_[dir];  // never erased: references stay valid
    uint64_t ticket = ++progress.requested;
    while (progress.synced < ticket) {
      if (progress.syncing) {
        finished_.wait(lock);
        continue;
      }
      progress.syncing = true;
      uint64_t covers = progress.requested;
      lock.unlock();
      bool ok = FsyncDirectory(dir, error);
      lock.lock();
      progress.syncing = false;
      finished_.notify_all();
      if (!ok) return false;  // a waiter will try again itself
      progress.synced = std::max(progress.synced, covers);
    }
    return true;
  }

 private:
  struct Progress {
    uint64_t requested = 0;
    uint64_t synced = 0;
    bool syncing = false;
  };

  static bool FsyncDirectory(const std::string& dir, std::string* error) {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      *error = ErrnoText("cannot open directory", dir);
      return false;
    }
    bool ok = fsync(fd) == 0;
    if (!ok) *error = ErrnoText("cannot sync directory", dir);
    close(fd);
    return ok;
  }

  std::mutex mutex_;
  std::condition_variable finished_;
  std::map<std::string, Progress> dirs_;
};

}  // namespace

bool SyncDirectory(const std::string& dir, std::string* error) {
  TellSync("dir", dir);
  static DirectorySyncs syncs;
  return syncs.Sync(dir, error);
}

std::string ParentDirectoryOf(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

bool SyncParentDirectory(const std::string& path, std::string* error) {
  return SyncDirectory(ParentDirectoryOf(path), error);
}

bool WriteFileAtomic(const std::string& path, const std::string& bytes, std::string* error) {
  static std::atomic<unsigned> counter{0};
  std::filesystem::path target(path);
  std::string dir = ParentDirectoryOf(path);
  std::string temp = dir + "/." + target.filename().string() + ".tmp." +
                     std::to_string(getpid()) + "." + std::to_string(counter++);
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = ErrnoText("cannot create", temp);
    return false;
  }
  TellSync("file", temp);
  if (!WriteAll(fd, bytes) || fsync(fd) != 0) {
    *error = ErrnoText("cannot write", temp);
    close(fd);
    unlink(temp.c_str());
    return false;
  }
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    *error = ErrnoText("cannot rename into", path);
    unlink(temp.c_str());
    return false;
  }
  return SyncDirectory(dir, error);
}

std::optional<std::string> ReadWholeFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = errno == ENOENT ? "" : ErrnoText("cannot read", path);
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) {
    *error = ErrnoText("cannot read", path);
    return std::nullopt;
  }
  return out.str();
}

bool MakeDirectories(const std::string& dir, std::string* error) {
  std::vector<std::filesystem::path> missing;  // innermost first
  std::error_code ec;
  for (std::filesystem::path path = dir; !path.empty() && path != path.root_path() &&
                                         !std::filesystem::exists(path, ec);
       path = path.parent_path()) {
    missing.push_back(path);
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create directory " + dir + ": " + ec.message();
    return false;
  }
  // Outermost first: each new directory's entry is on disk before anything is put in it.
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (!SyncParentDirectory(it->string(), error)) return false;
  }
  return true;
}

std::string NowRfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace upgrade
