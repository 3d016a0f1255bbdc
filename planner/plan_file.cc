// Saving and loading plan files, and applying a saved plan by planning it again and checking
// the new plan against the one that was reviewed.
#include "planner/plan_file.h"

#include <nlohmann/json.hpp>

#include "lang/value_json.h"
#include "lang/json_text.h"
#include "planner/plan_json.h"
#include "planner/planner.h"
#include "state/atomic_file.h"

namespace upgrade {
namespace {

/// `value` as a plan file gives it back: each secret in it becomes a sensitive string holding
/// its digest.
Value AsLoaded(const Value& value) {
  if (value.sensitive()) return Value(SecretDigestOf(value)).MarkSensitive();
  if (value.is_list()) {
    Value::List items;
    items.reserve(value.as_list().size());
    for (const Value& item : value.as_list()) items.push_back(AsLoaded(item));
    return Value(std::move(items));
  }
  if (value.is_map()) {
    Value::Map members;
    for (const auto& [key, item] : value.as_map()) members.emplace(key, AsLoaded(item));
    return Value(std::move(members));
  }
  return value;
}

/// What a step's operations do, as text to compare a saved plan's with a fresh one's. Secrets
/// are digests in a saved plan; `fresh` (a plan made now, holding the real secrets) has them
/// turned into what the saved plan would hold first, so equal operations give equal text.
std::string OperationsText(const PlannedStep& step, bool fresh) {
  std::string text;
  JsonWriter w(text);
  auto write = [&](const Value& value) {
    if (fresh && value.ContainsSensitive()) {
      w.Digested(AsLoaded(value));
    } else {
      w.Digested(value);
    }
  };
  w.BeginArray();
  for (const PlannedOperation& op : step.operations) {
    const Change& change = op.operation.change;
    w.BeginArray();
    w.String(op.id);
    w.Int(static_cast<int>(op.kind));
    w.Int(static_cast<int>(change.action));
    w.String(op.operation.resource.name);
    w.BeginArray();
    for (const AttributeChange& a : change.attributes) {
      w.BeginArray();
      w.String(a.name);
      write(a.before);
      write(a.after);
      w.EndArray();
    }
    w.EndArray();
    w.BeginObject();
    for (const auto& [key, value] : op.operation.resource.config) {
      w.Key(key);
      write(value);
    }
    w.EndObject();
    w.EndArray();
  }
  w.EndArray();
  return text;
}

/// The digest a sensitive value gets in a plan file, as the string it loads back as.
std::string SecretDigest(const Value& value) {
  nlohmann::json digest = ValueToJson(value, SecretPolicy::kDigest);
  return digest.is_object() && digest.contains("$sensitive")
             ? digest["$sensitive"].get<std::string>()
             : digest.dump();
}

}  // namespace

std::string PlanFileJson(const Plan& plan) { return PlanFileText(plan); }

std::string SavePlanFile(const Plan& plan, const std::string& path) {
  std::string error;
  if (!WriteFileAtomic(path, PlanFileJson(plan), &error))
    return "cannot write plan file " + path + ": " + error;
  return "";
}

std::optional<Plan> LoadPlanFile(const std::string& path, Diagnostics& diagnostics) {
  SourceRange where;
  where.begin.path = path;
  std::string error;
  std::optional<std::string> text = ReadWholeFile(path, &error);
  if (!text) {
    diagnostics.Error(where, "cannot read plan file: " + (error.empty() ? "no such file" : error));
    return std::nullopt;
  }
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
  text.reset();  // the tree holds it all now
  if (json.is_discarded() || !json.is_object() || json.value("kind", "") != "upgrade-plan") {
    diagnostics.Error(where, "not a plan file (as written by upgrade plan --out)");
    return std::nullopt;
  }
  std::optional<Plan> plan = PlanFromFileJson(std::move(json), &error);
  if (!plan) diagnostics.Error(where, error);
  return plan;
}

std::map<std::string, Value> InputsForReplan(const Plan& saved,
                                             const std::map<std::string, Value>& given) {
  std::map<std::string, Value> inputs;
  for (const auto& [name, value] : saved.inputs) {
    if (!value.sensitive()) inputs[name] = value;
  }
  for (const auto& [name, value] : given) inputs[name] = value;
  return inputs;
}

bool CheckAgainstSaved(const Plan& saved, const Plan& fresh, Diagnostics& diagnostics) {
  int before = diagnostics.ErrorCount();
  SourceRange where;
  where.begin.path = saved.plan_path;
  std::map<std::string, std::string> now;
  for (const Pin& pin : fresh.pins) now[pin.resource] = pin.digest;
  for (const Pin& pin : saved.pins) {
    auto it = now.find(pin.resource);
    if (it == now.end() || it->second != pin.digest)
      diagnostics.Error(where, "saved plan is stale: " + pin.resource +
                                   " has changed since the plan was made; plan again");
  }
  for (const auto& [name, value] : saved.inputs) {
    if (!value.sensitive()) continue;
    auto it = fresh.inputs.find(name);
    if (it == fresh.inputs.end() || SecretDigest(it->second) != value.as_string())
      diagnostics.Error(where, "sensitive input " + name +
                                   " differs from the value the plan was made with");
  }
  if (diagnostics.ErrorCount() > before) return false;
  // Compared as a plan file holds them, where secrets are digests on both sides.
  if (saved.steps.size() != fresh.steps.size()) {
    diagnostics.Error(where, "saved plan no longer matches its program: plan again");
    return false;
  }
  for (size_t i = 0; i < saved.steps.size(); ++i) {
    if (saved.steps[i].id != fresh.steps[i].id ||
        OperationsText(saved.steps[i], false) != OperationsText(fresh.steps[i], true)) {
      diagnostics.Error(where, "saved plan is stale: step " + saved.steps[i].id +
                                   " would not do what was planned; plan again");
      return false;
    }
  }
  return true;
}

std::optional<Plan> ReplanSaved(const std::string& path, const std::map<std::string, Value>& given,
                                const ProviderRegistry& providers, const PlannerOptions& options,
                                Diagnostics& diagnostics) {
  std::optional<Plan> saved = LoadPlanFile(path, diagnostics);
  if (!saved) return std::nullopt;
  return ReplanSaved(*saved, path, given, providers, options, diagnostics);
}

std::optional<Plan> ReplanSaved(const Plan& saved, const std::string& path,
                                const std::map<std::string, Value>& given,
                                const ProviderRegistry& providers, const PlannerOptions& options,
                                Diagnostics& diagnostics) {
  if (saved.program == nullptr) {
    diagnostics.Error(SourceRange{{path, 0, 0}, 0}, "plan file holds no program");
    return std::nullopt;
  }
  PlannerOptions replan = options;
  replan.plan_path = saved.plan_path;
  replan.sources = saved.sources;
  replan.expected_pins = saved.pins;
  if (replan.state_dir.empty()) replan.state_dir = saved.state_dir;
  std::optional<Plan> fresh = Planner(providers, replan)
                                  .Run(saved.program, InputsForReplan(saved, given), diagnostics);
  if (!fresh || !CheckAgainstSaved(saved, *fresh, diagnostics)) return std::nullopt;
  return fresh;
}

}  // namespace upgrade
