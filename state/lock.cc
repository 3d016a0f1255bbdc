// The state directory's lock: an flock(2) on `lock`, with the holder written inside.
#include "state/lock.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

#include "state/atomic_file.h"

namespace upgrade {
namespace {

std::string LockPath(const std::string& dir) { return dir + "/lock"; }

std::string HolderToText(const LockHolder& holder) {
  nlohmann::json json = {{"host", holder.host}, {"pid", holder.pid}, {"user", holder.user},
                         {"run", holder.run_id}, {"since", holder.since}};
  return json.dump() + "\n";
}

std::optional<LockHolder> HolderFromText(const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  LockHolder holder;
  holder.host = json.value("host", "");
  holder.pid = json.value("pid", 0L);
  holder.user = json.value("user", "");
  holder.run_id = json.value("run", "");
  holder.since = json.value("since", "");
  return holder;
}

std::string ReadFd(int fd) {
  std::string text;
  char buffer[4096];
  off_t offset = 0;
  for (;;) {
    ssize_t n = pread(fd, buffer, sizeof buffer, offset);
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

bool WriteHolder(int fd, const LockHolder& holder) {
  std::string text = HolderToText(holder);
  if (ftruncate(fd, 0) != 0) return false;
  if (pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) return false;
  return fsync(fd) == 0;
}

// True when `fd` still names the file at `path` (it was not removed or replaced meanwhile).
bool SameFile(int fd, const std::string& path) {
  struct stat by_fd {}, by_path {};
  if (fstat(fd, &by_fd) != 0 || stat(path.c_str(), &by_path) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

}  // namespace

std::string LockHolder::Describe() const {
  return user + "@" + host + ", pid " + std::to_string(pid) +
         (run_id.empty() ? "" : ", run " + run_id) + ", since " + since;
}

LockHolder LockHolder::Current(const std::string& run_id) {
  LockHolder holder;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  holder.host = host;
  holder.pid = static_cast<long>(getpid());
  struct passwd* pw = getpwuid(geteuid());
  holder.user = pw ? pw->pw_name : std::to_string(geteuid());
  holder.run_id = run_id;
  holder.since = NowRfc3339();
  return holder;
}

StateLock::StateLock(std::string path, int fd, LockHolder holder)
    : path_(std::move(path)), fd_(fd), holder_(std::move(holder)) {}

StateLock::~StateLock() {
  // Empty the file before letting go: an empty lock file means nobody holds it.
  if (ftruncate(fd_, 0) == 0) fsync(fd_);
  flock(fd_, LOCK_UN);
  close(fd_);
}

void StateLock::SetRun(const std::string& run_id) {
  holder_.run_id = run_id;
  WriteHolder(fd_, holder_);
}

std::unique_ptr<StateLock> StateLock::Acquire(const std::string& dir, const LockHolder& holder,
                                              std::string* error,
                                              std::optional<LockHolder>* previous) {
  if (!MakeDirectories(dir, error)) return nullptr;
  std::string path = LockPath(dir);
  // Retry while the file we locked was replaced under us (a concurrent force-unlock).
  for (int attempt = 0; attempt < 10; ++attempt) {
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      *error = "cannot open lock " + path + ": " + std::strerror(errno);
      return nullptr;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      std::optional<LockHolder> current = HolderFromText(ReadFd(fd));
      close(fd);
      *error = "state " + dir + " is locked by " +
               (current ? current->Describe() : std::string("another process")) +
               "\nnote: wait for it to finish; if that process is gone, run `upgrade "
               "force-unlock --state " + dir + "`";
      return nullptr;
    }
    if (!SameFile(fd, path)) {
      close(fd);
      continue;
    }
    std::optional<LockHolder> dead = HolderFromText(ReadFd(fd));
    if (previous) *previous = dead;
    if (!WriteHolder(fd, holder)) {
      *error = "cannot write lock " + path + ": " + std::strerror(errno);
      flock(fd, LOCK_UN);
      close(fd);
      return nullptr;
    }
    return std::unique_ptr<StateLock>(new StateLock(path, fd, holder));
  }
  *error = "cannot take lock " + path + ": it keeps being replaced";
  return nullptr;
}

std::optional<LockHolder> StateLock::ReadHolder(const std::string& dir, bool* held) {
  *held = false;
  int fd = open(LockPath(dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<LockHolder> holder = HolderFromText(ReadFd(fd));
  if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
    *held = true;
  } else {
    flock(fd, LOCK_UN);
  }
  close(fd);
  return holder;
}

bool StateLock::ForceUnlock(const std::string& dir, std::optional<LockHolder>* removed,
                            std::string* error) {
  bool held = false;
  std::optional<LockHolder> holder = ReadHolder(dir, &held);
  if (!holder && !held) {
    *error = "state " + dir + " is not locked";
    return false;
  }
  if (unlink(LockPath(dir).c_str()) != 0) {
    *error = "cannot remove lock " + LockPath(dir) + ": " + std::strerror(errno);
    return false;
  }
  std::string ignored;
  SyncDirectory(dir, &ignored);
  *removed = holder;
  return true;
}

}  // namespace upgrade
