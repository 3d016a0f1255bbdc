// What the fs resource types share: reading their configuration, comparing attributes, modes.
#include "providers/fs/fs_types.h"

#include "providers/fs/path_state.h"

namespace upgrade::fs {

std::string PathOf(const Value::Map& config) {
  auto it = config.find("path");
  return it != config.end() && it->second.is_string() ? it->second.as_string() : "";
}

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

Value::Map Wanted(const DiffRequest& request) {
  Value::Map wanted = request.resource.config;
  wanted.erase("path");
  for (const auto& [name, value] : request.desired) wanted[name] = value;
  return wanted;
}

bool WantsAbsent(const Value::Map& wanted) {
  auto it = wanted.find("absent");
  return it != wanted.end() && it->second.IsTrue();
}

std::vector<AttributeChange> CompareAttributes(const Value::Map& before, const Value::Map& after,
                                               const ResourceTypeSchema& schema) {
  std::map<std::string, std::pair<Value, Value>> differing;
  for (const auto& [name, value] : before) {
    auto it = after.find(name);
    if (it == after.end() || it->second != value) differing[name] = {value, Value()};
  }
  for (const auto& [name, value] : after) {
    auto it = before.find(name);
    if (it == before.end() || it->second != value) differing[name].second = value;
  }
  std::vector<AttributeChange> changes;
  for (auto& [name, values] : differing) {
    const AttributeSchema* attribute = schema.Find(name);
    AttributeChange change;
    change.name = name;
    change.sensitive = (attribute != nullptr && attribute->sensitive) ||
                       values.first.ContainsSensitive() || values.second.ContainsSensitive();
    change.forces_replacement = attribute != nullptr && attribute->forces_replacement;
    change.before = std::move(values.first);
    change.after = std::move(values.second);
    changes.push_back(std::move(change));
  }
  return changes;
}

Change DeleteChange(const State& prior, const ResourceTypeSchema& schema) {
  Change change;
  change.before = prior;
  if (!prior.exists) return change;
  change.action = ChangeAction::kDelete;
  change.attributes = CompareAttributes(prior.attributes, {}, schema);
  return change;
}

std::string WantedMode(const Value::Map& wanted, const State& prior, const std::string& fallback,
                       std::string* error) {
  auto it = wanted.find("mode");
  if (it != wanted.end() && !it->second.is_null()) {
    std::string text = it->second.is_string() ? it->second.as_string() : it->second.ToDisplay();
    if (!it->second.is_string() || ParseMode(text) < 0) {
      *error = "mode must be a string of 3 or 4 octal digits, like \"0644\": got " + text;
      return "";
    }
    return FormatMode(static_cast<mode_t>(ParseMode(text)));
  }
  if (prior.exists) return prior.attributes.count("mode") ? prior.attributes.at("mode").as_string()
                                                          : fallback;
  return fallback;
}

}  // namespace upgrade::fs
