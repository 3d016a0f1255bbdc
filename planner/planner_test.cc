// Tests of the planner against the in-memory FakeProvider: refresh, threading of planned state,
// requires, for_each and serial, reversibility, pins and work already done.
#include "planner/planner.h"

#include <gtest/gtest.h>

#include <thread>

#include "planner/ir_builder_test_util.h"
#include "planner/plan_render.h"
#include "planner/refresher.h"
#include "providers/registry.h"
#include "tests/support/fake_provider.h"

namespace upgrade::testing {
namespace {

/// A FakeProvider whose reads are slow and counted, to observe the refresh pool.
class SlowReadFake : public FakeProvider {
 public:
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override {
    {
      InProgress in_progress(reading_, max_reading_);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return FakeProvider::Read(resource, context);
  }
  std::atomic<int> reading_{0};
  std::atomic<int> max_reading_{0};
};

class PlannerTest : public ::testing::Test {
 protected:
  PlannerTest() {
    auto fake = std::make_unique<FakeProvider>();
    fake_ = fake.get();
    registry_.Add(std::move(fake));
  }

  std::optional<Plan> PlanOf(Program program, std::map<std::string, Value> given = {},
                             PlannerOptions options = {}) {
    diagnostics_ = Diagnostics();
    return Planner(registry_, std::move(options)).Run(Share(std::move(program)), given,
                                                      diagnostics_);
  }

  std::string Errors() const {
    std::string out;
    for (const Diagnostic& d : diagnostics_.items()) {
      out += d.message + "\n";
      for (const Diagnostic& note : d.notes) out += "note: " + note.message + "\n";
    }
    return out;
  }

  ProviderRegistry registry_;
  FakeProvider* fake_ = nullptr;
  Diagnostics diagnostics_;
};

TEST(RefresherTest, ReadsInParallelButNeverMoreThanTheBound) {
  ProviderRegistry registry;
  auto owned = std::make_unique<SlowReadFake>();
  SlowReadFake* fake = owned.get();
  registry.Add(std::move(owned));
  std::map<std::string, ResourceConfig> resources;
  for (int i = 0; i < 24; ++i) {
    std::string id = "t" + std::to_string(i);
    resources[id] = {"fake.thing", id, {{"id", id}}};
    if (i % 2 == 0) fake->things[id] = {{"value", Value(id)}};
  }
  ProviderContext context;
  std::map<std::string, std::string> errors;
  auto states = Refresher(registry, 4).Refresh(resources, context, errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(states.size(), 24u);
  EXPECT_TRUE(states["t0"].exists);
  EXPECT_FALSE(states["t1"].exists);
  EXPECT_EQ(fake->max_reading_.load(), 4);
  EXPECT_EQ(fake->calls().size(), 24u);
}

TEST(RefresherTest, ReportsReadErrorsAndUnownedTypes) {
  ProviderRegistry registry;
  auto owned = std::make_unique<FakeProvider>();
  owned->FailOn("Read", "b");
  registry.Add(std::move(owned));
  std::map<std::string, ResourceConfig> resources = {
      {"a", {"fake.thing", "a", {{"id", "a"}}}},
      {"b", {"fake.thing", "b", {{"id", "b"}}}},
      {"c", {"nope.thing", "c", {}}}};
  ProviderContext context;
  std::map<std::string, std::string> errors;
  auto states = Refresher(registry, 2).Refresh(resources, context, errors);
  EXPECT_EQ(states.size(), 1u);
  EXPECT_EQ(errors["b"], "fake: injected failure of Read b");
  EXPECT_EQ(errors["c"], "no provider for resource type nope.thing");
}

TEST_F(PlannerTest, LaterStepDiffsAgainstWhatAnEarlierStepLeaves) {
  fake_->things["a"] = {{"value", "1"}};
  Program program;
  program.resources.push_back(Thing("a", "a"));
  program.steps.push_back(MakeStep("first", {}, {Set("a", {A("value", Lit("2"))})}, {"a"}));
  program.steps.push_back(MakeStep("again", {"first"}, {Set("a", {A("value", Lit("2"))})}, {"a"}));
  program.steps.push_back(MakeStep("third", {"again"}, {Set("a", {A("value", Lit("3"))})}, {"a"}));
  std::optional<Plan> plan = PlanOf(program);
  ASSERT_TRUE(plan) << Errors();
  ASSERT_EQ(plan->steps.size(), 3u);
  const Change& first = plan->steps[0].operations.at(0).operation.change;
  EXPECT_EQ(first.action, ChangeAction::kUpdate);
  EXPECT_EQ(first.attributes.at(0).before, Value("1"));
  EXPECT_EQ(plan->steps[1].operations.at(0).operation.change.action, ChangeAction::kNone);
  const Change& third = plan->steps[2].operations.at(0).operation.change;
  EXPECT_EQ(third.action, ChangeAction::kUpdate);
  EXPECT_EQ(third.attributes.at(0).before, Value("2"));
  EXPECT_EQ(third.attributes.at(0).after, Value("3"));
  EXPECT_EQ(plan->summary.to_change, 2);
  EXPECT_EQ(plan->steps[2].depends_on, std::vector<std::string>{"again"});
  // Planning changes nothing.
  EXPECT_EQ(fake_->things["a"].at("value"), Value("1"));
}

TEST_F(PlannerTest, FalseRequireIsAnErrorShowingTheValuesItSaw) {
  fake_->things["a"] = {{"value", "1"}};
  Program program;
  program.resources.push_back(Thing("a", "a"));
  Expr condition = Binary("==", Call("fake.value", {Lit("a")}), Lit("2"));
  program.steps.push_back(
      MakeStep("check", {}, {Require(condition, "a must be 2 first", 7)}, {}));
  std::optional<Plan> plan = PlanOf(program);
  EXPECT_FALSE(plan);
  EXPECT_EQ(Errors(),
            "requirement not met in step check: a must be 2 first\n"
            "note: fake.value(\"a\") == \"2\" was false\n"
            "note:   fake.value(\"a\") = \"1\"\n");
  EXPECT_EQ(diagnostics_.items().at(0).range.begin.line, 7);
}

TEST_F(PlannerTest, TrueRequireHoldsAndUnknownIsDeferredToApply) {
  fake_->things["a"] = {{"value", "1"}};
  Program program;
  program.resources.push_back(Thing("a", "a"));
  program.steps.push_back(MakeStep(
      "first", {}, {Require(Binary("==", Attr(Ref("a"), "value"), Lit("1")))}, {}));
  // A step's outcome is known only once it has run.
  program.steps.push_back(MakeStep("second", {"first"},
                                   {Require(Binary("==", Ref("first"), Lit("done")))}, {}));
  std::optional<Plan> plan = PlanOf(program);
  ASSERT_TRUE(plan) << Errors();
  EXPECT_EQ(plan->steps[0].requires_.at(0).held_at_plan, std::optional<bool>(true));
  EXPECT_EQ(plan->steps[1].requires_.at(0).held_at_plan, std::nullopt);
}

TEST_F(PlannerTest, RequireSeesThePlannedStateOfEarlierSteps) {
  fake_->things["a"] = {{"value", "1"}};
  Program program;
  program.resources.push_back(Thing("a", "a"));
  program.steps.push_back(MakeStep("set", {}, {Set("a", {A("value", Lit("2"))})}, {"a"}));
  program.steps.push_back(MakeStep(
      "check", {"set"}, {Require(Binary("==", Attr(Ref("a"), "value"), Lit("2")))}, {}));
  std::optional<Plan> plan = PlanOf(program);
  ASSERT_TRUE(plan) << Errors();
  EXPECT_EQ(plan->steps[1].requires_.at(0).held_at_plan, std::optional<bool>(true));
}

TEST_F(PlannerTest, ForEachExpandsResourcesAndStepsAndSerialChainsBatches) {
  Program program;
  Expr nodes = ListOf({Lit("n1"), Lit("n2"), Lit("n3")});
  Resource node = Thing("node", "unused");
  node.attributes[0] = A("id", Attr(Ref("each"), "key"));
  node.for_each = nodes;
  program.resources.push_back(node);
  Step upgrade = MakeStep("upgrade", {}, {}, {"node"});
  Statement set = Set("node", {A("value", Lit("v2"))});
  set.target_index = Attr(Ref("each"), "key");
  upgrade.statements.push_back(set);
  upgrade.for_each = nodes;
  upgrade.serial = 2;
  program.steps.push_back(upgrade);
  program.steps.push_back(MakeStep("done", {"upgrade"}, {}, {}));
  std::optional<Plan> plan = PlanOf(program);
  ASSERT_TRUE(plan) << Errors();
  EXPECT_EQ(plan->resources.count("node[\"n2\"]"), 1u);
  EXPECT_EQ(plan->resources.at("node[\"n2\"]").config.at("id"), Value("n2"));
  ASSERT_EQ(plan->steps.size(), 4u);
  EXPECT_EQ(plan->steps[0].id, "upgrade[\"n1\"]");
  EXPECT_EQ(plan->steps[1].id, "upgrade[\"n2\"]");
  EXPECT_EQ(plan->steps[2].id, "upgrade[\"n3\"]");
  EXPECT_TRUE(plan->steps[0].depends_on.empty());
  EXPECT_TRUE(plan->steps[1].depends_on.empty());
  EXPECT_EQ(plan->steps[2].depends_on,
            (std::vector<std::string>{"upgrade[\"n1\"]", "upgrade[\"n2\"]"}));
  EXPECT_EQ(plan->steps[3].depends_on.size(), 3u);
  EXPECT_EQ(plan->steps[2].operations.at(0).operation.resource.name, "node[\"n3\"]");
  EXPECT_EQ(plan->steps[2].each.Get("key"), Value("n3"));
  EXPECT_EQ(plan->summary.to_add, 3);
  EXPECT_EQ(fake_->calls().size(), 3u);  // three reads, nothing else
}

TEST_F(PlannerTest, IrreversibleRunIsCoveredByAnEarlierSnapshotOfWhatItTouches) {
  fake_->things["db"] = {{"value", "data"}};
  Program program;
  program.resources.push_back(Thing("db", "db"));
  program.steps.push_back(MakeStep("backup", {}, {Snapshot("db")}, {"db"}));
  program.steps.push_back(
      MakeStep("migrate", {"backup"}, {RunAction({A("label", Lit("migrate"))})}, {"db"}));
  program.steps.push_back(MakeStep("notify", {"migrate"}, {RunAction({A("label", Lit("notify"))})}, {}));
  program.steps.push_back(MakeStep(
      "tidy", {"notify"}, {RunAction({A("label", Lit("tidy")), A("undo", Lit("untidy"))})}, {}));
  std::optional<Plan> plan = PlanOf(program);
  ASSERT_TRUE(plan) << Errors();
  const PlannedOperation& snapshot = plan->steps[0].operations.at(0);
  EXPECT_EQ(snapshot.kind, PlannedOperation::Kind::kSnapshot);
  EXPECT_GT(snapshot.estimated_bytes, 0);
  const PlannedOperation& migrate = plan->steps[1].operations.at(0);
  EXPECT_FALSE(migrate.reversible);
  EXPECT_EQ(migrate.covered_by, "backup#0");
  const PlannedOperation& notify = plan->steps[2].operations.at(0);
  EXPECT_FALSE(notify.reversible);
  EXPECT_EQ(notify.covered_by, "");
  EXPECT_TRUE(plan->steps[3].operations.at(0).reversible);
  EXPECT_EQ(plan->summary.steps_total, 4);
  EXPECT_EQ(plan->summary.steps_reversible, 3);
  EXPECT_EQ(plan->summary.irreversible, std::vector<std::string>{"notify: run fake.action"});
  EXPECT_EQ(plan->summary.to_run, 3);
  EXPECT_EQ(plan->summary.snapshots, 1);
}

TEST_F(PlannerTest, PinsAreStableAndChangeWithTheState) {
  fake_->things["a"] = {{"value", "1"}, {"secret", "hunter2"}};
  Program program;
  program.resources.push_back(Thing("a", "a"));
  program.resources.push_back(Thing("b", "b"));
  program.steps.push_back(MakeStep("s", {}, {Set("a", {A("value", Lit("2"))})}, {"a"}));
  std::optional<Plan> one = PlanOf(program);
  std::optional<Plan> two = PlanOf(program);
  ASSERT_TRUE(one && two) << Errors();
  ASSERT_EQ(one->pins.size(), 2u);
  EXPECT_EQ(one->pins[0].resource, "a");
  EXPECT_EQ(one->pins[0].digest.rfind("sha256:", 0), 0u);
  EXPECT_EQ(one->pins[0].digest, two->pins[0].digest);
  EXPECT_NE(one->pins[0].digest, one->pins[1].digest);
  fake_->things["a"]["secret"] = "hunter3";
  std::optional<Plan> drifted = PlanOf(program);
  ASSERT_TRUE(drifted);
  EXPECT_NE(drifted->pins[0].digest, one->pins[0].digest);
  EXPECT_EQ(drifted->pins[1].digest, one->pins[1].digest);
}

TEST_F(PlannerTest, PlanOnlyShownHasNoPinsButTheSameSteps) {
  Program program;
  program.resources.push_back(Thing("a", "a"));
  program.steps.push_back(MakeStep("s", {}, {Set("a", {A("value", Lit("2"))})}, {"a"}));
  PlannerOptions shown;
  shown.pin_states = false;
  std::optional<Plan> unpinned = PlanOf(program, {}, shown);
  std::optional<Plan> pinned = PlanOf(program);
  ASSERT_TRUE(unpinned && pinned) << Errors();
  EXPECT_TRUE(unpinned->pins.empty());
  EXPECT_EQ(pinned->pins.size(), 1u);
  EXPECT_EQ(RenderPlan(*unpinned, {}), RenderPlan(*pinned, {}));
}

TEST_F(PlannerTest, NothingToChangeMeansNoChangesAndNoRunsOrSnapshots) {
  fake_->things["a"] = {{"value", "2"}};
  Program program;
  program.resources.push_back(Thing("a", "a"));
  program.steps.push_back(MakeStep("backup", {}, {Snapshot("a")}, {"a"}));
  program.steps.push_back(MakeStep(
      "set", {"backup"}, {Set("a", {A("value", Lit("2"))}), RunAction({A("label", Lit("restart"))})},
      {"a"}));
  std::optional<Plan> plan = PlanOf(program);
  ASSERT_TRUE(plan) << Errors();
  EXPECT_FALSE(plan->HasChanges());
  EXPECT_TRUE(plan->steps[0].operations.empty());
  ASSERT_EQ(plan->steps[1].operations.size(), 1u);
  EXPECT_EQ(plan->summary.to_run, 0);
  EXPECT_EQ(plan->summary.snapshots, 0);

  fake_->things["a"]["value"] = "1";
  std::optional<Plan> changed = PlanOf(program);
  ASSERT_TRUE(changed);
  EXPECT_TRUE(changed->HasChanges());
  EXPECT_EQ(changed->summary.to_run, 1);
  EXPECT_EQ(changed->summary.snapshots, 1);
}

TEST_F(PlannerTest, InputsTakeDefaultsAreMarkedSensitiveAndAreChecked) {
  Program program;
  Input target{"target", Lit("v1"), "", false, "string", At(2)};
  Input password{"password", std::nullopt, "", true, "string", At(3)};
  program.inputs = {target, password};
  program.resources.push_back(Thing("a", "a", {A("secret", Attr(Ref("input"), "password"))}));
  program.steps.push_back(MakeStep(
      "s", {}, {Set("a", {A("value", Attr(Ref("input"), "target"))})}, {"a"}));
  std::optional<Plan> plan = PlanOf(program, {{"password", Value("pw")}});
  ASSERT_TRUE(plan) << Errors();
  EXPECT_EQ(plan->inputs.at("target"), Value("v1"));
  EXPECT_TRUE(plan->inputs.at("password").sensitive());
  EXPECT_TRUE(plan->resources.at("a").config.at("secret").sensitive());

  EXPECT_FALSE(PlanOf(program));
  EXPECT_EQ(Errors(), "input 'password' is required: give it with --var password=VALUE\n");
  EXPECT_FALSE(PlanOf(program, {{"password", Value(3)}}));
  EXPECT_EQ(Errors(), "input password must be a string, not a number\n");
  EXPECT_FALSE(PlanOf(program, {{"password", Value("pw")}, {"targt", Value("x")}}));
  EXPECT_EQ(Errors(), "unknown input 'targt'\nnote: did you mean target?\n");
}

TEST_F(PlannerTest, AnImportNamesItsResourcesAndNoOthers) {
  // An import's resources are named "<alias>.<name>"; `db` is them, not "dbx" nor "d".
  Program program;
  for (const char* name : {"d", "db.a", "db.b", "dbx"})
    program.resources.push_back(Thing(name, name));
  program.steps.push_back(MakeStep(
      "s", {},
      {Require(Binary("==", Attr(Attr(Ref("db"), "a"), "id"), Lit("db.a")), "", 1),
       Require(Binary("==", Attr(Attr(Ref("db"), "b"), "id"), Lit("db.b")), "", 2),
       Require(Binary("==", Call("length", {Ref("db")}), Lit(2.0)), "", 3)},
      {}));
  std::optional<Plan> plan = PlanOf(program);
  ASSERT_TRUE(plan) << Errors();
  for (const PlannedCheck& check : plan->steps.at(0).requires_)
    EXPECT_EQ(check.held_at_plan, std::optional<bool>(true)) << ExprToString(check.condition);
}

TEST_F(PlannerTest, ReadFailureIsAnErrorNamingTheResource) {
  fake_->FailOn("Read", "a");
  Program program;
  program.resources.push_back(Thing("a", "a"));
  EXPECT_FALSE(PlanOf(program));
  EXPECT_EQ(Errors(), "cannot read a: fake: injected failure of Read a\n");
}

TEST_F(PlannerTest, DependencyCycleIsAnError) {
  Program program;
  program.steps.push_back(MakeStep("a", {"b"}, {}, {}));
  program.steps.push_back(MakeStep("b", {"a"}, {}, {}));
  EXPECT_FALSE(PlanOf(program));
  EXPECT_EQ(Errors(), "dependency cycle: a -> b -> a\n");
}

TEST_F(PlannerTest, GraphDotShowsInstancesAndEdges) {
  Program program;
  program.steps.push_back(MakeStep("a", {}, {}, {}));
  Step b = MakeStep("b", {"a"}, {}, {});
  b.title = "Second";
  program.steps.push_back(b);
  Diagnostics diagnostics;
  auto dot = Planner(registry_, PlannerOptions{}).GraphDot(Share(program), {}, diagnostics);
  ASSERT_TRUE(dot);
  EXPECT_EQ(*dot,
            "digraph steps {\n  rankdir = LR;\n  node [shape = box];\n"
            "  \"a\" [label = \"a\"];\n  \"b\" [label = \"b\\nSecond\"];\n"
            "  \"a\" -> \"b\";\n}\n");
}

}  // namespace
}  // namespace upgrade::testing
