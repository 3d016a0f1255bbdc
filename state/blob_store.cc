// Blobs named by the SHA-256 of their bytes, stored once, written atomically.
#include "state/blob_store.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "lang/sha256.h"
#include "lang/value_json.h"
#include "state/atomic_file.h"
#include "state/state_store.h"

namespace upgrade {
namespace {

constexpr const char* kPrefix = "sha256:";

// Hex SHA-256 of a file, streamed so large dumps are not held in memory.
std::optional<std::string> HashFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path;
    return std::nullopt;
  }
  Sha256 digest;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) {
      digest.Update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
    }
  }
  return digest.FinishHex();
}

bool ValidHex(const std::string& hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

FileBlobStore::FileBlobStore(std::string dir) : dir_(std::move(dir)) {}

bool FileBlobStore::EnsureDirs(std::string* error) {
  return MakeDirectories(dir_ + "/tmp", error);
}

std::optional<std::string> FileBlobStore::PutBytes(const std::string& bytes, std::string* error) {
  if (!EnsureDirs(error)) return std::nullopt;
  std::string hex = Sha256Hex(bytes);
  std::string path = dir_ + "/" + hex;
  if (!std::filesystem::exists(path) && !WriteFileAtomic(path, bytes, error)) return std::nullopt;
  return kPrefix + hex;
}

std::optional<std::string> FileBlobStore::AdoptFile(const std::string& path, std::string* error) {
  if (!EnsureDirs(error)) return std::nullopt;
  std::optional<std::string> hex = HashFile(path, error);
  if (!hex) return std::nullopt;
  std::string target = dir_ + "/" + *hex;
  // fsync the file before it becomes visible under its final name.
  if (FILE* file = std::fopen(path.c_str(), "rb")) {
    fsync(fileno(file));
    std::fclose(file);
  }
  if (std::rename(path.c_str(), target.c_str()) != 0) {
    *error = "cannot move " + path + " into the blob store";
    return std::nullopt;
  }
  if (!SyncDirectory(dir_, error)) return std::nullopt;
  return kPrefix + *hex;
}

std::string FileBlobStore::NewTempPath() {
  std::string ignored;
  EnsureDirs(&ignored);
  return dir_ + "/tmp/" + std::to_string(getpid()) + "-" + std::to_string(temp_counter_++) +
         "-" + RandomHex(4);
}

std::string FileBlobStore::PathOf(const std::string& name) const {
  if (name.rfind(kPrefix, 0) != 0) return "";
  std::string hex = name.substr(std::char_traits<char>::length(kPrefix));
  if (!ValidHex(hex)) return "";
  std::string path = dir_ + "/" + hex;
  return std::filesystem::exists(path) ? path : "";
}

std::optional<std::string> FileBlobStore::GetBytes(const std::string& name,
                                                   std::string* error) const {
  std::string path = PathOf(name);
  if (path.empty()) {
    *error = "blob " + name + " is not in the state store";
    return std::nullopt;
  }
  return ReadWholeFile(path, error);
}

}  // namespace upgrade
