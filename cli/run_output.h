// What apply and rollback show while they run: a live progress line of the running steps on a
// terminal (plain lines otherwise), colors unless NO_COLOR, and the confirmation prompt.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "executor/run_observer.h"

namespace upgrade::cli {

/// Prints step progress to standard output.
class ConsoleObserver : public RunObserver {
 public:
  ConsoleObserver(bool terminal, bool color);
  ~ConsoleObserver() override;
  void StepStarted(const std::string& step, const std::string& title) override;
  void StepFinished(const std::string& step, bool ok, const std::string& error,
                    Duration elapsed) override;
  void Note(const std::string& line) override;
  /// Stops the live line (before the summary is printed).
  void Stop();

 private:
  void Print(const std::string& line);  // with mutex_ held
  void DrawLiveLine();                  // with mutex_ held
  void Tick();

  bool terminal_;
  bool color_;
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> running_;
  bool stop_ = false;
  std::thread ticker_;
};

/// Asks for `yes` on the terminal. Returns 0 when approved; otherwise prints why and returns 1
/// (no terminal and no --auto-approve, or any answer but `yes`).
int Confirm(const std::string& question, bool auto_approve);

/// True when `fd` is a terminal, NO_COLOR is unset and `--no-color` was not given.
bool ColorFor(int fd, bool no_color_flag);

/// `text` in ANSI color `code` when `color`.
std::string Paint(const std::string& text, const char* code, bool color);

}  // namespace upgrade::cli
