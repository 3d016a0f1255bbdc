// The planner's phases (see planner.h): inputs and lets, resources, refresh, the step DAG, the
// walk that threads planned state through it, then reversibility, pins and the summary.
#include "planner/planner.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "lang/eval.h"
#include "lang/value_json.h"
#include "planner/plan_scope.h"
#include "planner/refresher.h"
#include "planner/sensitive_attributes.h"
#include "planner/step_evaluator.h"
#include "planner/step_graph.h"
#include "providers/registry.h"
#include "state/atomic_file.h"

namespace upgrade {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool MatchesInputType(const std::string& type, const Value& value) {
  if (type.empty() || value.is_unknown()) return true;
  return type == Value::TypeName(value.type());
}

/// Phase 1: the value of every input: given, or its default, checked and marked.
void EvaluateInputs(const Program& program, const std::map<std::string, Value>& given,
                    ScopeData& data, Diagnostics& diagnostics) {
  for (const auto& [name, value] : given) {
    if (program.FindInput(name) != nullptr) continue;
    std::string best;
    for (const Input& input : program.inputs) {
      if (EditDistance(name, input.name) <= 2 && (best.empty() || input.name < best))
        best = input.name;
    }
    Diagnostic& error = diagnostics.Error(SourceRange{}, "unknown input '" + name + "'");
    if (!best.empty()) error.notes.push_back({Severity::kNote, {}, "did you mean " + best + "?", {}});
  }
  PlanScope scope(data, nullptr, nullptr, nullptr);
  for (const Input& input : program.inputs) {
    Value value;
    if (auto it = given.find(input.name); it != given.end()) {
      value = it->second;
    } else if (input.default_value) {
      EvalResult result = EvaluateUntraced(*input.default_value, scope);
      if (!result.ok) {
        diagnostics.Error(result.range.begin.Known() ? result.range : input.range,
                          "cannot evaluate the default of input " + input.name + ": " +
                              result.error);
        continue;
      }
      value = std::move(result.value);
    } else {
      diagnostics.Error(input.range, "input '" + input.name + "' is required: give it with --var " +
                                         input.name + "=VALUE");
      continue;
    }
    if (!MatchesInputType(input.type, value)) {
      diagnostics.Error(input.range, "input " + input.name + " must be a " + input.type +
                                         ", not a " + Value::TypeName(value.type()));
      continue;
    }
    if (input.sensitive) value.MarkSensitive();
    data.inputs[input.name] = std::move(value);
  }
}

/// Phase 2: one resource (or its for_each instances), evaluated. False when a name it uses is
/// not evaluated yet or something failed (then `errors` says what).
bool EvaluateResource(const Resource& resource, const SchemaRegistry& schemas, ScopeData& data,
                      const ProviderRegistry& providers, ProviderContext& context,
                      Diagnostics& errors) {
  PlanScope base(data, nullptr, &providers, &context);
  std::vector<std::pair<std::string, Value>> elements;
  if (resource.for_each) {
    EvalResult each = EvaluateUntraced(*resource.for_each, base);
    std::string error;
    std::optional<std::vector<std::pair<std::string, Value>>> found;
    if (each.ok) found = ForEachElements(each.value, &error);
    if (!each.ok || !found) {
      errors.Error(each.ok ? resource.for_each->range : each.range, each.ok ? error : each.error);
      return false;
    }
    elements = std::move(*found);
  }
  const ResourceTypeSchema* schema = schemas.FindResource(resource.type);
  auto evaluate = [&](const std::string& instance, Value each) {
    PlanScope scope(data, nullptr, &providers, &context, std::move(each));
    ResourceConfig config{resource.type, instance, {}};
    for (const Attribute& attribute : resource.attributes) {
      EvalResult result = EvaluateUntraced(attribute.value, scope);
      if (!result.ok) {
        errors.Error(result.range.begin.Known() ? result.range : attribute.range, result.error);
        return false;
      }
      const AttributeSchema* attribute_schema = schema ? schema->Find(attribute.name) : nullptr;
      if (attribute_schema != nullptr && attribute_schema->sensitive) result.value.MarkSensitive();
      config.config[attribute.name] = std::move(result.value);
    }
    data.resources[instance] = std::move(config);
    return true;
  };
  if (!resource.for_each) return evaluate(resource.name, Value());
  std::vector<std::pair<std::string, std::string>> instances;
  for (const auto& [key, value] : elements) {
    std::string instance = InstanceName(resource.name, key);
    if (!evaluate(instance, Value(Value::Map{{"key", key}, {"value", value}}))) return false;
    instances.emplace_back(key, instance);
  }
  data.instances[resource.name] = std::move(instances);
  return true;
}

/// Phase 2: every resource. A resource may refer to one declared after it, so evaluation goes
/// round until no more resources can be evaluated; what is left reports its error.
void EvaluateResources(const Program& program, const SchemaRegistry& schemas, ScopeData& data,
                       const ProviderRegistry& providers, ProviderContext& context,
                       Diagnostics& diagnostics) {
  std::vector<const Resource*> pending;
  for (const Resource& resource : program.resources) pending.push_back(&resource);
  while (!pending.empty()) {
    std::vector<const Resource*> left;
    std::vector<Diagnostics> failures;
    for (const Resource* resource : pending) {
      Diagnostics errors;
      if (!EvaluateResource(*resource, schemas, data, providers, context, errors)) {
        left.push_back(resource);
        failures.push_back(std::move(errors));
      }
    }
    if (left.size() == pending.size()) {
      for (const Diagnostics& errors : failures) diagnostics.Append(errors);
      return;
    }
    pending = std::move(left);
  }
}

/// The states of resources at a point of the walk: the `after` of the last change planned to
/// each so far, else the refreshed one. An overlay that points into the plan's operations,
/// rather than a copy of every state. The operations stay where they are while steps are
/// added: moving a PlannedStep moves its vector of operations, not the operations.
class PlannedStates : public StateSource {
 public:
  explicit PlannedStates(const std::map<std::string, State>& refreshed)
      : refreshed_(refreshed) {}
  void Plan(const std::string& instance, const State* after) { planned_[instance] = after; }
  std::optional<State> Find(const std::string& instance) const override {
    if (auto it = planned_.find(instance); it != planned_.end()) return *it->second;
    if (auto it = refreshed_.find(instance); it != refreshed_.end()) return it->second;
    return std::nullopt;
  }

 private:
  std::unordered_map<std::string, const State*> planned_;  ///< looked up, never walked
  const std::map<std::string, State>& refreshed_;
};

PlannedCheck CheckOf(const Statement& statement) {
  PlannedCheck check;
  check.is_verify = statement.kind == Statement::Kind::kVerify;
  if (statement.condition) check.condition = *statement.condition;
  check.message = statement.message;
  check.within = statement.within;
  check.every = statement.every;
  check.range = statement.range;
  return check;
}

}  // namespace

Planner::Planner(const ProviderRegistry& providers, PlannerOptions options)
    : providers_(providers), options_(std::move(options)) {}

std::optional<Plan> Planner::Run(std::shared_ptr<const Program> program,
                                 const std::map<std::string, Value>& given,
                                 Diagnostics& diagnostics) {
  int errors_before = diagnostics.ErrorCount();
  auto failed = [&] { return diagnostics.ErrorCount() > errors_before; };
  Plan plan;
  plan.program = program;
  plan.plan_path = options_.plan_path.empty() ? program->path : options_.plan_path;
  plan.state_dir = options_.state_dir;
  plan.sources = options_.sources;
  plan.created_at = NowRfc3339();
  ProviderContext context;
  context.base_dir = ParentDirectoryOf(plan.plan_path);

  // Phases 1 and 2: inputs, lets, resources.
  ScopeData data;
  if (!EvaluateProgram(*program, given, data, context, diagnostics)) return std::nullopt;
  plan.inputs = data.inputs;

  // Phase 3: refresh.
  std::map<std::string, std::string> read_errors;
  plan.refreshed = Refresher(providers_, options_.parallelism)
                       .Refresh(data.resources, context, read_errors);
  for (const auto& [instance, error] : read_errors) {
    const Resource* resource = program->FindResource(instance.substr(0, instance.find('[')));
    diagnostics.Error(resource ? resource->range : SourceRange{},
                      "cannot read " + instance + ": " + error);
  }
  if (failed()) return std::nullopt;
  if (options_.pin_states || !options_.expected_pins.empty()) {
    plan.pins.reserve(plan.refreshed.size());
    for (const auto& [name, state] : plan.refreshed) plan.pins.push_back({name, PinDigest(state)});
  }
  if (!options_.expected_pins.empty()) {
    std::map<std::string, std::string> now;
    for (const Pin& pin : plan.pins) now[pin.resource] = pin.digest;
    SourceRange where;
    where.begin.path = plan.plan_path;
    for (const Pin& pin : options_.expected_pins) {
      auto it = now.find(pin.resource);
      if (it == now.end() || it->second != pin.digest)
        diagnostics.Error(where, "saved plan is stale: " + pin.resource +
                                     " has changed since the plan was made; plan again");
    }
    if (failed()) return std::nullopt;
  }

  // Phase 4: the DAG.
  auto elements = StepElements(*program, data, &plan.refreshed, context, diagnostics);
  if (failed()) return std::nullopt;
  std::optional<StepGraph> graph = StepGraph::Build(*program, elements, diagnostics);
  if (!graph) return std::nullopt;

  // Phase 5: the walk. `data` is done with: its resources become the plan's.
  plan.resources = std::move(data.resources);
  StepEvaluator evaluator(plan, providers_, std::move(data.lets));
  // What the steps walked so far leave, over what was refreshed.
  PlannedStates states(plan.refreshed);
  plan.steps.reserve(graph->order().size());
  for (size_t index : graph->order()) {
    const StepInstance& instance = graph->instances()[index];
    PlannedStep step;
    step.id = instance.id;
    step.name = instance.step->name;
    step.title = instance.step->title;
    step.each = instance.each;
    step.depends_on = instance.depends_on;
    step.range = instance.step->range;
    for (const Statement& statement : instance.step->statements) {
      if (statement.kind == Statement::Kind::kRequire) step.requires_.push_back(CheckOf(statement));
      if (statement.kind == Statement::Kind::kVerify) step.verifies.push_back(CheckOf(statement));
    }
    for (PlannedCheck& check : step.requires_) CheckRequire(evaluator, step, check, states,
                                                            context, diagnostics);
    step.operations =
        evaluator.CompileOperations(step, *instance.step, states, context, diagnostics);
    plan.steps.push_back(std::move(step));
    for (const PlannedOperation& op : plan.steps.back().operations) {
      if (op.kind == PlannedOperation::Kind::kChange &&
          op.operation.change.action != ChangeAction::kNone)
        states.Plan(op.operation.resource.name, &op.operation.change.after);
    }
  }
  if (failed()) return std::nullopt;

  // Phase 6: what is already done, snapshot sizes, reversibility, pins, summary.
  DropWorkAlreadyDone(plan);
  EstimateSnapshots(plan, context);
  MarkReversibility(plan);
  MarkSensitiveStates(&plan);
  plan.summary = Summarize(plan);
  return plan;
}

bool Planner::EvaluateProgram(const Program& program, const std::map<std::string, Value>& given,
                              ScopeData& data, ProviderContext& context,
                              Diagnostics& diagnostics) {
  int errors_before = diagnostics.ErrorCount();
  data.program = &program;
  data.base_dir = ParentDirectoryOf(program.path);
  EvaluateInputs(program, given, data, diagnostics);
  if (diagnostics.ErrorCount() > errors_before) return false;
  SchemaRegistry schemas = providers_.Schemas();
  EvaluateResources(program, schemas, data, providers_, context, diagnostics);
  PlanScope scope(data, nullptr, &providers_, &context);
  for (const Let& let : program.lets) {
    std::string error;
    if (!scope.EvaluateLet(let, &error)) diagnostics.Error(let.range, error);
  }
  return diagnostics.ErrorCount() == errors_before;
}

bool Planner::EvaluateConfigs(const Program& program, const std::map<std::string, Value>& given,
                              ScopeData& data, Diagnostics& diagnostics) {
  ProviderContext context;
  context.base_dir =
      ParentDirectoryOf(options_.plan_path.empty() ? program.path : options_.plan_path);
  return EvaluateProgram(program, given, data, context, diagnostics);
}

std::map<std::string, std::vector<std::pair<std::string, Value>>> Planner::StepElements(
    const Program& program, ScopeData& data, const std::map<std::string, State>* states,
    ProviderContext& context, Diagnostics& diagnostics) {
  std::map<std::string, std::vector<std::pair<std::string, Value>>> elements;
  for (const Step& step : program.steps) {
    if (!step.for_each) continue;
    PlanScope scope(data, states, &providers_, &context);
    EvalResult each = EvaluateUntraced(*step.for_each, scope);
    std::string error = each.error;
    std::optional<std::vector<std::pair<std::string, Value>>> found;
    if (each.ok) found = ForEachElements(each.value, &error);
    if (!found) {
      diagnostics.Error(each.ok ? step.for_each->range : each.range, error);
      continue;
    }
    elements[step.name] = std::move(*found);
  }
  return elements;
}

std::optional<std::string> Planner::GraphDot(std::shared_ptr<const Program> program,
                                             const std::map<std::string, Value>& given,
                                             Diagnostics& diagnostics) {
  ProviderContext context;
  context.base_dir = ParentDirectoryOf(program->path);
  ScopeData data;
  if (!EvaluateProgram(*program, given, data, context, diagnostics)) return std::nullopt;
  int errors_before = diagnostics.ErrorCount();
  auto elements = StepElements(*program, data, nullptr, context, diagnostics);
  if (diagnostics.ErrorCount() > errors_before) return std::nullopt;
  std::optional<StepGraph> graph = StepGraph::Build(*program, elements, diagnostics);
  if (!graph) return std::nullopt;
  return graph->ToDot();
}

void Planner::CheckRequire(const StepEvaluator& evaluator, const PlannedStep& step,
                           PlannedCheck& check, const StateSource& states,
                           ProviderContext& context, Diagnostics& diagnostics) const {
  CheckOutcome outcome = evaluator.EvaluateCheck(step, check, states, context);
  if (!outcome.error.empty()) {
    diagnostics.Error(check.range, "cannot check require in step " + step.id + ": " +
                                       outcome.error);
    return;
  }
  check.held_at_plan = outcome.held;
  if (!outcome.held.has_value() || *outcome.held) return;
  std::string what = check.message.empty() ? ExprToString(check.condition) : check.message;
  Diagnostic& error =
      diagnostics.Error(check.range, "requirement not met in step " + step.id + ": " + what);
  size_t start = 0;
  // One note per line of the explanation: the expression, then each value it saw.
  while (start <= outcome.explanation.size()) {
    size_t end = outcome.explanation.find('\n', start);
    if (end == std::string::npos) end = outcome.explanation.size();
    std::string line = outcome.explanation.substr(start, end - start);
    if (!line.empty()) error.notes.push_back({Severity::kNote, {}, line, {}});
    start = end + 1;
  }
}

void Planner::DropWorkAlreadyDone(Plan& plan) const {
  // A step that sets resources which all already match has been applied: its runs and
  // snapshots belong to that transition and are not planned again. And a plan that sets
  // resources, none of which changes, is done as a whole: nothing is planned at all.
  auto is_change = [](const PlannedOperation& op) {
    return op.kind == PlannedOperation::Kind::kChange;
  };
  auto changes = [](const PlannedOperation& op) {
    return op.kind == PlannedOperation::Kind::kChange &&
           op.operation.change.action != ChangeAction::kNone;
  };
  bool plan_sets = false;
  bool plan_changes = false;
  for (PlannedStep& step : plan.steps) {
    bool sets = std::any_of(step.operations.begin(), step.operations.end(), is_change);
    bool step_changes = std::any_of(step.operations.begin(), step.operations.end(), changes);
    plan_sets = plan_sets || sets;
    plan_changes = plan_changes || step_changes;
    if (sets && !step_changes) std::erase_if(step.operations, std::not_fn(is_change));
  }
  if (!plan_sets || plan_changes) return;
  for (PlannedStep& step : plan.steps) std::erase_if(step.operations, std::not_fn(is_change));
}

void Planner::EstimateSnapshots(Plan& plan, ProviderContext& context) const {
  for (PlannedStep& step : plan.steps) {
    for (PlannedOperation& op : step.operations) {
      if (op.kind != PlannedOperation::Kind::kSnapshot) continue;
      Provider* provider = providers_.For(op.snapshot_of.type);
      if (provider == nullptr) continue;
      SnapshotResult estimate = provider->Snapshot(op.snapshot_of, op.snapshot_options, true,
                                                   context);
      if (estimate.error.empty()) op.estimated_bytes = estimate.estimated_bytes;
    }
  }
}

void Planner::MarkReversibility(Plan& plan) const {
  // The snapshots taken so far, in plan order (operation ids), and for each resource instance
  // and resource name the first of them that took it: an irreversible operation is covered by
  // the first snapshot of anything its step touches.
  std::vector<std::string> snapshots;
  std::map<std::string, size_t> first_of;
  for (PlannedStep& step : plan.steps) {
    bool snapshot_here = std::any_of(step.operations.begin(), step.operations.end(),
                                     [](const PlannedOperation& op) {
                                       return op.kind == PlannedOperation::Kind::kSnapshot;
                                     });
    if (snapshots.empty() && !snapshot_here) continue;  // nothing to be covered by
    const Step* source = plan.program->FindStep(step.name);
    std::set<std::string> touches;
    if (source != nullptr) touches.insert(source->touches.begin(), source->touches.end());
    for (const PlannedOperation& op : step.operations) {
      if (op.kind == PlannedOperation::Kind::kChange) touches.insert(op.operation.resource.name);
    }
    for (PlannedOperation& op : step.operations) {
      if (op.kind == PlannedOperation::Kind::kSnapshot) {
        const std::string& instance = op.snapshot_of.name;
        first_of.emplace(instance, snapshots.size());
        first_of.emplace(instance.substr(0, instance.find('[')), snapshots.size());
        snapshots.push_back(op.id);
        continue;
      }
      if (op.reversible) continue;
      size_t first = snapshots.size();
      for (const std::string& touched : touches) {
        if (auto it = first_of.find(touched); it != first_of.end())
          first = std::min(first, it->second);
      }
      if (first < snapshots.size()) op.covered_by = snapshots[first];
    }
  }
}

PlanSummary Planner::Summarize(const Plan& plan) const {
  PlanSummary summary;
  for (const PlannedStep& step : plan.steps) {
    bool reversible = true;
    for (const PlannedOperation& op : step.operations) {
      switch (op.kind) {
        case PlannedOperation::Kind::kSnapshot: ++summary.snapshots; break;
        case PlannedOperation::Kind::kAction: ++summary.to_run; break;
        case PlannedOperation::Kind::kChange:
          switch (op.operation.change.action) {
            case ChangeAction::kCreate: ++summary.to_add; break;
            case ChangeAction::kUpdate: ++summary.to_change; break;
            case ChangeAction::kDelete: ++summary.to_destroy; break;
            case ChangeAction::kReplace: ++summary.to_add, ++summary.to_destroy; break;
            case ChangeAction::kNone: break;
          }
          break;
      }
      if (!op.reversible && op.covered_by.empty()) {
        reversible = false;
        summary.irreversible.push_back(step.id + ": run " + op.operation.resource.type);
      }
    }
    ++summary.steps_total;
    if (reversible) ++summary.steps_reversible;
  }
  return summary;
}

}  // namespace upgrade
