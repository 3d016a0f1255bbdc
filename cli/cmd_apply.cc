// `upgrade apply [FILE | PLANFILE]`: plans (or re-checks a saved plan), asks, then applies it
// through the executor with the journal, the lock and the state store; `--resume` continues an
// interrupted run from its journal.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/interrupt_guard.h"
#include "cli/keep_until_exit.h"
#include "cli/plan_inputs.h"
#include "cli/run_output.h"
#include "executor/executor.h"
#include "executor/run_session.h"
#include "executor/secret_restore.h"
#include "planner/plan_file.h"
#include "planner/plan_render.h"
#include "planner/planner.h"

namespace upgrade::cli {
namespace {

/// The command line of `upgrade apply`.
struct ApplyFlags {
  std::string target;
  std::vector<std::string> vars;
  std::string var_file;
  bool auto_approve = false;
  int parallelism = 10;
  std::string on_failure;
  bool resume = false;
  std::string run;
  std::string state;
  bool no_color = false;
};

// A saved plan file is JSON; a plan source file never starts with `{`.
bool IsSavedPlan(const std::string& path) {
  std::ifstream in(path);
  char c = 0;
  while (in.get(c) && std::isspace(static_cast<unsigned char>(c))) {
  }
  return c == '{';
}

std::optional<Plan> MakePlan(const ApplyFlags& flags, const ProviderRegistry& providers) {
  Diagnostics diagnostics;
  SourceCache cache;
  PlannerOptions options;
  options.state_dir = StateDirFor(flags.target, flags.state);
  std::optional<Plan> plan;
  if (IsSavedPlan(flags.target)) {
    std::optional<Plan> saved = LoadPlanFile(flags.target, diagnostics);
    if (saved && saved->program) {
      // Without --state, the saved plan's own state directory.
      if (flags.state.empty()) options.state_dir.clear();
      for (const auto& [path, text] : saved->sources) cache.Add(path, text);
      std::map<std::string, Value> given =
          ReadVars(*saved->program, flags.vars, flags.var_file, diagnostics);
      if (!diagnostics.HasErrors()) {
        options.sources = saved->sources;
        plan = ReplanSaved(*saved, flags.target, given, providers, options, diagnostics);
      }
    }
  } else {
    std::optional<LoadedProgram> loaded = LoadProgramWithVars(
        flags.target, flags.vars, flags.var_file, providers, diagnostics, cache);
    if (loaded) {
      options.sources = loaded->sources;
      plan = Planner(providers, options).Run(loaded->program, loaded->inputs, diagnostics);
    }
  }
  PrintDiagnostics(diagnostics, cache, flags.no_color);
  return plan;
}

std::map<std::string, std::string> ResourceTypes(const Plan& plan) {
  std::map<std::string, std::string> types;
  for (const auto& [name, resource] : plan.resources) types[name] = resource.type;
  return types;
}

std::string BaseDir(const Plan& plan) {
  return std::filesystem::path(plan.plan_path).parent_path().string();
}

// Prints how the run ended and what to run next; returns the exit code.
int Report(const RunResult& result, RunSession& session, bool color) {
  const std::string state_flag = " --state " + session.state_dir();
  for (const auto& warning : result.warnings) std::cerr << "warning: " << warning << "\n";
  switch (result.status) {
    case RunStatus::kSucceeded:
      std::cout << Paint("Apply complete!", "32;1", color) << " Run " << session.run_id()
                << " succeeded.\n";
      return 0;
    case RunStatus::kRolledBack:
      std::cerr << "error: " << result.error << "\n";
      std::cout << "Run " << session.run_id() << " failed and was rolled back.\n";
      return 1;
    case RunStatus::kStopped:
      std::cerr << "error: " << result.error << "\n";
      std::cout << "Run " << session.run_id() << " stopped.\n"
                << "To resume it:    upgrade apply --resume --run " << session.run_id()
                << state_flag << "\n"
                << "To roll it back: upgrade rollback --run " << session.run_id() << state_flag
                << "\n";
      return 1;
    case RunStatus::kRollbackFailed:
      std::cerr << "error: " << result.error << "\n";
      std::cout << "Run " << session.run_id() << " failed and its rollback failed too.\n"
                << "To retry the rollback: upgrade rollback --run " << session.run_id()
                << state_flag << "\n";
      return 1;
    case RunStatus::kRefused:
      std::cerr << "error: " << result.error << "\n";
      return 1;
  }
  return 1;
}

std::optional<OnFailure> ParseOnFailure(const std::string& text) {
  if (text == "rollback") return OnFailure::kRollback;
  if (text == "stop") return OnFailure::kStop;
  return std::nullopt;
}

// Runs `plan` (fresh, or resuming `history`) inside `session`; prints and returns the code.
int Execute(const Plan& plan, const ApplyFlags& flags, const ProviderRegistry& providers,
            RunSession& session, const std::vector<JournalRecord>* history) {
  bool color = UseColor(STDOUT_FILENO, flags.no_color);
  ProviderChangeRunner runner(providers, session.Context(BaseDir(plan)),
                              SensitiveAttributesOf(plan));
  EvaluatorStepRuntime runtime(plan, providers);
  ExecutorOptions options;
  options.parallelism = flags.parallelism;
  options.on_failure = ParseOnFailure(flags.on_failure);
  ConsoleObserver observer(isatty(STDOUT_FILENO), color);
  runner.SetStepProgressSink([&observer](const std::string& step, const std::string& text) {
    observer.StepProgress(step, text);
  });
  Executor executor(plan, runner, runtime, session.journal(), options, &observer);
  std::cout << (history ? "Resuming" : "Applying") << " run " << session.run_id()
            << " (parallelism " << flags.parallelism << ")\n";
  RunResult result;
  {
    InterruptGuard interrupts([&executor, &observer](int signal) {
      observer.Note(InterruptNote(signal, executor.Interrupt()));
    });
    result = history ? executor.Resume(*history) : executor.Apply(session.run_id());
  }
  observer.Stop();
  if (result.status == RunStatus::kRefused && !history) {
    session.DiscardRun();
    std::cerr << "error: " << result.error << "\n";
    return 1;
  }
  std::string error;
  if (!session.SaveStates(result.states, ResourceTypes(plan), &error)) {
    std::cerr << "error: " << error << "\n";
  }
  return Report(result, session, color);
}

int RunResume(const ApplyFlags& flags, const ProviderRegistry& providers) {
  std::string state_dir =
      !flags.state.empty() ? flags.state
                           : (flags.target.empty() ? ".upgrade" : StateDirFor(flags.target, ""));
  std::string error;
  std::optional<LockHolder> taken_over;
  auto session = RunSession::Open(state_dir, &error, &taken_over);
  if (!session) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  if (taken_over) std::cerr << "note: took over the lock of " << taken_over->Describe() << "\n";
  std::vector<std::string> runs = session->runs().ListRuns();
  std::string run_id = !flags.run.empty() ? flags.run : (runs.empty() ? "" : runs.back());
  if (run_id.empty()) {
    std::cerr << "error: no run to resume in " << state_dir << "\n";
    return 1;
  }
  std::vector<JournalRecord> history;
  if (!ReadJournal(session->runs().JournalPath(run_id), &history, &error)) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  Diagnostics diagnostics;
  std::optional<Plan> plan = LoadPlanFile(session->runs().PlanPath(run_id), diagnostics);
  SourceCache cache;
  SecretRestoreOptions restore;
  restore.resuming = true;
  if (plan && plan->program) {
    for (const auto& [path, text] : plan->sources) cache.Add(path, text);
    restore.given = ReadVars(*plan->program, flags.vars, flags.var_file, diagnostics);
  }
  if (!plan || diagnostics.HasErrors()) {
    PrintDiagnostics(diagnostics, cache, flags.no_color);
    return 1;
  }
  // plan.json and the journal hold secrets as digests: evaluate them again, checked.
  std::vector<std::string> warnings;
  error = RestoreSecrets(*plan, history, restore, providers, &warnings);
  for (const auto& warning : warnings) std::cerr << "warning: " << warning << "\n";
  if (!error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  if (!session->ContinueRun(run_id, &error)) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  return Execute(*plan, flags, providers, *session, &history);
}

int RunApply(const ApplyFlags& flags) {
  std::unique_ptr<ProviderRegistry> providers = MakeDefaultProviders();
  if (!flags.on_failure.empty() && !ParseOnFailure(flags.on_failure)) {
    std::cerr << "error: --on-failure must be rollback or stop, not \"" << flags.on_failure
              << "\"\n";
    return 1;
  }
  if (flags.resume) return RunResume(flags, *providers);
  if (flags.target.empty()) {
    std::cerr << "error: apply needs a plan file (FILE or PLANFILE), or --resume\n";
    return 1;
  }
  std::optional<Plan> planned = MakePlan(flags, *providers);
  if (!planned) return 1;
  const Plan* plan = &KeepUntilExit(std::move(*planned));
  bool color = UseColor(STDOUT_FILENO, flags.no_color);
  std::cout << RenderPlan(*plan, {color});
  if (!plan->HasChanges()) return 0;
  if (Confirm("Do you want to perform these actions?", flags.auto_approve) != 0) return 1;
  std::string error;
  std::optional<LockHolder> taken_over;
  auto session = RunSession::Open(plan->state_dir, &error, &taken_over);
  if (!session) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  if (taken_over) std::cerr << "note: took over the lock of " << taken_over->Describe() << "\n";
  if (!session->StartRun(&error)) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  error = SavePlanFile(*plan, session->runs().PlanPath(session->run_id()));
  if (!error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  return Execute(*plan, flags, *providers, *session, nullptr);
}

}  // namespace

void AddApplyCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ApplyFlags>();
  CLI::App* apply = app.add_subcommand("apply", "Apply a plan file or a saved plan");
  apply->add_option("FILE", flags->target, "The plan file (.upg) or a saved plan (--out)");
  AddInputOptions(apply, &flags->vars, &flags->var_file);
  apply->add_flag("--auto-approve", flags->auto_approve, "Apply without asking for `yes`");
  apply->add_option("--parallelism", flags->parallelism, "Steps running at once (default 10)")
      ->check(CLI::Range(1, 1000));
  apply->add_option("--on-failure", flags->on_failure,
                    "rollback or stop (default: the plan's on_failure, else rollback)");
  apply->add_flag("--resume", flags->resume, "Continue the last interrupted run");
  apply->add_option("--run", flags->run, "With --resume: the run to continue");
  apply->add_option("--state", flags->state,
                    "The state directory (default: .upgrade beside FILE)");
  apply->add_flag("--no-color", flags->no_color, "Never use colors");
  apply->callback([flags, exit_code] { *exit_code = RunApply(*flags); });
}

}  // namespace upgrade::cli
