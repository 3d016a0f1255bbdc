// Formatting of source positions, and reading source files.
#include "lang/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <mutex>
#include <unordered_set>

namespace upgrade {

const std::string SourcePath::kNone;

SourcePath::SourcePath(const std::string& path) {
  if (path.empty()) return;  // the same as no path
  // The paths of a process are few (its plan files and their imports); they live as long as it.
  static std::mutex mutex;
  static auto* paths = new std::unordered_set<std::string>();
  std::lock_guard<std::mutex> lock(mutex);
  text_ = &*paths->insert(path).first;
}

void to_json(nlohmann::json& json, const SourcePath& path) { json = path.str(); }

std::string SourceLocation::ToString() const {
  if (!Known()) return path;
  return path.str() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::optional<std::string> ReadSourceFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  struct stat info {};
  // Sized once from fstat; a file that grows meanwhile is read on to its end all the same.
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) text.resize(static_cast<size_t>(info.st_size) + 1);
  size_t size = 0;
  for (;;) {
    if (size == text.size()) text.resize(text.size() < 4096 ? 4096 : 2 * text.size());
    ssize_t got = read(fd, text.data() + size, text.size() - size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {  // a directory (EISDIR), or the disk failed
      int error = errno;
      close(fd);
      errno = error;
      return std::nullopt;
    }
    if (got == 0) break;
    size += static_cast<size_t>(got);
  }
  close(fd);
  text.resize(size);
  return text;
}

}  // namespace upgrade
