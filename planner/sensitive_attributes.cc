// Collecting and applying the sensitive attributes of resources.
#include "planner/sensitive_attributes.h"

namespace upgrade {
namespace {

void AddSensitiveKeys(const Value::Map& attributes, std::set<std::string>* names) {
  for (const auto& [name, value] : attributes) {
    if (value.ContainsSensitive()) names->insert(name);
  }
}

}  // namespace

SensitiveAttributes SensitiveAttributesOf(const Plan& plan) {
  SensitiveAttributes sensitive;
  for (const auto& [name, resource] : plan.resources) {
    AddSensitiveKeys(resource.config, &sensitive[name]);
  }
  for (const auto& step : plan.steps) {
    for (const auto& op : step.operations) {
      if (op.kind != PlannedOperation::Kind::kChange) continue;
      const Change& change = op.operation.change;
      std::set<std::string>& names = sensitive[op.operation.resource.name];
      AddSensitiveKeys(change.after.attributes, &names);
      for (const auto& attribute : change.attributes) {
        if (attribute.sensitive || attribute.after.ContainsSensitive()) {
          names.insert(attribute.name);
        }
      }
    }
  }
  std::erase_if(sensitive, [](const auto& entry) { return entry.second.empty(); });
  return sensitive;
}

void MarkSensitive(const SensitiveAttributes& sensitive, const std::string& resource,
                   State* state) {
  auto names = sensitive.find(resource);
  if (names == sensitive.end()) return;
  for (auto& [name, value] : state->attributes) {
    if (names->second.count(name)) value.MarkSensitive();
  }
}

void MarkSensitiveStates(Plan* plan) {
  SensitiveAttributes sensitive = SensitiveAttributesOf(*plan);
  for (auto& [name, state] : plan->refreshed) MarkSensitive(sensitive, name, &state);
  for (auto& step : plan->steps) {
    for (auto& op : step.operations) {
      if (op.kind != PlannedOperation::Kind::kChange) continue;
      Change& change = op.operation.change;
      MarkSensitive(sensitive, op.operation.resource.name, &change.before);
      for (auto& attribute : change.attributes) {
        if (sensitive.count(op.operation.resource.name) &&
            sensitive.at(op.operation.resource.name).count(attribute.name)) {
          attribute.sensitive = true;
        }
      }
    }
  }
}

}  // namespace upgrade
