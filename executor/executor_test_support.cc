// Hand-built plans over FakeProvider for the executor's tests.
#include "executor/executor_test_support.h"

#include "executor/executor.h"

#include <gtest/gtest.h>

namespace upgrade::testing {

CheckOutcome TestStepRuntime::EvaluateCheck(const PlannedStep&, const PlannedCheck& check,
                                            const StateSource& states,
                                            ProviderContext&) {
  ++checks_evaluated;
  CheckOutcome outcome;
  auto it = conditions.find(check.message);
  if (it == conditions.end()) {
    outcome.error = "no condition for " + check.message;
    return outcome;
  }
  outcome.held = it->second(states);
  if (!*outcome.held) outcome.explanation = "condition was false";
  return outcome;
}

std::vector<PlannedOperation> TestStepRuntime::CompileOperations(
    const PlannedStep& step, const StateSource& states, ProviderContext&,
    Diagnostics& diagnostics) {
  std::vector<PlannedOperation> ops = step.operations;
  for (auto& op : ops) {
    if (op.kind != PlannedOperation::Kind::kChange) continue;
    DiffRequest request;
    request.resource = op.operation.resource;
    if (std::optional<State> state = states.Find(op.operation.resource.name)) {
      request.prior = std::move(*state);
    }
    request.desired = desired[op.id];
    DiffResult diff = provider_.Diff(request);
    if (!diff.error.empty()) diagnostics.Error(op.range, diff.error);
    op.operation.change = diff.change;
  }
  return ops;
}

TestPlan::TestPlan() : program_(std::make_shared<Program>()) {
  plan_.plan_path = "/plans/test.upg";
}

TestPlan& TestPlan::Thing(const std::string& name, const std::string& id) {
  ResourceConfig resource;
  resource.type = "fake.thing";
  resource.name = name;
  resource.config["id"] = Value(id.empty() ? name : id);
  plan_.resources[name] = resource;
  return *this;
}

TestPlan& TestPlan::Step(const std::string& id, std::vector<std::string> after) {
  PlannedStep step;
  step.id = id;
  step.name = id;
  step.depends_on = std::move(after);
  plan_.steps.push_back(std::move(step));
  return *this;
}

TestPlan& TestPlan::Set(const std::string& resource, Value::Map attributes) {
  PlannedOperation op;
  op.kind = PlannedOperation::Kind::kChange;
  op.id = Last().id + "#" + std::to_string(Last().operations.size());
  op.operation.kind = Operation::Kind::kChange;
  op.operation.resource = plan_.resources.at(resource);
  desired_[op.id] = std::move(attributes);
  Last().operations.push_back(std::move(op));
  return *this;
}

TestPlan& TestPlan::Run(const std::string& label, const std::string& undo) {
  PlannedOperation op;
  op.kind = PlannedOperation::Kind::kAction;
  op.id = Last().id + "#" + std::to_string(Last().operations.size());
  op.operation.kind = Operation::Kind::kAction;
  op.operation.resource.type = "fake.action";
  op.operation.resource.name = Last().id;
  op.operation.resource.config["label"] = Value(label);
  if (!undo.empty()) op.operation.resource.config["undo"] = Value(undo);
  op.reversible = !undo.empty();
  // Covered by the latest snapshot planned before it, as the planner decides.
  if (!op.reversible) {
    for (const auto& step : plan_.steps) {
      for (const auto& earlier : step.operations) {
        if (earlier.kind == PlannedOperation::Kind::kSnapshot) op.covered_by = earlier.id;
      }
    }
  }
  Last().operations.push_back(std::move(op));
  return *this;
}

TestPlan& TestPlan::Snapshot(const std::string& resource) {
  PlannedOperation op;
  op.kind = PlannedOperation::Kind::kSnapshot;
  op.id = Last().id + "#" + std::to_string(Last().operations.size());
  op.snapshot_of = plan_.resources.at(resource);
  Last().operations.push_back(std::move(op));
  return *this;
}

TestPlan& TestPlan::Require(const std::string& message, TestCondition condition) {
  PlannedCheck check;
  check.message = message;
  Last().requires_.push_back(check);
  conditions_[message] = std::move(condition);
  return *this;
}

TestPlan& TestPlan::Verify(const std::string& message, TestCondition condition, Duration within,
                           Duration every) {
  PlannedCheck check;
  check.is_verify = true;
  check.message = message;
  check.within = within;
  check.every = every;
  Last().verifies.push_back(check);
  conditions_[message] = std::move(condition);
  return *this;
}

TestPlan& TestPlan::OnFailure(upgrade::OnFailure policy) {
  program_->plan.on_failure = policy;
  return *this;
}

TestPlan& TestPlan::Window(MaintenanceWindow window) {
  program_->plan.window = window;
  return *this;
}

Plan TestPlan::Build(FakeProvider& provider, TestStepRuntime& runtime) {
  Plan plan = plan_;
  plan.program = program_;
  ProviderContext context;
  for (const auto& [name, resource] : plan.resources) {
    State state;
    auto it = provider.things.find(resource.config.at("id").as_string());
    if (it != provider.things.end()) {
      state.exists = true;
      state.attributes = it->second;
      auto secret = state.attributes.find("secret");
      if (secret != state.attributes.end()) secret->second.MarkSensitive();
    }
    plan.refreshed[name] = state;
    plan.pins.push_back({name, PinDigest(state)});
  }
  runtime.desired = desired_;
  runtime.conditions = conditions_;
  return plan;
}

FakeSystem::FakeSystem() {
  auto provider = std::make_unique<FakeProvider>();
  fake = provider.get();
  registry.Add(std::move(provider));
}

std::vector<JournalRecord> ReadBack(const std::string& path) {
  std::vector<JournalRecord> records;
  std::string error;
  EXPECT_TRUE(ReadJournal(path, &records, &error)) << error;
  return records;
}

}  // namespace upgrade::testing
