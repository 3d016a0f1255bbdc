// What the executor tells the operator while a run or a rollback goes; the CLI draws it (a live
// progress line per running step on a terminal, plain lines otherwise).
#pragma once

#include <string>

#include "lang/value.h"

namespace upgrade {

/// Receives progress; called from worker threads, so implementations must be thread-safe.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void StepStarted(const std::string& step, const std::string& title) {
    (void)step;
    (void)title;
  }
  virtual void StepFinished(const std::string& step, bool ok, const std::string& error,
                            Duration elapsed) {
    (void)step;
    (void)ok;
    (void)error;
    (void)elapsed;
  }
  /// What a provider reports of a long call made for `step` ("412 of 1000 objects").
  virtual void StepProgress(const std::string& step, const std::string& text) {
    (void)step;
    (void)text;
  }
  /// One line about the run as a whole ("rolling back 3 operations", "reversed ...").
  virtual void Note(const std::string& line) { (void)line; }
};

}  // namespace upgrade
