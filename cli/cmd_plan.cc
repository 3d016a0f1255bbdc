// `upgrade plan FILE`: plans a plan file against the real systems and shows what applying it
// would do; `--out` saves the plan for `upgrade apply PLANFILE`.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/keep_until_exit.h"
#include "cli/plan_inputs.h"
#include "planner/plan_file.h"
#include "planner/plan_render.h"
#include "planner/planner.h"

namespace upgrade::cli {
namespace {

/// The command line of `upgrade plan`.
struct PlanFlags {
  std::string file;
  std::vector<std::string> vars;
  std::string var_file;
  std::string out;
  bool json = false;
  bool detailed_exitcode = false;
  std::string state;
  int parallelism = 10;
  bool no_color = false;
};

int RunPlan(const PlanFlags& flags) {
  std::unique_ptr<ProviderRegistry> providers = MakeDefaultProviders();
  Diagnostics diagnostics;
  SourceCache cache;
  std::optional<LoadedProgram> loaded = LoadProgramWithVars(
      flags.file, flags.vars, flags.var_file, *providers, diagnostics, cache);
  if (!loaded) {
    PrintDiagnostics(diagnostics, cache, flags.no_color);
    return 1;
  }
  PlannerOptions options;
  options.parallelism = flags.parallelism;
  options.state_dir = StateDirFor(flags.file, flags.state);
  options.sources = std::move(loaded->sources);
  options.pin_states = flags.json || !flags.out.empty();
  std::optional<Plan> planned =
      Planner(*providers, options).Run(loaded->program, loaded->inputs, diagnostics);
  PrintDiagnostics(diagnostics, cache, flags.no_color);
  if (!planned) return 1;
  const Plan* plan = &KeepUntilExit(std::move(*planned));  // it holds the program too
  if (flags.json) {
    std::cout << RenderPlanJson(*plan);
  } else {
    std::cout << RenderPlan(*plan, {UseColor(STDOUT_FILENO, flags.no_color)});
  }
  if (!flags.out.empty()) {
    std::string error = SavePlanFile(*plan, flags.out);
    if (!error.empty()) {
      std::cerr << "error: " << error << "\n";
      return 1;
    }
    if (!flags.json) {
      std::cout << "\nSaved the plan to: " << flags.out
                << "\n\nTo perform exactly these steps, run:\n  upgrade apply " << flags.out
                << "\n";
    }
  }
  if (flags.detailed_exitcode && plan->HasChanges()) return 2;
  return 0;
}

}  // namespace

void AddPlanCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PlanFlags>();
  CLI::App* plan = app.add_subcommand("plan", "Show what applying a plan file would do");
  plan->add_option("FILE", flags->file, "The plan file (.upg)")->required();
  AddInputOptions(plan, &flags->vars, &flags->var_file);
  plan->add_option("--out", flags->out, "Save the plan to this file for `upgrade apply`");
  plan->add_flag("--json", flags->json, "Print the plan as JSON");
  plan->add_flag("--detailed-exitcode", flags->detailed_exitcode,
                 "Exit 0 with no changes, 1 on error, 2 with changes");
  plan->add_option("--state", flags->state, "The state directory (default: .upgrade beside FILE)");
  plan->add_option("--parallelism", flags->parallelism, "Resources read at once")
      ->check(CLI::Range(1, 1000));
  plan->add_flag("--no-color", flags->no_color, "Never use colors");
  plan->callback([flags, exit_code] { *exit_code = RunPlan(*flags); });
}

}  // namespace upgrade::cli
