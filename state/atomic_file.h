// Durable file writes for the state store: a file is either its old content or its new content
// after a crash, never a mix (temp file, fsync, rename, fsync of the directory).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace upgrade {

/// Writes `bytes` to `path` atomically and durably; false and `*error` on failure.
bool WriteFileAtomic(const std::string& path, const std::string& bytes, std::string* error);

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR; false on an error (errno).
bool WriteAll(int fd, std::string_view bytes);

/// Fsyncs the directory `dir` so a rename or a new entry made in it before the call survives a
/// crash. Callers in parallel share syncs: one that started after a caller's rename covers it,
/// so threads writing many files into one directory do not queue one device flush each.
bool SyncDirectory(const std::string& dir, std::string* error);

/// The directory holding `path`: "." for a bare name, "/" for a name under the root.
std::string ParentDirectoryOf(const std::string& path);

/// Fsyncs ParentDirectoryOf(`path`), so that the creation, rename or removal of `path`
/// survives a crash; shares syncs as SyncDirectory does.
bool SyncParentDirectory(const std::string& path, std::string* error);

/// The whole content of `path`, or nullopt (with `*error`, empty when the file does not exist).
std::optional<std::string> ReadWholeFile(const std::string& path, std::string* error);

/// Creates `dir` and its parents, each synced into the directory holding it; false and
/// `*error` on failure.
bool MakeDirectories(const std::string& dir, std::string* error);

/// Tells the sync observer, when there is one, that `path` is being synced: "KIND PATH", KIND
/// one of "dir" (SyncDirectory), "file" (an open file, as WriteFileAtomic's temp file), "inode"
/// (a path's own metadata), "tree" (a whole file system, under `path`).
void TellSync(const char* kind, const std::string& path);

/// Tests: `observer` sees every sync told above, from any thread; an empty one stops it. Set it
/// only while nothing syncs.
void ObserveSyncs(std::function<void(const std::string& sync)> observer);

/// The current time in RFC 3339, UTC, to the second: "2026-11-21T09:15:00Z".
std::string NowRfc3339();

}  // namespace upgrade
