// Progress of a run on the console, and the confirmation prompt.
#include "cli/run_output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace upgrade::cli {
namespace {

std::string Seconds(Duration elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1fs", elapsed.count() / 1000.0);
  return buffer;
}

}  // namespace

bool ColorFor(int fd, bool no_color_flag) {
  const char* no_color = std::getenv("NO_COLOR");
  return !no_color_flag && isatty(fd) && !(no_color && *no_color);
}

std::string Paint(const std::string& text, const char* code, bool color) {
  return color ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
}

ConsoleObserver::ConsoleObserver(bool terminal, bool color) : terminal_(terminal), color_(color) {
  if (terminal_) ticker_ = std::thread(&ConsoleObserver::Tick, this);
}

ConsoleObserver::~ConsoleObserver() { Stop(); }

void ConsoleObserver::Stop() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (stop_) return;
    stop_ = true;
    if (terminal_) std::cout << "\r\x1b[K" << std::flush;
  }
  if (ticker_.joinable()) ticker_.join();
}

void ConsoleObserver::Print(const std::string& line) {
  if (terminal_) std::cout << "\r\x1b[K";
  std::cout << line << "\n";
  if (terminal_ && !stop_) DrawLiveLine();
  std::cout << std::flush;
}

void ConsoleObserver::DrawLiveLine() {
  if (running_.empty()) return;
  auto now = std::chrono::steady_clock::now();
  std::string line = "running:";
  for (const auto& [step, since] : running_) {
    line += " " + step + " (" + Seconds(std::chrono::duration_cast<Duration>(now - since));
    if (auto report = progress_.find(step); report != progress_.end()) {
      line += ": " + report->second;
    }
    line += ")";
  }
  std::cout << "\r\x1b[K" << Paint(line, "2", color_);
}

void ConsoleObserver::Tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    lock.lock();
    if (!stop_) {
      DrawLiveLine();
      std::cout << std::flush;
    }
  }
}

void ConsoleObserver::StepStarted(const std::string& step, const std::string& title) {
  std::lock_guard<std::mutex> guard(mutex_);
  running_[step] = std::chrono::steady_clock::now();
  if (!terminal_) Print("step " + step + ": started" + (title.empty() ? "" : " (" + title + ")"));
}

void ConsoleObserver::StepFinished(const std::string& step, bool ok, const std::string& error,
                                   Duration elapsed) {
  std::lock_guard<std::mutex> guard(mutex_);
  running_.erase(step);
  progress_.erase(step);
  progress_printed_.erase(step);
  if (ok) {
    Print("step " + step + ": " + Paint("ok", "32", color_) + " (" + Seconds(elapsed) + ")");
  } else {
    Print("step " + step + ": " + Paint("failed", "31", color_) + " (" + Seconds(elapsed) +
          "): " + error);
  }
}

void ConsoleObserver::StepProgress(const std::string& step, const std::string& text) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (terminal_ && running_.count(step)) {
    progress_[step] = text;  // the ticker draws it
    return;
  }
  auto now = std::chrono::steady_clock::now();
  auto printed = progress_printed_.find(step);
  if (printed != progress_printed_.end() && now - printed->second < kProgressLineEvery) return;
  progress_printed_[step] = now;
  Print("step " + step + ": " + text);
}

void ConsoleObserver::Note(const std::string& line) {
  std::lock_guard<std::mutex> guard(mutex_);
  Print(line);
}

int Confirm(const std::string& question, bool auto_approve) {
  if (auto_approve) return 0;
  if (!isatty(STDIN_FILENO)) {
    std::cerr << "error: no terminal to ask for approval on; pass --auto-approve to "
                 "proceed without asking\n";
    return 1;
  }
  std::cout << "\n" << question << "\n  Only 'yes' will be accepted to approve.\n\n"
            << "  Enter a value: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "yes") {
    std::cerr << "error: cancelled; nothing was changed\n";
    return 1;
  }
  return 0;
}

}  // namespace upgrade::cli
