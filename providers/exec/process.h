// Running a child process without a shell: argv through execvp, extra environment, working
// directory, output captured line by line (and the last part kept), a timeout that kills the
// whole process group. Used by the exec provider and by fs (tar).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace upgrade {

/// What to run and how.
struct ProcessOptions {
  std::vector<std::string> argv;               ///< argv[0] is looked up in PATH
  std::map<std::string, std::string> env;      ///< added to (or replacing in) the environment
  std::string cwd;                             ///< empty: the current directory
  std::chrono::milliseconds timeout{0};        ///< 0: none
  /// Called with each complete output line (without its newline), stdout or stderr.
  std::function<void(bool is_stderr, const std::string& line)> on_line;
  size_t keep_bytes = 64 * 1024;               ///< how much of the end of each stream to keep
  const std::atomic<bool>* cancelled = nullptr;  ///< when set, the process group is killed
};

/// How a process ended.
struct ProcessResult {
  int exit_code = -1;  ///< the exit status, or 128+N when killed by signal N
  bool timed_out = false;
  bool cancelled = false;
  std::string out;     ///< the last `keep_bytes` of stdout
  std::string err;     ///< the last `keep_bytes` of stderr
  size_t out_dropped = 0;  ///< bytes of stdout not kept
  size_t err_dropped = 0;
  std::string error;   ///< it could not start: "cannot run nope: no such file or directory"
};

/// Runs a process to its end (or its timeout) and returns how it ended. Never throws.
ProcessResult RunProcess(const ProcessOptions& options);

/// `text` without its first lines: at most `count` last non-empty lines, joined by newlines.
std::string LastLines(const std::string& text, size_t count);

/// strerror(errnum) with a lower-case first letter, for error messages.
std::string ErrnoText(int errnum);

}  // namespace upgrade
