// The syncs of the fs resource types, each told to the sync observer (tests).
#include "providers/fs/path_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "providers/fs/path_state.h"
#include "state/atomic_file.h"

namespace upgrade::fs {

bool SyncOpenFile(int fd, const std::string& path, std::string* error) {
  TellSync("file", path);
  return fsync(fd) == 0 || Fail(error, "cannot sync", path, errno);
}

bool SyncInode(const std::string& path, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  // A symlink cannot be opened; nor, by a user other than root, a directory whose mode denies
  // its owner reading. On ext4 their directory's fsync commits the journal, which carries the
  // change to their inode too.
  if (fd < 0 && (errno == ELOOP || errno == EACCES)) return SyncParentDirectory(path, error);
  if (fd < 0) return Fail(error, "cannot sync", path, errno);
  TellSync("inode", path);
  bool ok = fsync(fd) == 0 || Fail(error, "cannot sync", path, errno);
  close(fd);
  return ok;
}

bool SyncRemoval(const std::string& path, std::string* error) {
  struct stat parent {};
  if (stat(ParentDirectoryOf(path).c_str(), &parent) != 0 || !S_ISDIR(parent.st_mode)) return true;
  return SyncParentDirectory(path, error);
}

bool SyncTree(const std::string& path, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(error, "cannot sync", path, errno);
  TellSync("tree", path);
  bool ok = syncfs(fd) == 0 || Fail(error, "cannot sync", path, errno);
  close(fd);
  return ok;
}

}  // namespace upgrade::fs
