// Queries on a Plan.
#include "planner/plan.h"

#include "lang/sha256.h"
#include "lang/json_text.h"

namespace upgrade {

namespace {

std::string DigestOf(const State& state) {
  // {"attributes": {...}, "exists": bool}, keys in order, as nlohmann's dump() writes it.
  std::string canonical;
  canonical.reserve(256);  // a file's state fits: the text is built without regrowing
  JsonWriter json(canonical);
  json.BeginObject();
  json.Key("attributes");
  json.BeginObject();
  for (const auto& [name, value] : state.attributes) {
    json.Key(name);
    json.Unmarked(value);
  }
  json.EndObject();
  json.Member("exists", state.exists);
  json.EndObject();
  return "sha256:" + Sha256Hex(canonical);
}

}  // namespace

std::string PinDigest(const State& state) {
  if (state.exists || !state.attributes.empty()) return DigestOf(state);
  // The pin of every resource that does not exist yet: a constant, made once.
  static const std::string kAbsent = DigestOf(State{});
  return kAbsent;
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
