// Evaluation of one planned step against the states resources have at that moment: used by the
// planner (against planned states) and by the executor (against live states, right before the
// step runs), so both see the same operations.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lang/diagnostic.h"
#include "lang/schema.h"
#include "planner/plan.h"
#include "planner/plan_scope.h"

namespace upgrade {

class ProviderRegistry;

/// Finds the schema of an attribute of whatever a statement sets or runs (may give nullptr).
using AttributeSchemaLookup = std::function<const AttributeSchema*(const std::string&)>;

/// The outcome of evaluating one require or verify.
struct CheckOutcome {
  std::optional<bool> held;  ///< nullopt: depends on values not known yet (plan time only)
  std::string error;         ///< evaluation failed (a function's error, a type error)
  bool lasting = false;      ///< the error cannot go away by evaluating again (CallResult)
  /// What the operator sees when it did not hold: the expression and the values it saw, e.g.
  /// `postgres.reachable(db) was false` / `  db.url = "postgres://app:***@127.0.0.1/app"`.
  std::string explanation;
};

/// Evaluates checks and compiles operations of steps of one plan.
class StepEvaluator {
 public:
  StepEvaluator(const Plan& plan, const ProviderRegistry& providers);
  /// The same, with the plan's lets already evaluated (the planner has them; the executor
  /// lets the constructor evaluate them against the plan's refreshed states).
  StepEvaluator(const Plan& plan, const ProviderRegistry& providers,
                std::map<std::string, Value> lets);

  /// Evaluates `check` of `step` with resources as in `states` (instance name -> state).
  CheckOutcome EvaluateCheck(const PlannedStep& step, const PlannedCheck& check,
                             const std::map<std::string, State>& states,
                             ProviderContext& context) const;
  /// The same, with states looked up one by one (the executor's live states).
  CheckOutcome EvaluateCheck(const PlannedStep& step, const PlannedCheck& check,
                             const StateSource& states, ProviderContext& context) const;

  /// The operations of `step`, their `set` blocks evaluated and diffed against `states`.
  /// Problems go to `diagnostics` with the statement's source range.
  std::vector<PlannedOperation> CompileOperations(const PlannedStep& step,
                                                  const std::map<std::string, State>& states,
                                                  ProviderContext& context,
                                                  Diagnostics& diagnostics) const;
  /// The same, with states looked up one by one (the executor's live states).
  std::vector<PlannedOperation> CompileOperations(const PlannedStep& step,
                                                  const StateSource& states,
                                                  ProviderContext& context,
                                                  Diagnostics& diagnostics) const;
  /// The same, given the program's step `source` that `step` is planned from, rather than
  /// finding it by name (the planner walks the steps themselves).
  std::vector<PlannedOperation> CompileOperations(const PlannedStep& step, const Step& source,
                                                  const StateSource& states,
                                                  ProviderContext& context,
                                                  Diagnostics& diagnostics) const;

 private:
  Value::Map EvaluateAttributes(const std::vector<Attribute>& attributes,
                                const AttributeSchemaLookup& lookup, PlanScope& scope,
                                Diagnostics& diagnostics) const;
  /// The plan's entry (instance name, configuration) of the resource instance a `set` or
  /// `snapshot` names, or null (the problem is reported).
  const std::pair<const std::string, ResourceConfig>* TargetInstance(
      const Statement& statement, PlanScope& scope, Diagnostics& diagnostics) const;

  const Plan& plan_;
  const ProviderRegistry& providers_;
  SchemaRegistry schemas_;
  /// Names the steps' expressions see. Lets are all evaluated up front, so evaluating checks
  /// and operations only reads it, and steps may be evaluated from several threads at once.
  mutable ScopeData data_;
};

}  // namespace upgrade
