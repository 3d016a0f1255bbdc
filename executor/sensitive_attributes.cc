// The sensitive attributes of a run, from its journal.
#include "executor/sensitive_attributes.h"

namespace upgrade {

SensitiveAttributes SensitiveAttributesOf(const JournalView& view) {
  SensitiveAttributes sensitive;
  auto add = [&](const std::string& resource, const Value::Map& attributes) {
    for (const auto& [name, value] : attributes) {
      if (value.ContainsSensitive()) sensitive[resource].insert(name);
    }
  };
  for (const auto& op : view.ops) {
    if (op.kind != "change") continue;
    add(op.resource.name, op.resource.config);
    const Value& attributes = op.state.Get("attributes");
    if (attributes.is_map()) add(op.resource.name, attributes.as_map());
  }
  return sensitive;
}

}  // namespace upgrade
