// The s3-prefix and local-directory stores, and MakeStore (see s3_stores.h); the
// PostgreSQL-table store is in s3_pg_store.cc.
#include "providers/s3/s3_stores.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "providers/s3/s3_config.h"
#include "providers/s3/s3_digest.h"

namespace upgrade::s3 {

std::unique_ptr<Store> MakePgStore(const std::string& dsn, const Value::Map& config,
                                   std::string* error);

namespace {

namespace fs = std::filesystem;

constexpr const char* kPartSuffix = ".upgrade-part";

UploadOptions OptionsOf(const Value::Map& config) {
  UploadOptions options;
  auto it = config.find("part_size_mb");
  if (it != config.end() && it->second.is_number() && it->second.as_number() >= 1)
    options.part_size = static_cast<long long>(it->second.as_number() * (1 << 20));
  options.multipart_threshold = options.part_size;
  return options;
}

// --- s3 prefix --------------------------------------------------------------------------

class S3Session : public StoreSession {
 public:
  S3Session(Endpoint endpoint, std::string bucket, std::string prefix, UploadOptions options)
      : client_(std::move(endpoint)),
        bucket_(std::move(bucket)),
        prefix_(std::move(prefix)),
        options_(std::move(options)) {}

  bool List(std::vector<Document>* documents, std::string* error) override {
    std::vector<ListedObject> objects;
    if (!client_.ListObjects(bucket_, prefix_, &objects)) {
      *error = client_.error().ToString();
      return false;
    }
    documents->clear();
    for (const ListedObject& object : objects) {
      // A "folder" marker named like the prefix itself is no document.
      if (object.key.size() > prefix_.size())
        documents->push_back({object.key.substr(prefix_.size()), object.size, object.etag});
    }
    return true;
  }

  bool ListsChecksums() const override { return true; }

  RangeReader Reader(const std::string& key, long long size) override {
    std::string full = prefix_ + key;
    return [this, full, size](long long offset, long long length, std::string* bytes,
                              std::string* error) {
      bool ok = offset == 0 && length == size
                    ? client_.GetObject(bucket_, full, bytes)
                    : client_.GetObjectRange(bucket_, full, offset, length, bytes);
      if (ok && static_cast<long long>(bytes->size()) != length) {
        *error = "s3: GET s3://" + bucket_ + "/" + full + ": size changed while copying";
        return false;
      }
      if (!ok) *error = client_.error().ToString();
      return ok;
    };
  }

  bool Write(const std::string& key, long long size, const RangeReader& reader,
             Written* written, std::string* error) override {
    UploadResult result;
    if (!Upload(client_, bucket_, prefix_ + key, size, reader, options_, &result, error))
      return false;
    written->accepted = {result.expected_etag};
    if (result.md5 != result.expected_etag) written->accepted.push_back(result.md5);
    written->answered = result.etag;
    return true;
  }

  bool Checksum(const std::string& key, bool* exists, std::string* checksum,
                std::string* error) override {
    ObjectHead head;
    if (!client_.HeadObject(bucket_, prefix_ + key, &head)) {
      *error = client_.error().ToString();
      return false;
    }
    *exists = head.exists;
    *checksum = head.etag;
    return true;
  }

  bool Delete(const std::string& key, std::string* error) override {
    if (client_.DeleteObject(bucket_, prefix_ + key)) return true;
    *error = client_.error().ToString();
    return false;
  }

 private:
  Client client_;
  std::string bucket_;
  std::string prefix_;
  UploadOptions options_;
};

class S3Store : public Store {
 public:
  S3Store(Endpoint endpoint, std::string bucket, std::string prefix, UploadOptions options)
      : endpoint_(std::move(endpoint)),
        bucket_(std::move(bucket)),
        prefix_(std::move(prefix)),
        options_(std::move(options)) {}

  std::string Describe() const override { return "s3://" + bucket_ + "/" + prefix_; }

  std::unique_ptr<StoreSession> Connect(std::string*) override {
    return std::make_unique<S3Session>(endpoint_, bucket_, prefix_, options_);
  }

 private:
  Endpoint endpoint_;
  std::string bucket_;
  std::string prefix_;
  UploadOptions options_;
};

// --- local directory --------------------------------------------------------------------

/// A key is a relative path that stays inside the root: no "..", no empty segment.
bool SafeKey(const std::string& key) {
  if (key.empty() || key.front() == '/' || key.back() == '/') return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string segment = key.substr(start, slash == std::string::npos ? slash : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

bool Md5OfFile(const std::string& path, std::string* md5, std::string* error) {
  return HashFile(path, md5, nullptr, error);
}

class DirSession : public StoreSession {
 public:
  DirSession(std::string root, UploadOptions options)
      : root_(std::move(root)), options_(std::move(options)) {}

  bool List(std::vector<Document>* documents, std::string* error) override {
    documents->clear();
    std::error_code code;
    if (!fs::exists(root_, code)) return true;
    for (auto it = fs::recursive_directory_iterator(root_, code);
         !code && it != fs::recursive_directory_iterator(); it.increment(code)) {
      if (!it->is_regular_file(code)) continue;
      std::string relative = fs::relative(it->path(), root_, code).generic_string();
      if (relative.size() >= std::strlen(kPartSuffix) &&
          relative.compare(relative.size() - std::strlen(kPartSuffix), std::string::npos,
                           kPartSuffix) == 0)
        continue;
      documents->push_back({relative, static_cast<long long>(it->file_size(code)), ""});
    }
    if (code) {
      *error = "cannot list " + root_ + ": " + code.message();
      return false;
    }
    std::sort(documents->begin(), documents->end(),
              [](const Document& a, const Document& b) { return a.key < b.key; });
    return true;
  }

  RangeReader Reader(const std::string& key, long long) override {
    return FileRangeReader(root_ + "/" + key);
  }

  bool Write(const std::string& key, long long size, const RangeReader& reader,
             Written* written, std::string* error) override {
    if (!SafeKey(key)) {
      *error = "key \"" + key + "\" cannot be a file under " + root_;
      return false;
    }
    std::string path = root_ + "/" + key;
    std::error_code code;
    fs::create_directories(fs::path(path).parent_path(), code);
    std::string temp = path + kPartSuffix;
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      *error = "cannot write " + temp + ": " + std::strerror(errno);
      return false;
    }
    Digest md5(Digest::Kind::kMd5);
    std::string bytes;
    bool ok = true;
    for (long long offset = 0; ok && offset < size; offset += options_.part_size) {
      ok = reader(offset, std::min(options_.part_size, size - offset), &bytes, error);
      if (ok) {
        md5.Update(bytes);
        ok = WriteAll(fd, bytes, temp, error);
      }
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (ok && std::rename(temp.c_str(), path.c_str()) != 0) {
      *error = "cannot rename " + temp + ": " + std::strerror(errno);
      ok = false;
    }
    if (!ok) {
      ::unlink(temp.c_str());
      if (error->empty()) *error = "cannot write " + path;
      return false;
    }
    written->answered = md5.HexDigest();
    written->accepted = {written->answered};
    return true;
  }

  bool Checksum(const std::string& key, bool* exists, std::string* checksum,
                std::string* error) override {
    std::error_code code;
    std::string path = root_ + "/" + key;
    *exists = SafeKey(key) && fs::is_regular_file(path, code);
    if (!*exists) return true;
    return Md5OfFile(path, checksum, error);
  }

  bool Delete(const std::string& key, std::string* error) override {
    if (!SafeKey(key)) return true;
    std::error_code code;
    fs::path path = fs::path(root_) / key;
    fs::remove(path, code);
    if (code) {
      *error = "cannot delete " + path.string() + ": " + code.message();
      return false;
    }
    // Leave no empty folders behind that the migration made; the root itself stays.
    for (fs::path dir = path.parent_path(); dir != fs::path(root_) && fs::is_empty(dir, code);
         dir = dir.parent_path()) {
      if (!fs::remove(dir, code)) break;
    }
    return true;
  }

 private:
  static bool WriteAll(int fd, const std::string& bytes, const std::string& path,
                       std::string* error) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
      }
      done += static_cast<size_t>(n);
    }
    return true;
  }

  std::string root_;
  UploadOptions options_;
};

class DirStore : public Store {
 public:
  DirStore(std::string root, UploadOptions options)
      : root_(std::move(root)), options_(std::move(options)) {}
  std::string Describe() const override { return root_; }
  std::unique_ptr<StoreSession> Connect(std::string*) override {
    return std::make_unique<DirSession>(root_, options_);
  }

 private:
  std::string root_;
  UploadOptions options_;
};

}  // namespace

std::unique_ptr<Store> MakeStore(const std::string& address, const Value::Map& config,
                                 const std::string& base_dir, std::string* error) {
  std::string bucket;
  std::string prefix;
  if (ParseS3Url(address, &bucket, &prefix)) {
    if (!prefix.empty() && prefix.back() != '/') prefix += "/";
    return std::make_unique<S3Store>(EndpointFromConfig(config), bucket, prefix,
                                     OptionsOf(config));
  }
  if (address.rfind("postgresql://", 0) == 0 || address.rfind("postgres://", 0) == 0)
    return MakePgStore(address, config, error);
  std::string path = address.rfind("file://", 0) == 0 ? address.substr(7) : address;
  if (path.empty() || path.find("://") != std::string::npos) {
    *error = "s3.migrate: \"" + address +
             "\" is neither s3://bucket/prefix, postgresql://... nor a local directory";
    return nullptr;
  }
  std::error_code code;
  fs::path full = fs::path(path).is_relative() && !base_dir.empty() ? fs::path(base_dir) / path
                                                                      : fs::path(path);
  std::string root = fs::absolute(full, code).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return std::make_unique<DirStore>(root, OptionsOf(config));
}

}  // namespace upgrade::s3
