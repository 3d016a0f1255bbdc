// What a path on the local file system is, and how to put it back: the undo records and
// snapshots of every fs resource type are one `PathBackup` each, captured before a change and
// restored idempotently (whether the change ran fully, partly or not at all).
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "lang/value.h"
#include "providers/provider.h"

namespace upgrade::fs {

/// The kinds of thing a path can be.
enum class PathKind { kAbsent, kFile, kDirectory, kSymlink, kOther };

/// What `lstat` says about a path.
struct PathInfo {
  PathKind kind = PathKind::kAbsent;
  mode_t mode = 0;  ///< permission bits only (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  long long size = 0;
  std::string error;  ///< set when lstat failed for another reason than "not there"
};

PathInfo Inspect(const std::string& path);
const char* PathKindName(PathKind kind);

/// "0644" for 0644; and back. ParseMode gives -1 for text that is not 3 or 4 octal digits.
std::string FormatMode(mode_t mode);
int ParseMode(const std::string& text);

/// Sets `*error` to "WHAT PATH: reason" for `errnum` and returns false: how every path helper
/// here fails.
bool Fail(std::string* error, const std::string& what, const std::string& path, int errnum);

/// The whole content of a regular file, or an error.
bool ReadBytes(const std::string& path, std::string* bytes, std::string* error,
               long long known_size = -1);

/// Hex SHA-256 of `bytes` (the same as Sha256Hex, cheaper for many small contents).
std::string HashBytes(const std::string& bytes);

/// Hex SHA-256 of a file's content, read in pieces.
bool HashFile(const std::string& path, std::string* hex, std::string* error);

/// The temporary sibling `.<name>.upgrade-tmp` an atomic write of `path` goes through; fixed,
/// so a restore after a crash can remove what a half-done write left.
std::string TempSibling(const std::string& path, const std::string& suffix = "upgrade-tmp");

/// Writes `bytes` to `path` atomically (temp sibling, fsync, rename, fsync of the directory)
/// with permission bits `mode`. `before_rename`, when given, is called once the temp sibling
/// is on disk; an error text from it stops the write before `path` is touched.
bool WriteAtomic(const std::string& path, const std::string& bytes, mode_t mode,
                 std::string* error, const WriteAhead& before_rename = {});
/// The same, copying the content of file `source`.
bool CopyAtomic(const std::string& source, const std::string& path, mode_t mode,
                std::string* error, const WriteAhead& before_rename = {});

/// Removes whatever is at `path` (a directory with all it holds); absent is fine.
bool RemovePath(const std::string& path, std::string* error);

/// Ancestors of `path` that do not exist, outermost first (what `mkdir -p` would create).
std::vector<std::string> MissingAncestors(const std::string& path);
/// Creates the parent directories of `path` (mode 0755), each synced into its parent.
bool MakeParents(const std::string& path, std::string* error);

/// Captures everything needed to put `path` back as it is now: kind, mode, owner; a file's
/// bytes and, with `archive_directories`, a directory's whole tree (a tarball) into `blobs`.
/// The record is a Value (it goes into the journal).
bool CapturePath(const std::string& path, bool archive_directories, BlobStore& blobs,
                 Value* record, std::string* error);

/// Puts `path` back as `record` says, and on disk before it returns. Idempotent: running it
/// twice, or after a change that stopped half-way, leaves the same result.
bool RestorePath(const Value& record, BlobStore& blobs, std::string* error);

/// Bytes used by the files under `path` (for snapshot estimates).
long long TreeSize(const std::string& path);

}  // namespace upgrade::fs
