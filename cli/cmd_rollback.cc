// `upgrade rollback [--run ID]`: shows what reversing a run will do, then reverses it from its
// journal, itself journaled so an interrupted rollback is finished by running it again.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <atomic>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/interrupt_guard.h"
#include "cli/plan_inputs.h"
#include "cli/run_output.h"
#include "executor/rollback.h"
#include "executor/run_session.h"
#include "executor/secret_restore.h"
#include "planner/plan_file.h"
#include "providers/registry.h"

namespace upgrade::cli {
namespace {

/// The command line of `upgrade rollback`.
struct RollbackFlags {
  std::string run;
  std::vector<std::string> vars;
  std::string var_file;
  bool auto_approve = false;
  bool force = false;
  int parallelism = 10;
  std::string state = ".upgrade";
  bool no_color = false;
};

int Fail(const std::string& error) {
  std::cerr << "error: " << error << "\n";
  return 1;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Puts the sensitive values the journal holds as digests back into `records`, evaluating the
// run's program (from its plan.json) again with the inputs given now. An error text, or "".
std::string RestoreRunSecrets(const RollbackFlags& flags, const std::string& plan_json,
                              const ProviderRegistry& providers,
                              std::vector<JournalRecord>& records) {
  if (!std::filesystem::exists(plan_json)) return "";
  Diagnostics diagnostics;
  SourceCache cache;
  std::optional<Plan> plan = LoadPlanFile(plan_json, diagnostics);
  SecretRestoreOptions options;
  if (plan && plan->program) {
    for (const auto& [path, text] : plan->sources) cache.Add(path, text);
    options.given = ReadVars(*plan->program, flags.vars, flags.var_file, diagnostics);
  }
  if (diagnostics.HasErrors()) {
    PrintDiagnostics(diagnostics, cache, flags.no_color);
    return "cannot read the inputs of the run";
  }
  if (!plan) return "";
  std::vector<std::string> warnings;
  std::string error = RestoreSecrets(*plan, records, options, providers, &warnings);
  for (const auto& warning : warnings) std::cerr << "warning: " << warning << "\n";
  return error;
}

int RunRollback(const RollbackFlags& flags) {
  bool color = ColorFor(STDOUT_FILENO, flags.no_color);
  std::string error;
  std::optional<LockHolder> taken_over;
  auto session = RunSession::Open(flags.state, &error, &taken_over);
  if (!session) return Fail(error);
  if (taken_over) std::cerr << "note: took over the lock of " << taken_over->Describe() << "\n";
  std::vector<std::string> runs = session->runs().ListRuns();
  std::string run_id = !flags.run.empty() ? flags.run : (runs.empty() ? "" : runs.back());
  if (run_id.empty()) return Fail("no run to roll back in " + flags.state);
  std::vector<JournalRecord> records;
  if (!ReadJournal(session->runs().JournalPath(run_id), &records, &error)) return Fail(error);
  if (ViewJournal(records).Status() == "rolled back") {
    std::cout << "Run " << run_id << " was already rolled back; nothing to do.\n";
    return 0;
  }
  std::unique_ptr<ProviderRegistry> providers = MakeDefaultProviders();
  error = RestoreRunSecrets(flags, session->runs().PlanPath(run_id), *providers, records);
  if (!error.empty()) return Fail(error);
  JournalView view = ViewJournal(records);
  if (!session->ContinueRun(run_id, &error)) return Fail(error);
  std::string base_dir = std::filesystem::path(view.plan_path).parent_path().string();
  ProviderChangeRunner runner(*providers, session->Context(base_dir),
                              SensitiveAttributesOf(view));
  RollbackPlan plan = PlanRollback(view, {});
  error = FindDrift(view, runner, &plan);
  if (!error.empty()) return Fail(error);
  CheckReversals(runner, &plan);
  std::cout << RenderRollbackPlan(plan, color);
  if (std::string refusal = RefusalOf(plan); !refusal.empty() && !flags.force) {
    return Fail(refusal + " (--force leaves them in place)");
  }
  if (!plan.drifted.empty() && !flags.force) {
    return Fail("cannot roll back run " + run_id + ": " + Joined(plan.drifted) +
                (plan.drifted.size() == 1 ? " has" : " have") +
                " changed since the run touched it (--force rolls back anyway)");
  }
  if (plan.items.empty()) {
    std::cout << "Nothing to roll back.\n";
    return 0;
  }
  if (Confirm("Do you want to roll back run " + run_id + "?", flags.auto_approve) != 0) return 1;
  ConsoleObserver observer(isatty(STDOUT_FILENO), color);
  runner.SetStepProgressSink([&observer](const std::string& step, const std::string& text) {
    observer.StepProgress(step, text);
  });
  std::atomic<bool> stop{false};
  RollbackOutcome outcome;
  {
    InterruptGuard interrupts([&stop, &observer](int signal) {
      observer.Note(
          InterruptNote(signal, "the reversals under way finish, then the rollback stops"));
      stop = true;
    });
    outcome = ExecuteRollback(plan, runner, session->journal(), &observer, flags.force, &stop,
                              flags.parallelism);
  }
  observer.Stop();
  std::map<std::string, std::string> types;
  for (const auto& item : plan.items) {
    if (item.op.kind == "change") types[item.op.resource.name] = item.op.resource.type;
  }
  if (!session->SaveStates(outcome.states, types, &error)) std::cerr << "error: " << error << "\n";
  if (!outcome.ok) {
    std::cerr << "error: " << outcome.error << "\n";
    std::cout << (outcome.interrupted ? "To finish it: " : "To retry: ")
              << "upgrade rollback --run " << run_id << " --state " << flags.state << "\n";
    return 1;
  }
  if (!outcome.left_in_place.empty()) {
    std::cout << Paint("Rollback complete", "33;1", color)
              << ", except what --force left as the run left it:\n";
    for (const auto& left : outcome.left_in_place) std::cout << "  " << left << "\n";
    std::cout << "Run " << run_id << " was rolled back in part.\n";
    return 0;
  }
  std::cout << Paint("Rollback complete!", "32;1", color) << " Run " << run_id
            << " was rolled back.\n";
  return 0;
}

}  // namespace

void AddRollbackCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<RollbackFlags>();
  CLI::App* rollback = app.add_subcommand("rollback", "Reverse a run from its journal");
  rollback->add_option("--run", flags->run, "The run to reverse (default: the latest)");
  AddInputOptions(rollback, &flags->vars, &flags->var_file,
                  "A sensitive input the run used, NAME=VALUE (repeatable)");
  rollback->add_flag("--auto-approve", flags->auto_approve, "Roll back without asking");
  rollback->add_flag("--force", flags->force,
                     "Roll back even if resources changed since; leave irreversible ones");
  rollback->add_option("--parallelism", flags->parallelism,
                       "Reversals running at once (default 10; operations that ran at once)")
      ->check(CLI::Range(1, 1000));
  rollback->add_option("--state", flags->state, "The state directory (default: .upgrade)");
  rollback->add_flag("--no-color", flags->no_color, "Never use colors");
  rollback->callback([flags, exit_code] { *exit_code = RunRollback(*flags); });
}

}  // namespace upgrade::cli
