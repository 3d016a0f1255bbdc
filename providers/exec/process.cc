// Child processes without a shell: fork, exec in a process group of its own, read stdout and
// stderr through poll, kill the group on timeout or cancellation.
#include "providers/exec/process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <optional>

extern char** environ;

namespace upgrade {
namespace {

using Clock = std::chrono::steady_clock;

// How long a process group gets between SIGTERM and SIGKILL.
constexpr auto kKillGrace = std::chrono::seconds(2);

/// One output stream being read: its pipe, the line being assembled and the kept tail.
struct Stream {
  int fd = -1;
  bool is_stderr = false;
  std::string partial_line;
  std::string* kept = nullptr;
  size_t* dropped = nullptr;
};

// The environment of the child: ours, with `extra` added or replaced. Built before fork,
// because only async-signal-safe calls may run between fork and exec.
std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text = *entry;
    std::string name = text.substr(0, text.find('='));
    if (extra.count(name) == 0) env.push_back(text);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Child side, between fork and exec: async-signal-safe calls only. On failure the errno goes
// back through `status_fd` (closed on a successful exec) with a code saying which step failed.
[[noreturn]] void ExecChild(char** argv, char** envp, const char* cwd, int out_fd, int err_fd,
                            int status_fd) {
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  int report[2] = {0, 0};
  if (cwd[0] != '\0' && chdir(cwd) != 0) {
    report[0] = 1;
    report[1] = errno;
  } else {
    execvpe(argv[0], argv, envp);
    report[0] = 2;
    report[1] = errno;
  }
  ssize_t ignored = write(status_fd, report, sizeof(report));
  (void)ignored;
  _exit(127);
}

void KeepTail(Stream& stream, const char* data, size_t size, size_t keep_bytes) {
  stream.kept->append(data, size);
  if (stream.kept->size() > keep_bytes) {
    size_t extra = stream.kept->size() - keep_bytes;
    stream.kept->erase(0, extra);
    *stream.dropped += extra;
  }
}

void EmitLines(Stream& stream, const char* data, size_t size, const ProcessOptions& options) {
  if (!options.on_line) return;
  stream.partial_line.append(data, size);
  size_t start = 0;
  for (size_t newline; (newline = stream.partial_line.find('\n', start)) != std::string::npos;
       start = newline + 1) {
    options.on_line(stream.is_stderr, stream.partial_line.substr(start, newline - start));
  }
  stream.partial_line.erase(0, start);
}

// Reads what is available on `stream`; false at end of file (or error).
bool ReadSome(Stream& stream, const ProcessOptions& options) {
  char buffer[16384];
  ssize_t count = read(stream.fd, buffer, sizeof(buffer));
  if (count < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (count <= 0) return false;
  KeepTail(stream, buffer, static_cast<size_t>(count), options.keep_bytes);
  EmitLines(stream, buffer, static_cast<size_t>(count), options);
  return true;
}

void KillGroup(pid_t pid, int signal_number) { kill(-pid, signal_number); }

// Waits for `pid` to exit, giving it `kKillGrace` after SIGTERM before SIGKILL when asked to stop.
int WaitExit(pid_t pid, bool stop) {
  int status = 0;
  if (stop) {
    KillGroup(pid, SIGTERM);
    auto deadline = Clock::now() + kKillGrace;
    while (Clock::now() < deadline) {
      pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid) {
        KillGroup(pid, SIGKILL);  // stragglers of the group
        return status;
      }
      usleep(20000);
    }
    KillGroup(pid, SIGKILL);
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

bool ChildHasExited(pid_t pid) {
  siginfo_t info;
  std::memset(&info, 0, sizeof(info));
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// Reads both streams until the child has exited and its output is drained, the deadline
// passes or the run is cancelled. Returns true when the process group must be stopped.
// Grandchildren may keep the pipes open after the child exits, so draining is bounded.
bool Pump(pid_t pid, Stream* streams, const ProcessOptions& options, ProcessResult& result) {
  const auto deadline = Clock::now() + options.timeout;
  bool open[2] = {true, true};
  std::optional<Clock::time_point> drain_until;
  while (true) {
    auto now = Clock::now();
    if (options.timeout.count() > 0 && now >= deadline) {
      result.timed_out = true;
      return true;
    }
    if (options.cancelled != nullptr && options.cancelled->load()) {
      result.cancelled = true;
      return true;
    }
    if (!drain_until && ChildHasExited(pid)) drain_until = now + std::chrono::milliseconds(200);
    if (drain_until && ((!open[0] && !open[1]) || now >= *drain_until)) return false;
    pollfd fds[2];
    for (int i = 0; i < 2; ++i) fds[i] = {open[i] ? streams[i].fd : -1, POLLIN, 0};
    if (poll(fds, 2, 50) < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (open[i] && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        open[i] = ReadSome(streams[i], options);
      }
    }
  }
}

void FlushPartialLines(Stream* streams, const ProcessOptions& options) {
  for (int i = 0; i < 2; ++i) {
    if (options.on_line && !streams[i].partial_line.empty()) {
      options.on_line(streams[i].is_stderr, streams[i].partial_line);
    }
  }
}

std::string StartError(const std::string& program, const int report[2]) {
  if (report[0] == 1) return "cannot change directory: " + ErrnoText(report[1]);
  return "cannot run " + program + ": " + ErrnoText(report[1]);
}

}  // namespace

ProcessResult RunProcess(const ProcessOptions& options) {
  ProcessResult result;
  if (options.argv.empty() || options.argv[0].empty()) {
    result.error = "empty command";
    return result;
  }
  int out_pipe[2], err_pipe[2], status_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.error = "cannot create a pipe: " + ErrnoText(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0 || pipe2(status_pipe, O_CLOEXEC) != 0) {
    result.error = "cannot create a pipe: " + ErrnoText(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = ChildEnvironment(options.env);
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(env);
  pid_t pid = fork();
  if (pid == 0) {
    ExecChild(argv.data(), envp.data(), options.cwd.c_str(), out_pipe[1], err_pipe[1],
              status_pipe[1]);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(status_pipe[1]);
  if (pid < 0) {
    result.error = "cannot start a process: " + ErrnoText(errno);
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(status_pipe[0]);
    return result;
  }
  setpgid(pid, pid);  // also in the parent, so the group exists before any kill
  int report[2] = {0, 0};
  ssize_t got = read(status_pipe[0], report, sizeof(report));
  close(status_pipe[0]);
  Stream streams[2] = {{out_pipe[0], false, "", &result.out, &result.out_dropped},
                       {err_pipe[0], true, "", &result.err, &result.err_dropped}};
  bool stop = false;
  if (got == static_cast<ssize_t>(sizeof(report))) {
    result.error = StartError(options.argv[0], report);
  } else {
    stop = Pump(pid, streams, options, result);
  }
  FlushPartialLines(streams, options);
  int status = WaitExit(pid, stop);
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

std::string LastLines(const std::string& text, size_t count) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty()) lines.push_back(line);
    start = end + 1;
  }
  std::string out;
  size_t first = lines.size() > count ? lines.size() - count : 0;
  for (size_t i = first; i < lines.size(); ++i) {
    if (!out.empty()) out += "\n";
    out += lines[i];
  }
  return out;
}

std::string ErrnoText(int errnum) {
  std::string text = std::strerror(errnum);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace upgrade
