// `upgrade show [RUN]`: one run as its journal tells it: steps with times and outcomes, and
// every operation with what became of it.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "executor/journal_view.h"
#include "state/run_store.h"

namespace upgrade::cli {
namespace {

/// The command line of `upgrade show`.
struct ShowFlags {
  std::string run;
  std::string state = ".upgrade";
};

std::string OpOutcome(const OpStatus& op) {
  if (op.reversed) return "reversed";
  if (op.restored) return "done, restored";
  if (op.done) return "done";
  if (op.failed) return "failed: " + op.error;
  if (op.prepared) return "cut short";
  return "not started";
}

std::string Padded(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

int RunShow(const ShowFlags& flags) {
  RunStore runs(flags.state);
  std::vector<std::string> all = runs.ListRuns();
  std::string run_id = !flags.run.empty() ? flags.run : (all.empty() ? "" : all.back());
  if (run_id.empty()) {
    std::cerr << "error: no runs in " << flags.state << "\n";
    return 1;
  }
  std::vector<JournalRecord> records;
  std::string error;
  if (!ReadJournal(runs.JournalPath(run_id), &records, &error)) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  JournalView view = ViewJournal(records);
  std::cout << "Run " << run_id << ": " << view.Status() << "\n"
            << "  plan:     " << view.plan_path << "\n"
            << "  started:  " << view.started << "\n"
            << "  finished: " << (view.finished.empty() ? "-" : view.finished) << "\n"
            << "Steps:\n";
  size_t width = 8;
  for (const auto& step : view.steps) width = std::max(width, step.step.size() + 2);
  for (const auto& step : view.steps) {
    std::cout << "  " << Padded(step.step, width)
              << Padded(step.outcome.empty() ? "cut short" : step.outcome, 10) << step.began
              << " -> " << (step.ended.empty() ? "-" : step.ended)
              << (step.error.empty() ? "" : "  " + step.error) << "\n";
  }
  std::cout << "Operations:\n";
  for (const auto& op : view.ops) {
    std::cout << "  " << Padded(op.op, width + 2) << Padded(op.description, 40) << OpOutcome(op)
              << "\n";
  }
  return 0;
}

}  // namespace

void AddShowCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ShowFlags>();
  CLI::App* show = app.add_subcommand("show", "Show one run: steps, times, outcomes");
  show->add_option("RUN", flags->run, "The run (default: the latest)");
  show->add_option("--state", flags->state, "The state directory (default: .upgrade)");
  show->callback([flags, exit_code] { *exit_code = RunShow(*flags); });
}

}  // namespace upgrade::cli
