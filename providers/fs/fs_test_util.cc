// Fingerprints of trees and a driver of fs provider changes, for the fs tests.
#include "providers/fs/fs_test_util.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "lang/value_json.h"

namespace upgrade::testing {

std::string TreeFingerprint(const std::string& root) {
  namespace stdfs = std::filesystem;
  std::set<std::string> lines;
  std::error_code code;
  for (stdfs::recursive_directory_iterator it(root, code), end; !code && it != end;
       it.increment(code)) {
    std::string path = it->path().string();
    struct stat st {};
    lstat(path.c_str(), &st);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
    std::ostringstream line;
    line << path.substr(root.size()) << " " << mode << " ";
    if (S_ISLNK(st.st_mode)) line << "link " << stdfs::read_symlink(path).string();
    else if (S_ISDIR(st.st_mode)) line << "dir";
    else line << "file " << Sha256Hex(ReadFile(path));
    lines.insert(line.str());
  }
  struct stat st {};
  if (lstat(root.c_str(), &st) != 0) return "(absent)\n";
  std::ostringstream out;
  out << "root " << std::oct << (st.st_mode & 07777) << "\n";
  for (const std::string& line : lines) out << line << "\n";
  return out.str();
}

FsFixture::FsFixture() : blobs_(std::make_unique<FileBlobStore>(state_dir_.Join("blobs"))) {
  context_.blobs = blobs_.get();
  context_.run_id = "test-run";
}

ResourceConfig FsFixture::Resource(const std::string& type, const std::string& path,
                                   Value::Map extra) {
  extra["path"] = path;
  return ResourceConfig{type, "r", std::move(extra)};
}

Change FsFixture::Plan(const ResourceConfig& resource, const Value::Map& desired) {
  ReadResult read = provider_.Read(resource, context_);
  EXPECT_EQ(read.error, "");
  DiffRequest request{resource, read.state, desired};
  DiffResult diff = provider_.Diff(request);
  EXPECT_EQ(diff.error, "");
  return diff.change;
}

Value FsFixture::Prepare(const ResourceConfig& resource, const Change& change) {
  Operation operation{Operation::Kind::kChange, resource, change};
  PrepareResult prepared = provider_.Prepare(operation, context_);
  EXPECT_EQ(prepared.error, "");
  EXPECT_TRUE(prepared.reversible);
  return prepared.undo;
}

State FsFixture::Apply(const ResourceConfig& resource, const Change& change, const Value& undo) {
  Operation operation{Operation::Kind::kChange, resource, change};
  ApplyResult applied = provider_.Apply(operation, undo, context_);
  EXPECT_EQ(applied.error, "");
  return applied.state;
}

State FsFixture::Reverse(const ResourceConfig& resource, const Value& undo) {
  ReverseRequest request{Operation::Kind::kChange, resource, undo};
  ReverseResult reversed = provider_.Reverse(request, context_);
  EXPECT_EQ(reversed.error, "");
  return reversed.state;
}

int RunAsNobody(const std::function<int()>& check) {
  if (geteuid() != 0) return check();
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    if (setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(1);
    _exit(check());
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace upgrade::testing
