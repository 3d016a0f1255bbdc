// Uploads in bounded memory (see s3_transfer.h).
#include "providers/s3/s3_transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "providers/s3/s3_digest.h"

namespace upgrade::s3 {
namespace {

bool UploadInParts(Client& client, const std::string& bucket, const std::string& key,
                   long long size, const RangeReader& reader, const UploadOptions& options,
                   UploadResult* result, std::string* error) {
  std::string upload_id;
  if (!client.CreateMultipartUpload(bucket, key, options.content_type, options.metadata,
                                    &upload_id)) {
    *error = client.error().ToString();
    return false;
  }
  std::vector<std::string> part_md5s;
  std::vector<std::string> part_etags;
  Digest whole(Digest::Kind::kMd5);
  std::string bytes;
  bool ok = true;
  for (long long offset = 0; ok && offset < size; offset += options.part_size) {
    long long length = std::min(options.part_size, size - offset);
    if (!reader(offset, length, &bytes, error)) {
      ok = false;
      break;
    }
    std::string md5 = Md5Raw(bytes);
    whole.Update(bytes);
    std::string etag;
    if (!client.UploadPart(bucket, key, upload_id, static_cast<int>(part_md5s.size()) + 1,
                           bytes, md5, &etag)) {
      *error = client.error().ToString();
      ok = false;
      break;
    }
    part_md5s.push_back(md5);
    part_etags.push_back(etag);
  }
  if (ok && !client.CompleteMultipartUpload(bucket, key, upload_id, part_etags, &result->etag)) {
    *error = client.error().ToString();
    ok = false;
  }
  if (!ok) {
    client.AbortMultipartUpload(bucket, key, upload_id);
    return false;
  }
  result->parts = static_cast<int>(part_md5s.size());
  result->expected_etag = MultipartEtag(part_md5s);
  result->md5 = whole.HexDigest();
  return true;
}

}  // namespace

RangeReader FileRangeReader(const std::string& path) {
  return [path](long long offset, long long length, std::string* bytes, std::string* error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *error = "cannot read " + path + ": " + std::strerror(errno);
      return false;
    }
    bytes->resize(static_cast<size_t>(length));
    long long done = 0;
    while (done < length) {
      ssize_t got = ::pread(fd, bytes->data() + done, static_cast<size_t>(length - done),
                            offset + done);
      if (got <= 0) {
        *error = "cannot read " + path + ": " + (got < 0 ? std::strerror(errno) : "file shrank");
        ::close(fd);
        return false;
      }
      done += got;
    }
    ::close(fd);
    return true;
  };
}

bool Upload(Client& client, const std::string& bucket, const std::string& key, long long size,
            const RangeReader& reader, const UploadOptions& options, UploadResult* result,
            std::string* error) {
  *result = UploadResult{};
  if (size > options.multipart_threshold)
    return UploadInParts(client, bucket, key, size, reader, options, result, error);
  std::string bytes;
  if (size > 0 && !reader(0, size, &bytes, error)) return false;
  std::string md5 = Md5Raw(bytes);
  if (!client.PutObject(bucket, key, &bytes, "", md5, Sha256HexOf(bytes), options.content_type,
                        options.metadata, &result->etag)) {
    *error = client.error().ToString();
    return false;
  }
  result->expected_etag = HexOf(md5);
  result->md5 = result->expected_etag;
  return true;
}

bool UploadFile(Client& client, const std::string& bucket, const std::string& key,
                const std::string& path, const UploadOptions& options, UploadResult* result,
                std::string* error) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  long long size = info.st_size;
  if (size > options.multipart_threshold)
    return Upload(client, bucket, key, size, FileRangeReader(path), options, result, error);
  *result = UploadResult{};
  std::string md5_hex;
  std::string sha256_hex;
  if (!HashFile(path, &md5_hex, &sha256_hex, error)) return false;
  std::string md5_raw;
  for (size_t i = 0; i + 1 < md5_hex.size(); i += 2)
    md5_raw.push_back(static_cast<char>(std::stoi(md5_hex.substr(i, 2), nullptr, 16)));
  if (!client.PutObject(bucket, key, nullptr, path, md5_raw, sha256_hex, options.content_type,
                        options.metadata, &result->etag)) {
    *error = client.error().ToString();
    return false;
  }
  result->expected_etag = md5_hex;
  result->md5 = md5_hex;
  return true;
}

}  // namespace upgrade::s3
