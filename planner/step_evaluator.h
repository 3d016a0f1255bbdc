// Evaluation of one planned step against the states resources have at that moment: used by the
// planner (against planned states) and by the executor (against live states, right before the
// step runs), so both see the same operations.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lang/diagnostic.h"
#include "planner/plan.h"

namespace upgrade {

class ProviderRegistry;

/// The outcome of evaluating one require or verify.
struct CheckOutcome {
  std::optional<bool> held;  ///< nullopt: depends on values not known yet (plan time only)
  std::string error;         ///< evaluation failed (a function's error, a type error)
  /// What the operator sees when it did not hold: the expression and the values it saw, e.g.
  /// `postgres.reachable(db) was false` / `  db.url = "postgres://app:***@127.0.0.1/app"`.
  std::string explanation;
};

/// Evaluates checks and compiles operations of steps of one plan.
class StepEvaluator {
 public:
  StepEvaluator(const Plan& plan, const ProviderRegistry& providers);

  /// Evaluates `check` of `step` with resources as in `states` (instance name -> state).
  CheckOutcome EvaluateCheck(const PlannedStep& step, const PlannedCheck& check,
                             const std::map<std::string, State>& states,
                             ProviderContext& context) const;

  /// The operations of `step`, their `set` blocks evaluated and diffed against `states`.
  /// Problems go to `diagnostics` with the statement's source range.
  std::vector<PlannedOperation> CompileOperations(const PlannedStep& step,
                                                  const std::map<std::string, State>& states,
                                                  ProviderContext& context,
                                                  Diagnostics& diagnostics) const;

 private:
  const Plan& plan_;
  const ProviderRegistry& providers_;
};

}  // namespace upgrade
