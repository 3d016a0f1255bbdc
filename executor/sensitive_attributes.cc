// Collecting and applying the sensitive attributes of resources.
#include "executor/sensitive_attributes.h"

namespace upgrade {
namespace {

void AddSensitiveKeys(const Value::Map& attributes, std::set<std::string>* names) {
  for (const auto& [name, value] : attributes) {
    if (value.ContainsSensitive()) names->insert(name);
  }
}

void Prune(SensitiveAttributes* sensitive) {
  for (auto it = sensitive->begin(); it != sensitive->end();) {
    it = it->second.empty() ? sensitive->erase(it) : std::next(it);
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
  Prune(&sensitive);
  return sensitive;
}

SensitiveAttributes SensitiveAttributesOf(const JournalView& view) {
  SensitiveAttributes sensitive;
  for (const auto& op : view.ops) {
    if (op.kind != "change") continue;
    std::set<std::string>& names = sensitive[op.resource.name];
    AddSensitiveKeys(op.resource.config, &names);
    const Value& attributes = op.state.Get("attributes");
    if (attributes.is_map()) AddSensitiveKeys(attributes.as_map(), &names);
  }
  Prune(&sensitive);
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

}  // namespace upgrade
