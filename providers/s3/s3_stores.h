// The places a migration copies documents between: an s3 prefix, a local directory, a
// PostgreSQL table of documents. Each is a Store that opens one StoreSession per worker
// thread (an HTTP connection, a database connection), since those are not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lang/value.h"
#include "providers/s3/s3_transfer.h"

namespace upgrade::s3 {

/// One document: its key relative to the store's root, and its size in bytes.
struct Document {
  std::string key;
  long long size = 0;
  std::string checksum;  ///< from a listing that has one (S3's ETag); else empty
};

/// What a write stored, as far as the writer can tell.
struct Written {
  /// The checksums a faithful read-back may give: S3's ETag is the MD5 of a plain PUT; of a
  /// multipart upload AWS gives the MD5 of the part MD5s plus "-N", s3rver the MD5 of all.
  std::vector<std::string> accepted;
  std::string answered;  ///< the checksum the store answered the write with
};

/// A store as one worker thread uses it. Every method returns false with `*error` set.
class StoreSession {
 public:
  virtual ~StoreSession() = default;
  /// Every document under the root, sorted by key; none when the root does not exist yet.
  virtual bool List(std::vector<Document>* documents, std::string* error) = 0;
  /// True when List gives each document's checksum (as Checksum would read it back), so a
  /// listing verifies many documents in one request.
  virtual bool ListsChecksums() const { return false; }
  /// Reads ranges of document `key` (of `size` bytes).
  virtual RangeReader Reader(const std::string& key, long long size) = 0;
  /// Writes `size` bytes from `reader` as `key`, in bounded memory.
  virtual bool Write(const std::string& key, long long size, const RangeReader& reader,
                     Written* written, std::string* error) = 0;
  /// The checksum read back from the store: S3's ETag (MD5, or MD5 of part MD5s "-N");
  /// for a directory or a table, the MD5 of the bytes stored. `*exists` false when missing.
  virtual bool Checksum(const std::string& key, bool* exists, std::string* checksum,
                        std::string* error) = 0;
  /// Deletes `key`; a missing one is success.
  virtual bool Delete(const std::string& key, std::string* error) = 0;
};

/// A place holding documents.
class Store {
 public:
  virtual ~Store() = default;
  /// How messages name it; never with a password ("postgresql://app:***@db/app table docs").
  virtual std::string Describe() const = 0;
  /// Opens a session for one worker thread.
  virtual std::unique_ptr<StoreSession> Connect(std::string* error) = 0;
};

/// Makes the store `address` names: "s3://bucket/prefix", "postgresql://..." (with the
/// attributes `table`, `key_column`, `body_column` of `config`), or a local directory.
/// `config` also gives the s3 connection attributes and `part_size_mb`. A relative directory
/// resolves against `base_dir` (the plan's directory; empty: the working directory).
std::unique_ptr<Store> MakeStore(const std::string& address, const Value::Map& config,
                                 const std::string& base_dir, std::string* error);

/// `dsn` with its password replaced by "***", in URI or keyword form.
std::string MaskDsn(const std::string& dsn);

}  // namespace upgrade::s3
