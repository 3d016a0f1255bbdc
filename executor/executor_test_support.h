// Plans built by hand for executor tests, over the in-memory FakeProvider, and a StepRuntime
// that compiles them the way the real one does: each `set` diffed against the live state.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "executor/change_runner.h"
#include "executor/journal.h"
#include "executor/step_runtime.h"
#include "planner/plan.h"
#include "providers/registry.h"
#include "tests/support/fake_provider.h"

namespace upgrade::testing {

/// A check for the test runtime: true when it holds for these states.
using TestCondition = std::function<bool(const StateSource&)>;

/// Compiles planned operations against live states and evaluates checks by their message.
class TestStepRuntime : public StepRuntime {
 public:
  explicit TestStepRuntime(FakeProvider& provider) : provider_(provider) {}
  CheckOutcome EvaluateCheck(const PlannedStep& step, const PlannedCheck& check,
                             const StateSource& states,
                             ProviderContext& context) override;
  std::vector<PlannedOperation> CompileOperations(const PlannedStep& step,
                                                  const StateSource& states,
                                                  ProviderContext& context,
                                                  Diagnostics& diagnostics) override;

  std::map<std::string, Value::Map> desired;        ///< op id -> the set block
  std::map<std::string, TestCondition> conditions;  ///< check message -> condition
  int checks_evaluated = 0;

 private:
  FakeProvider& provider_;
};

/// Builds a plan of fake.thing resources and steps.
class TestPlan {
 public:
  TestPlan();
  /// Declares resource `name` for thing `id` (default: the same).
  TestPlan& Thing(const std::string& name, const std::string& id = "");
  TestPlan& Step(const std::string& id, std::vector<std::string> after = {});
  /// Adds to the last step: set `resource` to `attributes`.
  TestPlan& Set(const std::string& resource, Value::Map attributes);
  /// Adds to the last step: run fake.action `label`, reversible when `undo` is non-empty.
  TestPlan& Run(const std::string& label, const std::string& undo = "");
  TestPlan& Snapshot(const std::string& resource);
  TestPlan& Require(const std::string& message, TestCondition condition);
  TestPlan& Verify(const std::string& message, TestCondition condition, Duration within,
                   Duration every);
  TestPlan& OnFailure(OnFailure policy);
  TestPlan& Window(MaintenanceWindow window);

  /// The plan, pinned to what `provider` holds now; fills `runtime`'s tables.
  Plan Build(FakeProvider& provider, TestStepRuntime& runtime);

 private:
  PlannedStep& Last() { return plan_.steps.back(); }
  Plan plan_;
  std::shared_ptr<Program> program_;
  std::map<std::string, Value::Map> desired_;
  std::map<std::string, TestCondition> conditions_;
};

/// A change runner over one FakeProvider, with a context of its own.
class FakeChangeRunner : public ProviderChangeRunner {
 public:
  explicit FakeChangeRunner(const ProviderRegistry& registry)
      : ProviderChangeRunner(registry, ProviderContext{}) {}
};

/// The records of the journal file at `path`; a journal that cannot be read fails the test.
std::vector<JournalRecord> ReadBack(const std::string& path);

/// A registry owning a FakeProvider; `fake` points at it.
struct FakeSystem {
  FakeSystem();
  ProviderRegistry registry;
  FakeProvider* fake = nullptr;
};

}  // namespace upgrade::testing
