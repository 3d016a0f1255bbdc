// Queries on a Plan.
#include "planner/plan.h"

#include <nlohmann/json.hpp>

#include "lang/value_json.h"

namespace upgrade {
namespace {

// `value` with every sensitivity mark taken off, inside lists and maps too.
Value Unmarked(Value value) {
  value.MarkSensitive(false);
  if (value.is_list()) {
    for (Value& item : value.as_list()) item = Unmarked(std::move(item));
  } else if (value.is_map()) {
    for (auto& [key, item] : value.as_map()) item = Unmarked(std::move(item));
  }
  return value;
}

}  // namespace

std::string PinDigest(const State& state) {
  Value canonical(Value::Map{{"exists", state.exists}, {"attributes", Value(state.attributes)}});
  Value plain = Unmarked(std::move(canonical));
  return "sha256:" + Sha256Hex(ValueToJson(plain, SecretPolicy::kDigest).dump());
}

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
