// The real step runtime: a thin adapter over the planner's StepEvaluator.
#include "executor/step_runtime.h"

namespace upgrade {

EvaluatorStepRuntime::EvaluatorStepRuntime(const Plan& plan, const ProviderRegistry& providers)
    : evaluator_(plan, providers) {}

CheckOutcome EvaluatorStepRuntime::EvaluateCheck(const PlannedStep& step,
                                                 const PlannedCheck& check,
                                                 const StateSource& states,
                                                 ProviderContext& context) {
  return evaluator_.EvaluateCheck(step, check, states, context);
}

std::vector<PlannedOperation> EvaluatorStepRuntime::CompileOperations(
    const PlannedStep& step, const StateSource& states,
    ProviderContext& context, Diagnostics& diagnostics) {
  return evaluator_.CompileOperations(step, states, context, diagnostics);
}

}  // namespace upgrade
