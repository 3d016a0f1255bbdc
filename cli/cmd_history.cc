// `upgrade history`: every run of a state directory, oldest first, with how it ended.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "executor/journal_view.h"
#include "state/run_store.h"

namespace upgrade::cli {
namespace {

int RunHistory(const std::string& state) {
  RunStore runs(state);
  std::vector<std::string> all = runs.ListRuns();
  if (all.empty()) {
    std::cout << "No runs in " << state << ".\n";
    return 0;
  }
  for (const auto& run_id : all) {
    std::vector<JournalRecord> records;
    std::string error;
    if (!ReadJournal(runs.JournalPath(run_id), &records, &error)) {
      std::cout << run_id << "  unreadable: " << error << "\n";
      continue;
    }
    JournalView view = ViewJournal(records);
    std::cout << run_id << "  " << view.started << "  " << view.Status() << "  "
              << view.steps.size() << " steps  " << view.plan_path << "\n";
  }
  return 0;
}

}  // namespace

void AddHistoryCommand(CLI::App& app, int* exit_code) {
  auto state = std::make_shared<std::string>(".upgrade");
  CLI::App* history = app.add_subcommand("history", "List the runs of a state directory");
  history->add_option("--state", *state, "The state directory (default: .upgrade)");
  history->callback([state, exit_code] { *exit_code = RunHistory(*state); });
}

}  // namespace upgrade::cli
