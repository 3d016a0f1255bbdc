// Inspecting, writing, capturing and restoring paths: the file-system work shared by every fs
// resource type and by directory snapshots.
#include "providers/fs/path_state.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string_view>

#include "lang/sha256.h"
#include "providers/exec/process.h"
#include "providers/fs/path_sync.h"
#include "state/atomic_file.h"

namespace upgrade::fs {

bool Fail(std::string* error, const std::string& what, const std::string& path, int errnum) {
  *error = what + " " + path + ": " + ErrnoText(errnum);
  return false;
}

namespace {

namespace stdfs = std::filesystem;

// Writes through a temp sibling that `fill` fills, then renames it over `path`.
template <typename Fill>
bool WriteThroughTemp(const std::string& path, mode_t mode, std::string* error,
                      const WriteAhead& before_rename, Fill fill) {
  std::string temp = TempSibling(path);
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(error, "cannot write", path, errno);
  // A rewritten file keeps its owner (the service reading it may not be the one writing it).
  PathInfo existing = Inspect(path);
  if (existing.kind == PathKind::kFile) {
    int ignored = fchown(fd, existing.uid, existing.gid);
    (void)ignored;
  }
  bool ok = fill(fd);
  int saved = errno;
  if (ok && fchmod(fd, mode) != 0) ok = false, saved = errno;
  if (ok && !SyncOpenFile(fd, temp, error)) ok = false;
  if (close(fd) != 0 && ok) ok = false, saved = errno;
  if (ok && before_rename) {
    *error = before_rename();
    ok = error->empty();
  }
  if (ok && rename(temp.c_str(), path.c_str()) != 0) ok = false, saved = errno;
  if (!ok) {
    unlink(temp.c_str());
    if (error->empty()) Fail(error, "cannot write", path, saved);
    return false;
  }
  return SyncParentDirectory(path, error);
}

// Copies `source` into the blob store's own file system and adopts it there.
bool StoreFile(const std::string& source, BlobStore& blobs, std::string* name,
               std::string* error) {
  std::string temp = blobs.NewTempPath();
  std::error_code code;
  stdfs::copy_file(source, temp, stdfs::copy_options::overwrite_existing, code);
  if (code) {
    *error = "cannot back up " + source + ": " + code.message();
    return false;
  }
  std::optional<std::string> adopted = blobs.AdoptFile(temp, error);
  if (!adopted) return false;
  *name = *adopted;
  return true;
}

bool RunTar(const std::vector<std::string>& argv, std::string* error) {
  ProcessOptions options;
  options.argv = argv;
  options.keep_bytes = 4096;
  ProcessResult result = RunProcess(options);
  if (!result.error.empty()) {
    *error = result.error;
    return false;
  }
  if (result.exit_code != 0) {
    *error = "tar exited with code " + std::to_string(result.exit_code) + ": " +
             LastLines(result.err, 3);
    return false;
  }
  return true;
}

bool ArchiveTree(const std::string& path, BlobStore& blobs, std::string* name,
                 std::string* error) {
  std::string temp = blobs.NewTempPath();
  if (!RunTar({"/bin/tar", "--create", "--file=" + temp, "--directory=" + path,
               "--numeric-owner", "."},
              error)) {
    *error = "cannot archive " + path + ": " + *error;
    unlink(temp.c_str());
    return false;
  }
  std::optional<std::string> adopted = blobs.AdoptFile(temp, error);
  if (!adopted) return false;
  *name = *adopted;
  return true;
}

// Puts owner and permission bits back; changing the owner needs root, so others only try.
bool RestoreOwnerAndMode(const std::string& path, const Value& record, bool is_symlink,
                         std::string* error) {
  uid_t uid = static_cast<uid_t>(record.Get("uid").as_number());
  gid_t gid = static_cast<gid_t>(record.Get("gid").as_number());
  PathInfo now = Inspect(path);
  if ((now.uid != uid || now.gid != gid) && lchown(path.c_str(), uid, gid) != 0 &&
      geteuid() == 0) {
    return Fail(error, "cannot change the owner of", path, errno);
  }
  if (is_symlink) return true;
  mode_t mode = static_cast<mode_t>(ParseMode(record.GetString("mode")));
  if (chmod(path.c_str(), mode) != 0) return Fail(error, "cannot change the mode of", path, errno);
  return true;
}

bool RestoreFile(const Value& record, BlobStore& blobs, std::string* error) {
  std::string path = record.GetString("path");
  PathInfo now = Inspect(path);
  std::string current_hash;
  bool same = now.kind == PathKind::kFile && HashFile(path, &current_hash, error) &&
              current_hash == record.GetString("sha256");
  if (!same) {
    std::string blob = blobs.PathOf(record.GetString("blob"));
    if (blob.empty()) {
      *error = "cannot restore " + path + ": its backup " + record.GetString("blob") +
               " is missing from the state store";
      return false;
    }
    error->clear();
    if (now.kind != PathKind::kFile && !RemovePath(path, error)) return false;
    if (!MakeParents(path, error)) return false;
    mode_t mode = static_cast<mode_t>(ParseMode(record.GetString("mode")));
    if (!CopyAtomic(blob, path, mode, error)) return false;
  }
  if (!RestoreOwnerAndMode(path, record, false, error)) return false;
  timespec times[2];
  times[0].tv_nsec = UTIME_OMIT;
  times[1].tv_sec = static_cast<time_t>(record.Get("mtime_s").as_number());
  times[1].tv_nsec = static_cast<long>(record.Get("mtime_ns").as_number());
  utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
  return SyncInode(path, error);
}

bool RestoreSymlink(const Value& record, std::string* error) {
  std::string path = record.GetString("path");
  std::string target = record.GetString("target");
  PathInfo now = Inspect(path);
  std::error_code code;
  if (now.kind != PathKind::kSymlink || stdfs::read_symlink(path, code).string() != target) {
    std::string temp = TempSibling(path);
    unlink(temp.c_str());
    if (!MakeParents(path, error)) return false;
    if (symlink(target.c_str(), temp.c_str()) != 0) {
      return Fail(error, "cannot create symlink", path, errno);
    }
    if (now.kind == PathKind::kDirectory && !RemovePath(path, error)) return false;
    if (rename(temp.c_str(), path.c_str()) != 0) return Fail(error, "cannot restore", path, errno);
  }
  // A symlink is synced through its directory, which also keeps a rename made above.
  return RestoreOwnerAndMode(path, record, true, error) && SyncInode(path, error);
}

bool RestoreDirectory(const Value& record, std::string* error) {
  std::string path = record.GetString("path");
  PathInfo now = Inspect(path);
  bool create = now.kind != PathKind::kDirectory;
  if (create) {
    if (!RemovePath(path, error) || !MakeParents(path, error)) return false;
    if (mkdir(path.c_str(), 0700) != 0) return Fail(error, "cannot create directory", path, errno);
  }
  return RestoreOwnerAndMode(path, record, false, error) && SyncInode(path, error) &&
         (!create || SyncParentDirectory(path, error));
}

// Extracts the tarball beside the directory, then swaps the two in one rename, so the
// directory is at every moment either the old tree or the restored one.
bool RestoreTree(const Value& record, BlobStore& blobs, std::string* error) {
  std::string path = record.GetString("path");
  std::string archive = blobs.PathOf(record.GetString("blob"));
  if (archive.empty()) {
    *error = "cannot restore " + path + ": its archive " + record.GetString("blob") +
             " is missing from the state store";
    return false;
  }
  std::string staging = TempSibling(path, "upgrade-restore");
  if (!RemovePath(staging, error) || !MakeParents(path, error)) return false;
  if (mkdir(staging.c_str(), 0700) != 0) return Fail(error, "cannot create", staging, errno);
  if (!RunTar({"/bin/tar", "--extract", "--file=" + archive, "--directory=" + staging,
               "--numeric-owner", "--preserve-permissions"},
              error)) {
    *error = "cannot restore " + path + ": " + *error;
    RemovePath(staging, error);
    return false;
  }
  // tar writes without syncing: the tree is on disk before it takes the directory's place.
  if (!SyncTree(staging, error)) {
    std::string ignored;
    RemovePath(staging, &ignored);
    return false;
  }
  PathInfo now = Inspect(path);
  if (now.kind == PathKind::kDirectory) {
    if (renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) {
      return Fail(error, "cannot restore", path, errno);
    }
  } else {
    if (!RemovePath(path, error)) return false;
    if (rename(staging.c_str(), path.c_str()) != 0) {
      return Fail(error, "cannot restore", path, errno);
    }
  }
  if (!SyncParentDirectory(path, error)) return false;
  return RemovePath(staging, error);
}

bool RestoreAbsent(const Value& record, std::string* error) {
  std::vector<std::string> removed = {record.GetString("path")};
  if (!RemovePath(removed.front(), error)) return false;
  const Value& created = record.Get("created_dirs");
  if (created.is_list()) {
    // Only directories the change created, innermost first, and only while empty.
    for (auto it = created.as_list().rbegin(); it != created.as_list().rend(); ++it) {
      rmdir(it->as_string().c_str());
      removed.push_back(it->as_string());
    }
  }
  // Also after a restore that a crash cut short, whose removals may not be on disk yet.
  for (const std::string& path : removed) {
    if (!SyncRemoval(path, error)) return false;
  }
  return true;
}

}  // namespace

PathInfo Inspect(const std::string& path) {
  PathInfo info;
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) info.error = "cannot inspect " + path + ": " +
                                                         ErrnoText(errno);
    return info;
  }
  if (S_ISREG(st.st_mode)) info.kind = PathKind::kFile;
  else if (S_ISDIR(st.st_mode)) info.kind = PathKind::kDirectory;
  else if (S_ISLNK(st.st_mode)) info.kind = PathKind::kSymlink;
  else info.kind = PathKind::kOther;
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.size = static_cast<long long>(st.st_size);
  return info;
}

const char* PathKindName(PathKind kind) {
  switch (kind) {
    case PathKind::kAbsent: return "absent";
    case PathKind::kFile: return "file";
    case PathKind::kDirectory: return "directory";
    case PathKind::kSymlink: return "symlink";
    case PathKind::kOther: return "special file";
  }
  return "?";
}

std::string FormatMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

int ParseMode(const std::string& text) {
  if (text.size() < 3 || text.size() > 4) return -1;
  int mode = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return -1;
    mode = mode * 8 + (c - '0');
  }
  return mode;
}

namespace {

/// Opens `path` for reading without moving its access time where the kernel allows it (the
/// file's owner, or root): a plan reads the systems without changing them, and on a file
/// changed since it was last read, the new access time is an inode write. Others' files
/// (EPERM) are opened the ordinary way.
int OpenToRead(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  return fd;
}

/// Reads `path` in pieces, handing each to `take`: a data file may be far larger than memory.
template <typename Take>
bool ReadInPieces(const std::string& path, std::string* error, Take take) {
  int fd = OpenToRead(path);
  if (fd < 0) return Fail(error, "cannot read", path, errno);
  char buffer[65536];
  ssize_t count;
  while ((count = read(fd, buffer, sizeof(buffer))) != 0) {
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      int saved = errno;
      close(fd);
      return Fail(error, "cannot read", path, saved);
    }
    take(std::string_view(buffer, static_cast<size_t>(count)));
  }
  close(fd);
  return true;
}

}  // namespace

bool ReadBytes(const std::string& path, std::string* bytes, std::string* error,
               long long known_size) {
  int fd = OpenToRead(path);
  if (fd < 0) return Fail(error, "cannot read", path, errno);
  // Read into place, one byte more than a regular file's size asked for: a shorter read is its
  // end, and getting that byte means it grew, and reading goes on.
  struct stat info {};
  bool regular = known_size >= 0 || (fstat(fd, &info) == 0 && S_ISREG(info.st_mode));
  long long size = known_size >= 0 ? known_size : static_cast<long long>(info.st_size);
  bytes->resize(regular ? static_cast<size_t>(size) + 1 : 4096);
  size_t have = 0;
  for (;;) {
    ssize_t count = read(fd, bytes->data() + have, bytes->size() - have);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      int saved = errno;
      close(fd);
      return Fail(error, "cannot read", path, saved);
    }
    have += static_cast<size_t>(count);
    if (count == 0 || (regular && have < bytes->size())) break;
    if (have == bytes->size()) bytes->resize(2 * bytes->size());
  }
  close(fd);
  bytes->resize(have);
  return true;
}

std::string HashBytes(const std::string& bytes) { return Sha256Hex(bytes); }

bool HashFile(const std::string& path, std::string* hex, std::string* error) {
  Sha256 digest;
  if (!ReadInPieces(path, error, [&digest](std::string_view piece) { digest.Update(piece); })) {
    return false;
  }
  *hex = digest.FinishHex();
  return true;
}

std::string TempSibling(const std::string& path, const std::string& suffix) {
  stdfs::path p(path);
  std::string parent = p.parent_path().string();
  return (parent.empty() ? "" : parent + "/") + "." + p.filename().string() + "." + suffix;
}

bool WriteAtomic(const std::string& path, const std::string& bytes, mode_t mode,
                 std::string* error, const WriteAhead& before_rename) {
  error->clear();
  return WriteThroughTemp(path, mode, error, before_rename, [&](int fd) {
    return WriteAll(fd, bytes);
  });
}

bool CopyAtomic(const std::string& source, const std::string& path, mode_t mode,
                std::string* error, const WriteAhead& before_rename) {
  error->clear();
  return WriteThroughTemp(path, mode, error, before_rename, [&](int fd) {
    int in = open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return Fail(error, "cannot read", source, errno);
    char buffer[65536];
    ssize_t count;
    bool ok = true;
    while (ok && (count = read(in, buffer, sizeof(buffer))) != 0) {
      if (count < 0 && errno == EINTR) continue;
      ok = count > 0 && WriteAll(fd, std::string_view(buffer, static_cast<size_t>(count)));
    }
    close(in);
    return ok;
  });
}

bool RemovePath(const std::string& path, std::string* error) {
  std::error_code code;
  stdfs::remove_all(path, code);
  if (code && code != std::errc::no_such_file_or_directory) {
    *error = "cannot remove " + path + ": " + code.message();
    return false;
  }
  return true;
}

std::vector<std::string> MissingAncestors(const std::string& path) {
  std::vector<std::string> missing;
  stdfs::path parent = stdfs::path(path).parent_path();
  while (!parent.empty() && parent != parent.root_path() &&
         Inspect(parent.string()).kind == PathKind::kAbsent) {
    missing.insert(missing.begin(), parent.string());
    parent = parent.parent_path();
  }
  return missing;
}

bool MakeParents(const std::string& path, std::string* error) {
  for (const std::string& dir : MissingAncestors(path)) {
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return Fail(error, "cannot create directory", dir, errno);
    }
    if (!SyncParentDirectory(dir, error)) return false;
  }
  return true;
}

bool CapturePath(const std::string& path, bool archive_directories, BlobStore& blobs,
                 Value* record, std::string* error) {
  PathInfo info = Inspect(path);
  if (!info.error.empty()) {
    *error = info.error;
    return false;
  }
  if (info.kind == PathKind::kOther) {
    *error = "cannot manage " + path + ": it is a special file";
    return false;
  }
  Value::Map map{{"path", path}, {"kind", PathKindName(info.kind)}};
  if (info.kind == PathKind::kAbsent) {
    Value::List created;
    for (const std::string& dir : MissingAncestors(path)) created.emplace_back(dir);
    map["created_dirs"] = std::move(created);
    *record = Value(std::move(map));
    return true;
  }
  map["mode"] = FormatMode(info.mode);
  map["uid"] = static_cast<double>(info.uid);
  map["gid"] = static_cast<double>(info.gid);
  std::string blob;
  if (info.kind == PathKind::kFile) {
    struct stat st {};
    lstat(path.c_str(), &st);
    if (!StoreFile(path, blobs, &blob, error)) return false;
    map["blob"] = blob;
    map["sha256"] = blob.substr(blob.find(':') + 1);
    map["mtime_s"] = static_cast<double>(st.st_mtim.tv_sec);
    map["mtime_ns"] = static_cast<double>(st.st_mtim.tv_nsec);
  } else if (info.kind == PathKind::kSymlink) {
    std::error_code code;
    map["target"] = stdfs::read_symlink(path, code).string();
  } else if (archive_directories) {
    if (!ArchiveTree(path, blobs, &blob, error)) return false;
    map["blob"] = blob;
  }
  *record = Value(std::move(map));
  return true;
}

bool RestorePath(const Value& record, BlobStore& blobs, std::string* error) {
  std::string path = record.GetString("path");
  if (path.empty()) {
    *error = "undo record names no path";
    return false;
  }
  // What a write that stopped half-way may have left beside the path.
  if (!RemovePath(TempSibling(path), error)) return false;
  if (!RemovePath(TempSibling(path, "upgrade-restore"), error)) return false;
  std::string kind = record.GetString("kind");
  if (kind == "absent") return RestoreAbsent(record, error);
  if (kind == "file") return RestoreFile(record, blobs, error);
  if (kind == "symlink") return RestoreSymlink(record, error);
  if (kind == "directory") {
    return record.Get("blob").is_string() ? RestoreTree(record, blobs, error)
                                          : RestoreDirectory(record, error);
  }
  *error = "undo record of " + path + " has unknown kind " + kind;
  return false;
}

long long TreeSize(const std::string& path) {
  long long total = 0;
  std::error_code code;
  for (stdfs::recursive_directory_iterator it(path, code), end; !code && it != end;
       it.increment(code)) {
    if (it->is_regular_file(code) && !it->is_symlink(code)) total += it->file_size(code);
  }
  return total;
}

}  // namespace upgrade::fs
