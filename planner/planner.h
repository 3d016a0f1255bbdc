// The planner: from a checked program, the input values and the real systems (read through
// providers, never changed) to a Plan.
//
// Phases, in order:
//   1. inputs and lets: --var values, defaults evaluated, sensitive ones marked;
//   2. resources: `resource` blocks evaluated, `for_each` ones expanded into `name["key"]`;
//   3. refresh: every resource Read through its provider, in parallel, at most `parallelism`
//      at once (refresher.h);
//   4. the step DAG (step_graph.h): for_each steps expanded into instances, chained in batches
//      of `serial`, ordered topologically;
//   5. the walk: in that order, each step's operations compiled against the planned state of the
//      resources (StepEvaluator), so a later step diffs against what an earlier one leaves; each
//      `require` evaluated (false: an error showing the expression and the values it saw;
//      unknown: deferred to apply);
//   6. reversibility (an operation without undo is covered by an earlier snapshot of a resource
//      it touches, or irreversible), pins (a digest of every refreshed state) and the summary.
// Every problem becomes a diagnostic with its source range; planning goes as far as it can.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lang/diagnostic.h"
#include "lang/ir.h"
#include "planner/plan.h"

namespace upgrade {

class ProviderRegistry;
class StateSource;
class StepEvaluator;
struct ScopeData;

/// How to plan.
struct PlannerOptions {
  int parallelism = 10;   ///< provider reads in flight at once during refresh
  std::string state_dir;  ///< recorded in the plan; the planner writes nothing there
  std::string plan_path;  ///< the .upg file (recorded in the plan); defaults to program.path
  /// Source texts of the plan and its imports (path -> text), kept in the plan.
  std::map<std::string, std::string> sources;
  /// Whether the plan gets its pins (a digest of every refreshed state): what a saved plan or
  /// an apply checks, and what --json shows; a plan only printed as text needs none.
  bool pin_states = true;
  /// When applying a saved plan: its pins. A refreshed state whose digest differs makes the
  /// plan stale, an error naming the resource, before anything else is evaluated.
  std::vector<Pin> expected_pins;
};

/// Plans one program against the real systems.
class Planner {
 public:
  Planner(const ProviderRegistry& providers, PlannerOptions options);

  /// Plans `program` with the inputs given on the command line (`given`: --var, --var-file;
  /// the others take their defaults). Diagnostics collect every problem; the plan is returned
  /// only when there is no error.
  std::optional<Plan> Run(std::shared_ptr<const Program> program,
                          const std::map<std::string, Value>& given, Diagnostics& diagnostics);

  /// The step DAG of `program` in Graphviz DOT, for_each steps expanded. Reads no resource:
  /// a for_each that needs a resource's state is an error here.
  std::optional<std::string> GraphDot(std::shared_ptr<const Program> program,
                                      const std::map<std::string, Value>& given,
                                      Diagnostics& diagnostics);

  /// Phases 1 and 2 alone: the inputs (given, else their defaults) and the resource
  /// configurations of `program`, evaluated as Run does, into `data`; reads no resource. Used to
  /// get back the sensitive values a run kept only as digests. False on errors; whatever did
  /// evaluate is in `data` all the same.
  bool EvaluateConfigs(const Program& program, const std::map<std::string, Value>& given,
                       ScopeData& data, Diagnostics& diagnostics);

 private:
  /// Phases 1 and 2: inputs, resources and lets into `data`. False on errors.
  bool EvaluateProgram(const Program& program, const std::map<std::string, Value>& given,
                       ScopeData& data, ProviderContext& context, Diagnostics& diagnostics);
  /// The elements of every for_each step, evaluated against `states` (may be null).
  std::map<std::string, std::vector<std::pair<std::string, Value>>> StepElements(
      const Program& program, ScopeData& data, const std::map<std::string, State>* states,
      ProviderContext& context, Diagnostics& diagnostics);

  void CheckRequire(const StepEvaluator& evaluator, const PlannedStep& step, PlannedCheck& check,
                    const StateSource& states, ProviderContext& context,
                    Diagnostics& diagnostics) const;
  void DropWorkAlreadyDone(Plan& plan) const;
  void EstimateSnapshots(Plan& plan, ProviderContext& context) const;
  void MarkReversibility(Plan& plan) const;
  PlanSummary Summarize(const Plan& plan) const;

  const ProviderRegistry& providers_;
  PlannerOptions options_;
};

}  // namespace upgrade
