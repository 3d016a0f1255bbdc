// The append-only progress manifest of a migration (see s3_manifest.h).
#include "providers/s3/s3_manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace upgrade::s3 {
namespace {

constexpr int kSyncEvery = 64;

void Replay(const nlohmann::json& line, std::map<std::string, ManifestEntry>* entries,
            std::map<std::string, std::string>* pre) {
  if (line.contains("pre")) {
    (*pre)[line["pre"].get<std::string>()] = line.value("blob", "");
  } else if (line.contains("copying")) {
    (*entries)[line["copying"].get<std::string>()].copying = true;
  } else if (line.contains("done")) {
    ManifestEntry& entry = (*entries)[line["done"].get<std::string>()];
    entry.done = true;
    entry.reversed = false;
    entry.size = line.value("size", 0LL);
    entry.checksum = line.value("checksum", "");
  } else if (line.contains("deleted")) {
    (*entries)[line["deleted"].get<std::string>()].deleted = true;
  } else if (line.contains("reversed")) {
    ManifestEntry& entry = (*entries)[line["reversed"].get<std::string>()];
    entry = ManifestEntry{};
    entry.reversed = true;
  }
}

}  // namespace

Manifest::~Manifest() {
  if (fd_ >= 0) {
    ::fsync(fd_);
    ::close(fd_);
  }
}

bool Manifest::Open(const std::string& path, const std::string& identity, std::string* error) {
  path_ = path;
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  std::ifstream in(path);
  std::string text;
  bool header_seen = false;
  bool prepared = false;
  while (std::getline(in, text)) {
    // A line cut short by a crash is the last one; everything before it is whole.
    nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) continue;
    if (line.contains("version")) {
      if (line.value("migration", "") != identity) {
        *error = "s3.migrate: manifest " + path + " belongs to another migration";
        return false;
      }
      header_seen = true;
      continue;
    }
    if (line.contains("prepared")) {
      prepared = true;
      continue;
    }
    Replay(line, &entries_, &pre_);
  }
  prepared_ = header_seen && prepared;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    *error = "s3.migrate: cannot write manifest " + path + ": " + std::strerror(errno);
    return false;
  }
  if (!prepared_) {
    // Start over when Prepare never finished: its "pre" lines may be incomplete.
    if (::ftruncate(fd_, 0) != 0 ||
        !Append(nlohmann::json{{"version", 1}, {"migration", identity}}.dump()) || !Sync()) {
      *error = "s3.migrate: cannot write manifest " + path;
      return false;
    }
    entries_.clear();
    pre_.clear();
  }
  return true;
}

bool Manifest::Append(const std::string& line) {
  std::string text = line + "\n";
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  if (++unsynced_ >= kSyncEvery) return Sync();
  return true;
}

bool Manifest::Sync() {
  unsynced_ = 0;
  return ::fsync(fd_) == 0;
}

bool Manifest::AddPre(const std::string& key, const std::string& blob) {
  std::lock_guard<std::mutex> lock(mutex_);
  pre_[key] = blob;
  return Append(nlohmann::json{{"pre", key}, {"blob", blob}}.dump());
}

bool Manifest::MarkPrepared() {
  std::lock_guard<std::mutex> lock(mutex_);
  prepared_ = true;
  return Append(nlohmann::json{{"prepared", true}}.dump()) && Sync();
}

bool Manifest::MarkCopying(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[key].copying = true;
  return Append(nlohmann::json{{"copying", key}}.dump());
}

bool Manifest::MarkDone(const std::string& key, long long size, const std::string& checksum) {
  std::lock_guard<std::mutex> lock(mutex_);
  ManifestEntry& entry = entries_[key];
  entry.done = true;
  entry.reversed = false;
  entry.size = size;
  entry.checksum = checksum;
  return Append(nlohmann::json{{"done", key}, {"size", size}, {"checksum", checksum}}.dump());
}

bool Manifest::MarkDeleted(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[key].deleted = true;
  return Append(nlohmann::json{{"deleted", key}}.dump());
}

bool Manifest::MarkReversed(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[key] = ManifestEntry{};
  entries_[key].reversed = true;
  return Append(nlohmann::json{{"reversed", key}}.dump());
}

std::map<std::string, ManifestEntry> Manifest::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_;
}

std::map<std::string, std::string> Manifest::pre() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pre_;
}

}  // namespace upgrade::s3
