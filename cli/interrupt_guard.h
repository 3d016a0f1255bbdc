// Ctrl-C (SIGINT) and SIGTERM while a run goes: the first asks the run to stop once its running
// steps have finished; the second ends the process at once, as the signal would have. Either
// way the journal keeps what was done, so the run can be resumed or rolled back.
#pragma once

#include <signal.h>

#include <functional>
#include <string>
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

/// The note answering the first signal: "interrupt received: WHAT (send it again to stop at
/// once)", or "SIGTERM received: ...", where WHAT says what the command does now.
std::string InterruptNote(int signal, const std::string& what);

}  // namespace upgrade::cli
