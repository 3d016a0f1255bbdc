// The signal handler only counts and writes one byte to a pipe (both async-signal-safe); a
// watcher thread reads the pipe and does the rest.
#include "cli/interrupt_guard.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace upgrade::cli {
namespace {

std::atomic<int> signals_seen{0};
std::atomic<int> handler_pipe{-1};

void OnSignal(int signal_number) {
  if (signals_seen.fetch_add(1) > 0) {
    static const char kAtOnce[] = "\nupgrade: stopping at once (the journal keeps what was done)\n";
    ssize_t ignored = write(STDERR_FILENO, kAtOnce, sizeof kAtOnce - 1);
    (void)ignored;
    ::signal(signal_number, SIG_DFL);
    raise(signal_number);
    return;
  }
  char byte = static_cast<char>(signal_number);
  ssize_t ignored = write(handler_pipe.load(), &byte, 1);
  (void)ignored;
}

}  // namespace

InterruptGuard::InterruptGuard(std::function<void(int signal)> on_first)
    : on_first_(std::move(on_first)) {
  // One pipe for the life of the process: a handler still running on another thread when a
  // guard ends can never write into a closed (or reused) descriptor.
  static int process_pipe[2] = {-1, -1};
  if (process_pipe[0] < 0 && pipe2(process_pipe, O_CLOEXEC) != 0) return;  // default signals
  pipe_[0] = process_pipe[0];
  pipe_[1] = process_pipe[1];
  signals_seen = 0;
  handler_pipe = pipe_[1];
  watcher_ = std::thread(&InterruptGuard::Watch, this);
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}

InterruptGuard::~InterruptGuard() {
  if (!watcher_.joinable()) return;
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
  char stop = 0;
  ssize_t ignored = write(pipe_[1], &stop, 1);
  (void)ignored;
  watcher_.join();
}

void InterruptGuard::Watch() {
  char byte = 0;
  for (;;) {
    ssize_t got = read(pipe_[0], &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0 || byte == 0) return;
    on_first_(byte);
  }
}

std::string InterruptNote(int signal, const std::string& what) {
  return std::string(signal == SIGTERM ? "SIGTERM" : "interrupt") + " received: " + what +
         " (send it again to stop at once)";
}

}  // namespace upgrade::cli
