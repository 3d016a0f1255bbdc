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

/// How often a step's provider reports become a line of their own when there is no live line.
inline constexpr std::chrono::seconds kProgressLineEvery{2};

/// Prints step progress to standard output: on a terminal one live line of the running steps
/// with their elapsed time and latest provider report; otherwise plain lines, provider reports
/// at most one per step every kProgressLineEvery.
class ConsoleObserver : public RunObserver {
 public:
  ConsoleObserver(bool terminal, bool color);
  ~ConsoleObserver() override;
  void StepStarted(const std::string& step, const std::string& title) override;
  void StepFinished(const std::string& step, bool ok, const std::string& error,
                    Duration elapsed) override;
  void StepProgress(const std::string& step, const std::string& text) override;
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
  std::map<std::string, std::string> progress_;  // the latest report of each running step
  std::map<std::string, std::chrono::steady_clock::time_point> progress_printed_;
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
