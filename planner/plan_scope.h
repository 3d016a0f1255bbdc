// The names a plan's expressions see while planning or applying: inputs, lets, resources (their
// configuration overlaid with the state they have at that point), `each`, steps and imports;
// and the functions they call (the language's built-ins, then the providers').
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lang/eval.h"
#include "lang/ir.h"
#include "providers/provider.h"

namespace upgrade {

class ProviderRegistry;

/// `name["key"]`: the instance name of element `key` of a for_each resource or step.
std::string InstanceName(const std::string& name, const std::string& key);
/// The element key of a for_each element: a string as is, anything else as interpolated.
std::string ElementKey(const Value& key);
/// The elements of an evaluated `for_each`: a list (key: the element) or a map (key: the map's
/// key). Anything else sets `*error`.
std::optional<std::vector<std::pair<std::string, Value>>> ForEachElements(const Value& value,
                                                                          std::string* error);

struct Plan;

/// Where evaluation finds the state a resource instance has at one point, by instance name.
/// Lookups copy: the executor's live states change while other steps run.
class StateSource {
 public:
  virtual ~StateSource() = default;
  /// The state of `instance`, or nullopt when none is known.
  virtual std::optional<State> Find(const std::string& instance) const = 0;
};

/// A StateSource over a map the caller owns and keeps alive.
class MapStateSource : public StateSource {
 public:
  explicit MapStateSource(const std::map<std::string, State>& states) : states_(states) {}
  std::optional<State> Find(const std::string& instance) const override;

 private:
  const std::map<std::string, State>& states_;
};

/// What a plan's expressions can refer to; shared by the steps of one plan.
struct ScopeData {
  const Program* program = nullptr;
  std::map<std::string, Value> inputs;
  std::map<std::string, Value> lets;                 ///< filled as they are evaluated
  std::map<std::string, ResourceConfig> resources;   ///< by instance name
  /// When set, the resources names resolve to in place of `resources`: a plan's own, read where
  /// they are (MakeScopeData) rather than copied.
  const std::map<std::string, ResourceConfig>* plan_resources = nullptr;
  /// for_each resources: name -> (key, instance name), in element order.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> instances;
  std::string base_dir;  ///< for `file()` and other relative paths
};

/// The ScopeData of a plan: its program, inputs and resources (`plan_resources`, pointing into
/// `plan`, which must outlive it unchanged); lets are left to evaluate.
ScopeData MakeScopeData(const Plan& plan);

/// An EvalScope over ScopeData, the states resources have at one point, and one `each`.
class PlanScope : public EvalScope {
 public:
  PlanScope(ScopeData& data, const std::map<std::string, State>* states,
            const ProviderRegistry* providers, ProviderContext* context, Value each = Value());
  /// The same over any StateSource (`states` may be null: no resource has a state).
  PlanScope(ScopeData& data, const StateSource* states, const ProviderRegistry* providers,
            ProviderContext* context, Value each = Value());
  /// No resource has a state (inputs, lets and resource configurations only).
  PlanScope(ScopeData& data, std::nullptr_t, const ProviderRegistry* providers,
            ProviderContext* context, Value each = Value())
      : PlanScope(data, static_cast<const StateSource*>(nullptr), providers, context,
                  std::move(each)) {}
  PlanScope(const PlanScope&) = delete;
  PlanScope& operator=(const PlanScope&) = delete;

  /// States that take precedence over `states` (what earlier statements of a step planned).
  void SetOverlay(const std::map<std::string, State>* overlay) { overlay_ = overlay; }

  std::optional<Value> Lookup(const std::string& name) override;
  std::optional<Value> Call(const std::string& name, const std::vector<Value>& args,
                            std::string* error) override;
  /// Whether a function called through this scope failed with an error that trying again
  /// cannot mend (CallResult::lasting).
  bool met_lasting_error() const { return met_lasting_error_; }
  /// `input.NAME` and `each.key`/`each.value` without a copy of the whole root.
  std::optional<Value> LookupMember(const std::string& name, const std::string& member) override;

  /// The value a resource instance shows to expressions: its configuration overlaid with the
  /// attributes of its state at this point.
  Value ResourceValue(const std::string& instance) const;

  /// Evaluates let `name` (once; later lookups reuse it). Sets `*error` when it fails.
  std::optional<Value> EvaluateLet(const Let& let, std::string* error);

 private:
  std::optional<Value> LookupResource(const std::string& name) const;
  std::optional<Value> LookupImport(const std::string& alias) const;

  /// The resources names resolve to (see ScopeData::plan_resources).
  const std::map<std::string, ResourceConfig>& Resources() const {
    return data_.plan_resources != nullptr ? *data_.plan_resources : data_.resources;
  }

  ScopeData& data_;
  std::optional<MapStateSource> owned_states_;
  const StateSource* states_ = nullptr;
  const std::map<std::string, State>* overlay_ = nullptr;
  bool met_lasting_error_ = false;
  const ProviderRegistry* providers_;
  ProviderContext* context_;
  Value each_;
  std::set<std::string> evaluating_lets_;
};

}  // namespace upgrade
