// Name lookup and function calls for expressions evaluated by the planner and the executor.
#include "planner/plan_scope.h"

#include <nlohmann/json.hpp>

#include "planner/plan.h"
#include "providers/registry.h"

namespace upgrade {

std::string InstanceName(const std::string& name, const std::string& key) {
  return name + "[" + nlohmann::json(key).dump() + "]";
}

std::string ElementKey(const Value& key) {
  return key.is_string() ? key.as_string() : key.ToInterpolation();
}

std::optional<std::vector<std::pair<std::string, Value>>> ForEachElements(const Value& value,
                                                                          std::string* error) {
  std::vector<std::pair<std::string, Value>> elements;
  if (value.is_list()) {
    for (const auto& item : value.as_list()) {
      if (item.ContainsUnknown()) {
        *error = "for_each elements must be known at plan time";
        return std::nullopt;
      }
      elements.emplace_back(ElementKey(item), item);
    }
  } else if (value.is_map()) {
    for (const auto& [key, item] : value.as_map()) elements.emplace_back(key, item);
  } else {
    *error = std::string("for_each needs a list or a map, not ") + Value::TypeName(value.type());
    return std::nullopt;
  }
  return elements;
}

ScopeData MakeScopeData(const Plan& plan) {
  ScopeData data;
  data.program = plan.program.get();
  data.inputs = plan.inputs;
  data.plan_resources = &plan.resources;
  if (plan.program != nullptr) {
    size_t slash = plan.program->path.rfind('/');
    data.base_dir = slash == std::string::npos ? "." : plan.program->path.substr(0, slash);
  }
  // Instance names are `name["key"]` with the key in JSON quoting: read the key back.
  for (const auto& [instance, config] : plan.resources) {
    size_t bracket = instance.find("[\"");
    if (bracket == std::string::npos || instance.back() != ']') continue;
    std::string base = instance.substr(0, bracket);
    std::string quoted = instance.substr(bracket + 1, instance.size() - bracket - 2);
    nlohmann::json key = nlohmann::json::parse(quoted, nullptr, false);
    if (key.is_string()) data.instances[base].emplace_back(key.get<std::string>(), instance);
  }
  return data;
}

std::optional<State> MapStateSource::Find(const std::string& instance) const {
  auto it = states_.find(instance);
  if (it == states_.end()) return std::nullopt;
  return it->second;
}

PlanScope::PlanScope(ScopeData& data, const std::map<std::string, State>* states,
                     const ProviderRegistry* providers, ProviderContext* context, Value each)
    : data_(data), providers_(providers), context_(context), each_(std::move(each)) {
  if (states != nullptr) states_ = &owned_states_.emplace(*states);
}

PlanScope::PlanScope(ScopeData& data, const StateSource* states,
                     const ProviderRegistry* providers, ProviderContext* context, Value each)
    : data_(data), states_(states), providers_(providers), context_(context),
      each_(std::move(each)) {}

std::optional<Value> PlanScope::Lookup(const std::string& name) {
  if (name == "input") {
    Value::Map inputs(data_.inputs.begin(), data_.inputs.end());
    return Value(std::move(inputs));
  }
  if (name == "each") {
    if (each_.is_null()) return std::nullopt;
    return each_;
  }
  if (auto it = data_.lets.find(name); it != data_.lets.end()) return it->second;
  if (data_.program != nullptr) {
    if (const Let* let = data_.program->FindLet(name)) {
      std::string error;
      auto value = EvaluateLet(*let, &error);
      if (!value) return Value(Unknown{});
      return value;
    }
  }
  if (auto resource = LookupResource(name)) return resource;
  if (data_.program != nullptr && data_.program->FindStep(name) != nullptr) {
    // What a step produces is known only once it has run.
    return Value(Unknown{});
  }
  return LookupImport(name);
}

std::optional<Value> PlanScope::LookupMember(const std::string& name,
                                             const std::string& member) {
  // Only where the member's value is the answer as it stands: a root that is a map, neither
  // unknown nor sensitive itself. Anything else takes the general way and its messages.
  const Value::Map* root = nullptr;
  if (name == "input") root = &data_.inputs;
  else if (name == "each" && each_.is_map() && !each_.sensitive()) root = &each_.as_map();
  if (root == nullptr) return std::nullopt;
  auto it = root->find(member);
  if (it == root->end()) return std::nullopt;
  return it->second;
}

std::optional<Value> PlanScope::EvaluateLet(const Let& let, std::string* error) {
  if (auto it = data_.lets.find(let.name); it != data_.lets.end()) return it->second;
  if (!evaluating_lets_.insert(let.name).second) {
    *error = "let " + let.name + " refers to itself";
    return std::nullopt;
  }
  // Lets never see `each`: they are computed once for the whole plan.
  Value saved_each = std::move(each_);
  each_ = Value();
  EvalResult result = EvaluateUntraced(let.value, *this);
  each_ = std::move(saved_each);
  evaluating_lets_.erase(let.name);
  if (!result.ok) {
    *error = result.error;
    return std::nullopt;
  }
  data_.lets[let.name] = result.value;
  return result.value;
}

Value PlanScope::ResourceValue(const std::string& instance) const {
  Value::Map value;
  if (auto it = Resources().find(instance); it != Resources().end())
    value = it->second.config;
  const State* state = nullptr;
  if (overlay_ != nullptr) {
    if (auto it = overlay_->find(instance); it != overlay_->end()) state = &it->second;
  }
  std::optional<State> found;
  if (state == nullptr && states_ != nullptr) {
    found = states_->Find(instance);
    if (found) state = &*found;
  }
  if (state != nullptr && state->exists) {
    for (const auto& [key, attribute] : state->attributes) value[key] = attribute;
  }
  return Value(std::move(value));
}

std::optional<Value> PlanScope::LookupResource(const std::string& name) const {
  if (auto it = data_.instances.find(name); it != data_.instances.end()) {
    Value::Map by_key;
    for (const auto& [key, instance] : it->second) by_key[key] = ResourceValue(instance);
    return Value(std::move(by_key));
  }
  if (Resources().count(name) > 0) return ResourceValue(name);
  return std::nullopt;
}

std::optional<Value> PlanScope::LookupImport(const std::string& alias) const {
  std::string prefix = alias + ".";
  Value::Map members;
  // The resources of an import sort together: from the first name with the prefix on.
  for (auto it = Resources().lower_bound(prefix);
       it != Resources().end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    members[it->first.substr(prefix.size())] = ResourceValue(it->first);
  }
  if (members.empty()) return std::nullopt;
  return Value(std::move(members));
}

std::optional<Value> PlanScope::Call(const std::string& name, const std::vector<Value>& args,
                                     std::string* error) {
  if (IsBuiltinFunction(name)) return CallBuiltinFunction(name, args, data_.base_dir, error);
  Provider* provider = providers_ == nullptr ? nullptr : providers_->For(name);
  if (provider == nullptr || context_ == nullptr) {
    *error = "unknown function " + name;
    return std::nullopt;
  }
  for (const auto& arg : args) {
    // A provider cannot read what is not known yet: the whole call is unknown until apply.
    if (arg.ContainsUnknown()) return Value(Unknown{});
  }
  CallResult result = provider->Call(name, args, *context_);
  if (!result.error.empty()) {
    met_lasting_error_ = met_lasting_error_ || result.lasting;
    *error = result.error;
    return std::nullopt;
  }
  return result.value;
}

}  // namespace upgrade
