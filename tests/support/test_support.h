// What every test tier shares: temporary directories, running a command, reading the
// environment the test services publish, and files.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace upgrade::testing {

/// A fresh directory under $TMPDIR, removed with everything in it when this goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// `path() + "/" + relative`.
  std::string Join(const std::string& relative) const;

 private:
  std::string path_;
};

/// What a finished command left: its exit code (128+N when killed by signal N) and output.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` (no shell) with `extra_env` added to this process's environment, `input` on its
/// standard input, in `cwd` (empty: here); waits at most `timeout_seconds`, then kills it.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& extra_env = {},
                         const std::string& input = "", const std::string& cwd = "",
                         int timeout_seconds = 120);

/// The value of environment variable `name`, set by scripts/test-services.sh. A missing one
/// fails the calling test with a message saying how to start the services: integration tests
/// never pass by skipping.
std::string RequireEnv(const char* name);

/// Path of the built `upgrade` binary, and of the source tree.
std::string UpgradeBinary();
std::string SourceDir();

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace upgrade::testing
