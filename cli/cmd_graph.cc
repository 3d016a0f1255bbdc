// `upgrade graph FILE`: prints the step DAG of a plan file in Graphviz DOT.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/plan_inputs.h"
#include "planner/planner.h"

namespace upgrade::cli {
namespace {

/// The command line of `upgrade graph`.
struct GraphFlags {
  std::string file;
  std::vector<std::string> vars;
  std::string var_file;
  bool no_color = false;
};

int RunGraph(const GraphFlags& flags) {
  std::unique_ptr<ProviderRegistry> providers = MakeDefaultProviders();
  Diagnostics diagnostics;
  SourceCache cache;
  std::optional<LoadedProgram> loaded = LoadProgramWithVars(
      flags.file, flags.vars, flags.var_file, *providers, diagnostics, cache);
  std::optional<std::string> dot;
  if (loaded) {
    dot = Planner(*providers, PlannerOptions{}).GraphDot(loaded->program, loaded->inputs,
                                                        diagnostics);
  }
  PrintDiagnostics(diagnostics, cache, flags.no_color);
  if (!dot) return 1;
  std::cout << *dot;
  return 0;
}

}  // namespace

void AddGraphCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<GraphFlags>();
  CLI::App* graph = app.add_subcommand("graph", "Print the step graph of a plan file in DOT");
  graph->add_option("FILE", flags->file, "The plan file (.upg)")->required();
  AddInputOptions(graph, &flags->vars, &flags->var_file);
  graph->add_flag("--no-color", flags->no_color, "Never use colors");
  graph->callback([flags, exit_code] { *exit_code = RunGraph(*flags); });
}

}  // namespace upgrade::cli
