// What the executor needs from the language at apply time: evaluate a step's checks and compile
// its operations against the live states. An interface so executor tests can run plans built
// by hand; the real one delegates to the planner's StepEvaluator.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lang/diagnostic.h"
#include "planner/plan.h"
#include "planner/step_evaluator.h"

namespace upgrade {

/// Evaluates checks and compiles operations of a step, right before it runs.
class StepRuntime {
 public:
  virtual ~StepRuntime() = default;
  virtual CheckOutcome EvaluateCheck(const PlannedStep& step, const PlannedCheck& check,
                                     const StateSource& states,
                                     ProviderContext& context) = 0;
  virtual std::vector<PlannedOperation> CompileOperations(
      const PlannedStep& step, const StateSource& states,
      ProviderContext& context, Diagnostics& diagnostics) = 0;
};

/// The real runtime: the planner's StepEvaluator over the plan being applied.
class EvaluatorStepRuntime : public StepRuntime {
 public:
  EvaluatorStepRuntime(const Plan& plan, const ProviderRegistry& providers);
  CheckOutcome EvaluateCheck(const PlannedStep& step, const PlannedCheck& check,
                             const StateSource& states,
                             ProviderContext& context) override;
  std::vector<PlannedOperation> CompileOperations(const PlannedStep& step,
                                                  const StateSource& states,
                                                  ProviderContext& context,
                                                  Diagnostics& diagnostics) override;

 private:
  StepEvaluator evaluator_;
};

}  // namespace upgrade
