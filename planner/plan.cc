// Queries on a Plan.
#include "planner/plan.h"

namespace upgrade {

bool Plan::HasChanges() const {
  for (const PlannedStep& step : steps) {
    for (const PlannedOperation& op : step.operations) {
      if (op.kind != PlannedOperation::Kind::kChange) return true;
      if (op.operation.change.action != ChangeAction::kNone) return true;
    }
  }
  return false;
}

const PlannedStep* Plan::FindStep(const std::string& id) const {
  for (const PlannedStep& step : steps)
    if (step.id == id) return &step;
  return nullptr;
}

}  // namespace upgrade
