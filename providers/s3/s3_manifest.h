// The progress manifest of one migration: an append-only JSON-lines file that says which
// documents were being copied, which are copied and verified, which sources were deleted and
// which were put back. Replayed on open, so a crashed migration resumes where it stopped and
// its reverse knows exactly what it put where.
//
//   {"version":1,"migration":"<identity>"}        header, written by Prepare
//   {"pre":KEY,"blob":"sha256:..."}               destination document there before (backed up)
//   {"prepared":true}                             every "pre" line is written
//   {"copying":KEY}                               about to write KEY at the destination
//   {"done":KEY,"size":N,"checksum":"..."}        KEY copied and verified
//   {"deleted":KEY}                               KEY deleted from the source
//   {"reversed":KEY}                              KEY put back by the reverse
#pragma once

#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace upgrade::s3 {

/// One document's record in the manifest.
struct ManifestEntry {
  bool copying = false;
  bool done = false;
  bool deleted = false;
  bool reversed = false;
  long long size = 0;
  std::string checksum;
};

/// A manifest file, replayed on Open, appended to by many workers at once.
class Manifest {
 public:
  ~Manifest();

  /// Opens the manifest at `path`; one missing or never fully prepared starts over, empty,
  /// with `identity` as its header.
  bool Open(const std::string& path, const std::string& identity, std::string* error);
  /// True when Prepare finished writing this manifest (in this run or an earlier one).
  bool prepared() const { return prepared_; }
  const std::string& path() const { return path_; }

  // Appends one line; thread-safe. Syncs to disk every few lines and on Sync().
  bool AddPre(const std::string& key, const std::string& blob);
  bool MarkPrepared();
  bool MarkCopying(const std::string& key);
  bool MarkDone(const std::string& key, long long size, const std::string& checksum);
  bool MarkDeleted(const std::string& key);
  bool MarkReversed(const std::string& key);
  bool Sync();

  /// Documents by key, as replayed and updated.
  std::map<std::string, ManifestEntry> entries() const;
  /// Destination documents that existed before, with the blob holding their bytes.
  std::map<std::string, std::string> pre() const;

 private:
  bool Append(const std::string& line);

  mutable std::mutex mutex_;
  std::string path_;
  int fd_ = -1;
  bool prepared_ = false;
  int unsynced_ = 0;
  std::map<std::string, ManifestEntry> entries_;
  std::map<std::string, std::string> pre_;
};

}  // namespace upgrade::s3
