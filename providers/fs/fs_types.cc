// What the fs resource types share: reading their configuration, comparing attributes, modes.
#include "providers/fs/fs_types.h"

#include "providers/fs/path_state.h"

namespace upgrade::fs {

const std::string& PathOf(const Value::Map& config) {
  static const std::string kNone;
  auto it = config.find("path");
  return it != config.end() && it->second.is_string() ? it->second.as_string() : kNone;
}

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir.back() == '/' ? base_dir + path : base_dir + "/" + path;
}

Value::Map Wanted(const DiffRequest& request) {
  // The step's attributes, then the resource block's where the step gives none.
  Value::Map wanted = request.desired;
  for (const auto& [name, value] : request.resource.config) {
    if (name != "path") wanted.emplace(name, value);
  }
  return wanted;
}

bool WantsAbsent(const Value::Map& wanted) {
  auto it = wanted.find("absent");
  return it != wanted.end() && it->second.IsTrue();
}

namespace {

AttributeChange MakeChange(const std::string& name, const Value& before, const Value& after,
                           const ResourceTypeSchema& schema) {
  const AttributeSchema* attribute = schema.Find(name);
  AttributeChange change;
  change.name = name;
  change.sensitive = (attribute != nullptr && attribute->sensitive) ||
                     before.ContainsSensitive() || after.ContainsSensitive();
  change.forces_replacement = attribute != nullptr && attribute->forces_replacement;
  change.before = before;
  change.after = after;
  return change;
}

}  // namespace

std::vector<AttributeChange> CompareAttributes(const Value::Map& before, const Value::Map& after,
                                               const ResourceTypeSchema& schema) {
  // Both maps are sorted by name: one walk over the two gives the changes in name order.
  static const Value kNull;
  std::vector<AttributeChange> changes;
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      changes.push_back(MakeChange(b->first, b->second, kNull, schema));
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      changes.push_back(MakeChange(a->first, kNull, a->second, schema));
      ++a;
    } else {
      if (b->second != a->second)
        changes.push_back(MakeChange(a->first, b->second, a->second, schema));
      ++b;
      ++a;
    }
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
