// Ctrl-C (SIGINT) and SIGTERM while a run goes: the first asks the run to stop once its running
// steps have finished; the second ends the process at once, as the signal would have. Either
// way the journal keeps what was done, so the run can be resumed or rolled back.
#pragma once

#include <signal.h>

#include <functional>
#include <thread>

namespace upgrade::cli {

/// While it lives, the first SIGINT or SIGTERM calls `on_first(signal)` on a thread of its own
/// (not in the signal handler, so it may lock and print); any later one ends the process by
/// that signal. One at a time per process.
class InterruptGuard {
 public:
  explicit InterruptGuard(std::function<void(int signal)> on_first);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void Watch();

  std::function<void(int)> on_first_;
  int pipe_[2] = {-1, -1};  ///< the handler writes the signal's number; 0 stops the watcher
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  std::thread watcher_;
};

/// What the operator sent, as the note answering it names it: "interrupt" (Ctrl-C, SIGINT) or
/// "SIGTERM".
const char* InterruptName(int signal);

}  // namespace upgrade::cli
