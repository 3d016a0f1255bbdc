// Moving object bodies without holding big ones in memory: uploads of at most one part in
// memory (a plain PUT up to the multipart threshold, a multipart upload beyond), and the ETag
// S3 will give the result, computed locally, so a HEAD can verify what was stored.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "providers/s3/s3_client.h"

namespace upgrade::s3 {

/// Reads `length` bytes at `offset` of some source into `*bytes`; false with `*error`.
using RangeReader = std::function<bool(long long offset, long long length, std::string* bytes,
                                       std::string* error)>;

/// A reader of the local file at `path` (opened for each read, so readers are cheap to copy).
RangeReader FileRangeReader(const std::string& path);

/// How to upload.
struct UploadOptions {
  long long part_size = 8LL << 20;             ///< S3 wants at least 5 MiB but the last
  long long multipart_threshold = 16LL << 20;  ///< above this: multipart
  std::string content_type;
  std::map<std::string, std::string> metadata;
};

/// What an upload did.
struct UploadResult {
  std::string etag;           ///< what S3 answered
  std::string expected_etag;  ///< MD5 of the bytes, or of the parts' MD5s plus "-N"
  std::string md5;            ///< MD5 of all the bytes (some servers' multipart ETag: s3rver)
  int parts = 0;              ///< 0 for a plain PUT
};

/// Uploads `size` bytes read from `reader` to `bucket`/`key`; a failed multipart upload is
/// aborted. False with `*error` (S3's code and message) on failure.
bool Upload(Client& client, const std::string& bucket, const std::string& key, long long size,
            const RangeReader& reader, const UploadOptions& options, UploadResult* result,
            std::string* error);

/// Uploads the local file at `path`: a plain PUT streams it from disk (body_file); a big one
/// goes in parts read one at a time.
bool UploadFile(Client& client, const std::string& bucket, const std::string& key,
                const std::string& path, const UploadOptions& options, UploadResult* result,
                std::string* error);

}  // namespace upgrade::s3
