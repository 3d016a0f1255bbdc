// Making what an fs resource type did to a path survive a power loss before the change is told
// done (the journal's `done` or `reverse_done` follows the provider's return): the path's own
// inode (content, mode, owner, times), the directory entry that names it (synced with
// state/atomic_file.h's SyncParentDirectory), or a whole tree. Each sync is told to that file's
// sync observer (tests).
#pragma once

#include <string>

namespace upgrade::fs {

/// Fsyncs the open file `fd`, which is `path` (a staged temp file before its rename).
bool SyncOpenFile(int fd, const std::string& path, std::string* error);

/// Fsyncs `path` itself: its content, mode, owner and times. A symlink, or a path the caller
/// may not open, is synced through its directory.
bool SyncInode(const std::string& path, std::string* error);

/// state/atomic_file.h's SyncParentDirectory for a path just removed: when its directory is
/// gone too, nothing is left to sync. (The entry a change creates or renames is synced with
/// SyncParentDirectory itself.)
bool SyncRemoval(const std::string& path, std::string* error);

/// Makes everything under the directory `path` durable at once (syncfs of its file system): a
/// restored tree of many files costs one pass of writeback, not one journal commit per file.
bool SyncTree(const std::string& path, std::string* error);

}  // namespace upgrade::fs
