// Evaluating a step's checks and compiling its statements into operations, against whatever
// states the caller has: planned ones (the planner) or live ones (the executor).
#include "planner/step_evaluator.h"

#include "lang/eval.h"
#include "providers/registry.h"

namespace upgrade {
namespace {

const Step* SourceStep(const Plan& plan, const PlannedStep& step) {
  return plan.program == nullptr ? nullptr : plan.program->FindStep(step.name);
}

/// The text of a trace value for an explanation; sensitive values stay hidden.
std::string ExplainLine(const std::string& text, const Value& value) {
  return "  " + text + " = " + value.ToDisplay();
}

}  // namespace

StepEvaluator::StepEvaluator(const Plan& plan, const ProviderRegistry& providers)
    : plan_(plan), providers_(providers), schemas_(providers.Schemas()),
      data_(MakeScopeData(plan)) {
  if (plan.program == nullptr) return;
  ProviderContext context;
  context.base_dir = data_.base_dir;
  PlanScope scope(data_, &plan.refreshed, &providers_, &context);
  for (const Let& let : plan.program->lets) {
    std::string error;
    // A let that cannot be evaluated now is unknown: checks that use it wait for apply.
    if (!scope.EvaluateLet(let, &error)) data_.lets[let.name] = Value(Unknown{});
  }
}

StepEvaluator::StepEvaluator(const Plan& plan, const ProviderRegistry& providers,
                             std::map<std::string, Value> lets)
    : plan_(plan), providers_(providers), schemas_(providers.Schemas()),
      data_(MakeScopeData(plan)) {
  data_.lets = std::move(lets);
}

CheckOutcome StepEvaluator::EvaluateCheck(const PlannedStep& step, const PlannedCheck& check,
                                          const std::map<std::string, State>& states,
                                          ProviderContext& context) const {
  return EvaluateCheck(step, check, MapStateSource(states), context);
}

CheckOutcome StepEvaluator::EvaluateCheck(const PlannedStep& step, const PlannedCheck& check,
                                          const StateSource& states,
                                          ProviderContext& context) const {
  CheckOutcome outcome;
  PlanScope scope(data_, &states, &providers_, &context, step.each);
  EvalResult result = Evaluate(check.condition, scope);
  if (!result.ok) {
    outcome.error = result.error;
    outcome.lasting = scope.met_lasting_error();
    return outcome;
  }
  if (result.value.ContainsUnknown()) return outcome;  // held stays unknown
  outcome.held = result.value.IsTrue();
  if (*outcome.held) return outcome;
  std::string text = ExprToString(check.condition);
  outcome.explanation = text + " was " + result.value.ToDisplay();
  for (const auto& [expression, value] : result.trace) {
    if (expression == text) continue;
    outcome.explanation += "\n" + ExplainLine(expression, value);
  }
  return outcome;
}

Value::Map StepEvaluator::EvaluateAttributes(const std::vector<Attribute>& attributes,
                                             const AttributeSchemaLookup& lookup,
                                             PlanScope& scope, Diagnostics& diagnostics) const {
  Value::Map values;
  for (const Attribute& attribute : attributes) {
    EvalResult result = EvaluateUntraced(attribute.value, scope);
    if (!result.ok) {
      diagnostics.Error(result.range.begin.Known() ? result.range : attribute.range,
                        result.error);
      continue;
    }
    const AttributeSchema* schema = lookup(attribute.name);
    if (schema != nullptr && schema->sensitive) result.value.MarkSensitive();
    values[attribute.name] = std::move(result.value);
  }
  return values;
}

const std::pair<const std::string, ResourceConfig>* StepEvaluator::TargetInstance(
    const Statement& statement, PlanScope& scope, Diagnostics& diagnostics) const {
  std::string indexed;
  if (statement.target_index) {
    EvalResult key = EvaluateUntraced(*statement.target_index, scope);
    if (!key.ok) {
      diagnostics.Error(key.range.begin.Known() ? key.range : statement.range, key.error);
      return nullptr;
    }
    indexed = InstanceName(statement.target, ElementKey(key.value));
  }
  const std::string& instance = statement.target_index ? indexed : statement.target;
  auto found = plan_.resources.find(instance);
  if (found == plan_.resources.end()) {
    diagnostics.Error(statement.range, "no resource instance " + instance);
    return nullptr;
  }
  return &*found;
}

std::vector<PlannedOperation> StepEvaluator::CompileOperations(
    const PlannedStep& step, const std::map<std::string, State>& states,
    ProviderContext& context, Diagnostics& diagnostics) const {
  return CompileOperations(step, MapStateSource(states), context, diagnostics);
}

std::vector<PlannedOperation> StepEvaluator::CompileOperations(
    const PlannedStep& step, const StateSource& states, ProviderContext& context,
    Diagnostics& diagnostics) const {
  const Step* source = SourceStep(plan_, step);
  if (source == nullptr) return {};
  return CompileOperations(step, *source, states, context, diagnostics);
}

std::vector<PlannedOperation> StepEvaluator::CompileOperations(
    const PlannedStep& step, const Step& source, const StateSource& states,
    ProviderContext& context, Diagnostics& diagnostics) const {
  std::vector<PlannedOperation> operations;
  // What earlier statements of this step planned, seen by the later ones.
  std::map<std::string, State> planned;
  PlanScope scope(data_, &states, &providers_, &context, step.each);
  scope.SetOverlay(&planned);
  auto is_check = [](const Statement& statement) {
    return statement.kind == Statement::Kind::kRequire ||
           statement.kind == Statement::Kind::kVerify;
  };
  // No statement after the last operation reads what it plans: its state is not kept.
  const Statement* last = nullptr;
  for (const Statement& statement : source.statements) {
    if (!is_check(statement)) last = &statement;
  }
  for (const Statement& statement : source.statements) {
    if (is_check(statement)) continue;
    PlannedOperation op;
    op.id.reserve(step.id.size() + 4);
    op.id.append(step.id).append("#").append(std::to_string(operations.size()));
    op.range = statement.range;
    if (statement.kind == Statement::Kind::kRun) {
      const ActionSchema* schema = schemas_.FindAction(statement.target);
      op.kind = PlannedOperation::Kind::kAction;
      op.operation.kind = Operation::Kind::kAction;
      op.operation.resource.type = statement.target;
      op.operation.resource.name = step.id;
      op.operation.resource.config = EvaluateAttributes(
          statement.attributes,
          [schema](const std::string& name) { return schema ? schema->Find(name) : nullptr; },
          scope, diagnostics);
      const Value::Map& config = op.operation.resource.config;
      op.reversible = schema != nullptr && !schema->undo_attribute.empty() &&
                      config.count(schema->undo_attribute) > 0 &&
                      !config.at(schema->undo_attribute).is_null();
      operations.push_back(std::move(op));
      continue;
    }
    const auto* target = TargetInstance(statement, scope, diagnostics);
    if (target == nullptr) continue;
    const auto& [instance, resource] = *target;
    const ResourceTypeSchema* schema = schemas_.FindResource(resource.type);
    auto lookup = [schema](const std::string& name) {
      return schema ? schema->Find(name) : nullptr;
    };
    if (statement.kind == Statement::Kind::kSnapshot) {
      op.kind = PlannedOperation::Kind::kSnapshot;
      op.snapshot_of = resource;
      op.snapshot_options = EvaluateAttributes(statement.attributes, lookup, scope, diagnostics);
      operations.push_back(std::move(op));
      continue;
    }
    Provider* provider = providers_.For(resource.type);
    if (provider == nullptr) {
      diagnostics.Error(statement.range, "no provider for resource type " + resource.type);
      continue;
    }
    DiffRequest request;
    request.resource = resource;
    auto prior = planned.find(instance);
    if (prior != planned.end()) {
      request.prior = prior->second;
    } else if (std::optional<State> live = states.Find(instance)) {
      request.prior = std::move(*live);
    }
    request.desired = EvaluateAttributes(statement.attributes, lookup, scope, diagnostics);
    DiffResult diff = provider->Diff(request);
    if (!diff.error.empty()) {
      diagnostics.Error(statement.range, diff.error);
      continue;
    }
    if (&statement != last) {
      planned[instance] =
          diff.change.action == ChangeAction::kNone ? request.prior : diff.change.after;
    }
    op.kind = PlannedOperation::Kind::kChange;
    op.operation.kind = Operation::Kind::kChange;
    op.operation.resource = std::move(request.resource);
    op.operation.change = std::move(diff.change);
    operations.push_back(std::move(op));
  }
  return operations;
}

}  // namespace upgrade
