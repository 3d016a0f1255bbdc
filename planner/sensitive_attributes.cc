// Collecting and applying the sensitive attributes of resources.
#include "planner/sensitive_attributes.h"

namespace upgrade {
namespace {

/// Adds the names of `attributes` that hold a secret to `sensitive[resource]`; a resource with
/// none gets no entry (most have none, and the map is searched for every state).
void AddSensitiveKeys(const Value::Map& attributes, const std::string& resource,
                      SensitiveAttributes* sensitive) {
  for (const auto& [name, value] : attributes) {
    if (value.ContainsSensitive()) (*sensitive)[resource].insert(name);
  }
}

}  // namespace

SensitiveAttributes SensitiveAttributesOf(const Plan& plan) {
  SensitiveAttributes sensitive;
  for (const auto& [name, resource] : plan.resources) {
    AddSensitiveKeys(resource.config, name, &sensitive);
  }
  for (const auto& step : plan.steps) {
    for (const auto& op : step.operations) {
      if (op.kind != PlannedOperation::Kind::kChange) continue;
      const Change& change = op.operation.change;
      const std::string& resource = op.operation.resource.name;
      AddSensitiveKeys(change.after.attributes, resource, &sensitive);
      for (const auto& attribute : change.attributes) {
        if (attribute.sensitive || attribute.after.ContainsSensitive()) {
          sensitive[resource].insert(attribute.name);
        }
      }
    }
  }
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
      auto names = sensitive.find(op.operation.resource.name);
      if (names == sensitive.end()) continue;
      Change& change = op.operation.change;
      MarkSensitive(sensitive, op.operation.resource.name, &change.before);
      for (auto& attribute : change.attributes) {
        if (names->second.count(attribute.name)) attribute.sensitive = true;
      }
    }
  }
}

}  // namespace upgrade
