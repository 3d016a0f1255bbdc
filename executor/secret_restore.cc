// Sensitive values of a run evaluated again from its program and put back in place of their
// digests, each only after its digest is checked (see secret_restore.h).
#include "executor/secret_restore.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include "executor/journal_view.h"
#include "lang/value_json.h"
#include "planner/plan_scope.h"
#include "planner/planner.h"
#include "planner/step_evaluator.h"

namespace upgrade {
namespace {

/// Re-evaluated secrets by their digest, for undo records that copied them from a config.
using SecretBook = std::map<std::string, Value>;

/// A sensitive attribute of one configuration that could not be put back.
struct Unrestored {
  std::string owner;      ///< "fs.file app_conf", or "exec.command in step rotate"
  std::string attribute;  ///< "content", "env.TOKEN"
};

/// What walking stored configurations against re-evaluated ones found.
struct Tally {
  std::vector<Unrestored> mismatched;  ///< re-evaluated, but its digest differs
  std::vector<Unrestored> unresolved;  ///< could not be evaluated again
};

bool IsDigest(const Value& value) {
  return value.sensitive() && value.is_string() && value.as_string().rfind("sha256:", 0) == 0;
}

// The digest the journal would hold for `value` marked sensitive.
std::string DigestOf(const Value& value) {
  Value marked = value;
  marked.MarkSensitive();
  return ValueToJson(marked, SecretPolicy::kDigest)["$sensitive"].get<std::string>();
}

// Replaces, in `stored`, each digest whose counterpart in `fresh` (at the same path) has that
// very digest; counts the others in `tally` under `owner`.
void RestoreFrom(Value& stored, const Value* fresh, const std::string& path,
                 const std::string& owner, SecretBook& book, Tally& tally) {
  if (IsDigest(stored)) {
    if (fresh == nullptr || fresh->is_null() || fresh->ContainsUnknown()) {
      tally.unresolved.push_back({owner, path});
    } else if (DigestOf(*fresh) != stored.as_string()) {
      tally.mismatched.push_back({owner, path});
    } else {
      std::string digest = stored.as_string();
      stored = *fresh;
      stored.MarkSensitive();
      book[digest] = stored;
    }
    return;
  }
  if (stored.is_map()) {
    for (auto& [key, child] : stored.as_map()) {
      const Value* next = fresh != nullptr && fresh->is_map() ? &fresh->Get(key) : nullptr;
      RestoreFrom(child, next, path.empty() ? key : path + "." + key, owner, book, tally);
    }
  } else if (stored.is_list()) {
    Value::List& items = stored.as_list();
    for (size_t i = 0; i < items.size(); ++i) {
      const Value* next = fresh != nullptr && fresh->is_list() && i < fresh->as_list().size()
                              ? &fresh->as_list()[i]
                              : nullptr;
      RestoreFrom(items[i], next, path + "[" + std::to_string(i) + "]", owner, book, tally);
    }
  }
}

// Replaces, in an undo record, each digest of a secret found in the configurations.
void RestoreFromBook(Value& stored, const SecretBook& book) {
  if (IsDigest(stored)) {
    auto it = book.find(stored.as_string());
    if (it != book.end()) stored = it->second;
    return;
  }
  if (stored.is_map()) {
    for (auto& [key, child] : stored.as_map()) RestoreFromBook(child, book);
  } else if (stored.is_list()) {
    for (Value& item : stored.as_list()) RestoreFromBook(item, book);
  }
}

/// The run's inputs and resource configurations evaluated again.
struct Evaluated {
  ScopeData data;
  std::vector<std::string> missing;    ///< sensitive inputs neither given nor defaulted
  std::vector<std::string> differing;  ///< inputs given now that differ from the run's
  std::vector<std::string> unknown;    ///< given now, but the program declares no such input
};

// Evaluates the saved program as the planner does. A sensitive input that has no value now
// stands in as its digest, so everything that does not use it still evaluates.
Evaluated EvaluateAgain(const Plan& plan, const std::map<std::string, Value>& given,
                        const ProviderRegistry& providers) {
  Evaluated out;
  std::map<std::string, Value> inputs;
  for (const auto& [name, value] : plan.inputs) {
    if (!value.sensitive()) inputs[name] = value;
  }
  for (const auto& [name, value] : given) {
    if (plan.program->FindInput(name) == nullptr) out.unknown.push_back(name);
    auto saved = plan.inputs.find(name);
    if (saved != plan.inputs.end() && !saved->second.sensitive() && saved->second != value) {
      out.differing.push_back(name);
    }
    if (saved == plan.inputs.end() || saved->second.sensitive()) inputs[name] = value;
  }
  PlannerOptions options;
  options.plan_path = plan.plan_path;
  Planner planner(providers, options);
  for (int attempt = 0; attempt < 2; ++attempt) {
    out.data = ScopeData();
    Diagnostics ignored;  // what cannot be evaluated stays a digest, and is reported as such
    planner.EvaluateConfigs(*plan.program, inputs, out.data, ignored);
    bool again = false;
    for (const Input& input : plan.program->inputs) {
      auto saved = plan.inputs.find(input.name);
      if (out.data.inputs.count(input.name) || !input.sensitive || saved == plan.inputs.end()) {
        continue;
      }
      out.missing.push_back(input.name);
      inputs[input.name] = saved->second;
      again = true;
    }
    if (!again) break;
  }
  for (const auto& [name, saved] : plan.inputs) {
    auto now = out.data.inputs.find(name);
    bool missing = std::count(out.missing.begin(), out.missing.end(), name) > 0;
    if (!IsDigest(saved) || missing || now == out.data.inputs.end()) continue;
    if (DigestOf(now->second) != saved.as_string()) out.differing.push_back(name);
  }
  return out;
}

// The action attributes of the steps in `steps`, compiled again against the states the plan
// saw, by operation id.
std::map<std::string, Value> ActionConfigs(const Plan& plan, const ProviderRegistry& providers,
                                           const std::set<std::string>& steps) {
  std::map<std::string, Value> configs;
  if (steps.empty()) return configs;
  StepEvaluator evaluator(plan, providers);
  ProviderContext context;
  context.base_dir = std::filesystem::path(plan.plan_path).parent_path().string();
  for (const PlannedStep& step : plan.steps) {
    if (!steps.count(step.id)) continue;
    Diagnostics ignored;
    for (const PlannedOperation& op :
         evaluator.CompileOperations(step, plan.refreshed, context, ignored)) {
      if (op.kind == PlannedOperation::Kind::kAction) {
        configs[op.id] = Value(op.operation.resource.config);
      }
    }
  }
  return configs;
}

std::string OwnerOf(const std::string& kind, const std::string& type, const std::string& name,
                    const std::string& step) {
  return kind == "action" ? type + " in step " + step : type + " " + name;
}

std::string Describe(const Unrestored& item) {
  return "the sensitive attribute " + item.attribute + " of " + item.owner;
}

void Append(Tally& into, const Tally& from) {
  into.mismatched.insert(into.mismatched.end(), from.mismatched.begin(), from.mismatched.end());
  into.unresolved.insert(into.unresolved.end(), from.unresolved.begin(), from.unresolved.end());
}

// Puts secrets back into the plan's inputs and resources, which a resumed run compiles its
// operations from. What could not be put back goes to `tally`.
void RestorePlan(Plan& plan, const Evaluated& fresh, SecretBook& book, Tally& tally) {
  for (auto& [name, value] : plan.inputs) {
    auto now = fresh.data.inputs.find(name);
    if (!IsDigest(value) || now == fresh.data.inputs.end()) continue;
    if (DigestOf(now->second) != value.as_string()) continue;
    book[value.as_string()] = now->second;
    value = now->second;
    value.MarkSensitive();
  }
  for (auto& [name, config] : plan.resources) {
    Value stored(config.config);
    auto now = fresh.data.resources.find(name);
    Value current = now != fresh.data.resources.end() ? Value(now->second.config) : Value();
    RestoreFrom(stored, &current, "", OwnerOf("change", config.type, name, ""), book, tally);
    config.config = stored.as_map();
  }
}

// Puts secrets back into the journal's intents and undo records. What could not be put back in
// an operation a rollback (or a resume) reverses goes to `tally`.
void RestoreJournal(const Plan& plan, std::vector<JournalRecord>& records,
                    const Evaluated& fresh, const ProviderRegistry& providers, SecretBook& book,
                    Tally& tally) {
  JournalView view = ViewJournal(records);
  std::set<std::string> relevant;
  std::set<std::string> action_steps;
  for (const OpStatus& op : view.ops) {
    if (!op.NeedsReversal()) continue;
    relevant.insert(op.op);
    if (op.kind == "action") action_steps.insert(op.step);
  }
  std::map<std::string, Value> actions = ActionConfigs(plan, providers, action_steps);
  for (JournalRecord& record : records) {
    if (record.type != "intent" || !record.data.count("config")) continue;
    std::string kind = record.GetString("kind");
    std::string name = record.GetString("resource");
    Value current;
    if (kind == "action") {
      if (auto it = actions.find(record.op); it != actions.end()) current = it->second;
    } else if (auto it = fresh.data.resources.find(name); it != fresh.data.resources.end()) {
      current = Value(it->second.config);
    }
    Tally found;
    RestoreFrom(record.data["config"], &current, "",
                OwnerOf(kind, record.GetString("resource_type"), name, record.step), book, found);
    if (relevant.count(record.op)) Append(tally, found);
  }
  for (JournalRecord& record : records) {
    if (auto it = record.data.find("undo"); it != record.data.end()) {
      RestoreFromBook(it->second, book);
    }
  }
}

// The error for what could not be put back, or "" (then `needed.unresolved` become warnings).
std::string Verdict(const Evaluated& fresh, const Tally& needed, bool resuming) {
  bool needs_secrets = resuming || !needed.mismatched.empty() || !needed.unresolved.empty();
  if (needs_secrets && !fresh.missing.empty()) {
    const std::string& name = fresh.missing.front();
    return "input \"" + name + "\" is sensitive and is not stored; give it again with --var " +
           name + "=...";
  }
  if (!fresh.differing.empty() && (resuming || !needed.mismatched.empty())) {
    return "input \"" + fresh.differing.front() + "\" differs from the value the run used" +
           (needed.mismatched.empty() ? "" : " for " + needed.mismatched.front().owner);
  }
  if (!needed.mismatched.empty()) {
    return Describe(needed.mismatched.front()) + " differs from the value the run used";
  }
  return "";
}

}  // namespace

std::string RestoreSecrets(Plan& plan, std::vector<JournalRecord>& records,
                           const SecretRestoreOptions& options, const ProviderRegistry& providers,
                           std::vector<std::string>* warnings) {
  if (plan.program == nullptr) return "";
  Evaluated fresh = EvaluateAgain(plan, options.given, providers);
  if (!fresh.unknown.empty()) return "unknown input \"" + fresh.unknown.front() + "\"";
  SecretBook book;
  Tally needed;  // what the rollback or the resume would hand to a provider as a digest
  Tally in_plan;
  RestorePlan(plan, fresh, book, in_plan);
  if (options.resuming) Append(needed, in_plan);
  RestoreJournal(plan, records, fresh, providers, book, needed);
  std::string error = Verdict(fresh, needed, options.resuming);
  if (!error.empty()) return error;
  std::set<std::string> warned;
  for (const Unrestored& item : needed.unresolved) {
    std::string text = Describe(item) + " could not be evaluated again; its provider gets the "
                       "digest the run kept";
    if (warnings != nullptr && warned.insert(text).second) warnings->push_back(text);
  }
  return "";
}

}  // namespace upgrade
