// Tests of plan files: a round trip keeps what apply needs, no secret is ever written, and a
// saved plan is refused when the systems changed or a secret is given wrong.
#include "planner/plan_file.h"

#include <gtest/gtest.h>

#include "planner/ir_builder_test_util.h"
#include "planner/planner.h"
#include "providers/registry.h"
#include "tests/support/fake_provider.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

class PlanFileTest : public ::testing::Test {
 protected:
  PlanFileTest() {
    auto fake = std::make_unique<FakeProvider>();
    fake_ = fake.get();
    registry_.Add(std::move(fake));
    fake_->things["a"] = {{"value", "1"}, {"secret", "stored-secret"}};
    Program program;
    program.inputs.push_back({"password", std::nullopt, "", true, "string", At(2)});
    program.plan.window = MaintenanceWindow{"Sat 02:00-04:00 UTC", {6}, 120, 240, 0};
    program.resources.push_back(Thing("a", "a"));
    program.steps.push_back(MakeStep(
        "s", {}, {Require(Binary("==", Attr(Ref("a"), "value"), Lit("1")), "", 5),
                  Set("a", {A("value", Lit("2")), A("secret", Attr(Ref("input"), "password"))})},
        {"a"}));
    program_ = Share(program);
  }

  std::optional<Plan> Make(const std::string& password) {
    PlannerOptions options;
    options.sources["/plans/test.upg"] = "plan \"t\" {}\n";
    return Planner(registry_, options)
        .Run(program_, {{"password", Value(password)}}, diagnostics_);
  }

  ProviderRegistry registry_;
  FakeProvider* fake_ = nullptr;
  std::shared_ptr<const Program> program_;
  Diagnostics diagnostics_;
  TempDir dir_;
};

TEST_F(PlanFileTest, RoundTripKeepsStepsPinsProgramAndSources) {
  std::optional<Plan> plan = Make("input-secret");
  ASSERT_TRUE(plan);
  std::string path = dir_.Join("plan.json");
  ASSERT_EQ(SavePlanFile(*plan, path), "");
  Diagnostics diagnostics;
  std::optional<Plan> loaded = LoadPlanFile(path, diagnostics);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->sources, plan->sources);
  ASSERT_EQ(loaded->steps.size(), 1u);
  EXPECT_EQ(loaded->steps[0].requires_.at(0).range.begin.line, 5);
  EXPECT_EQ(ExprToString(loaded->steps[0].requires_.at(0).condition), "a.value == \"1\"");
  EXPECT_EQ(loaded->steps[0].operations.at(0).operation.change.action, ChangeAction::kUpdate);
  ASSERT_EQ(loaded->pins.size(), 1u);
  EXPECT_EQ(loaded->pins[0].digest, plan->pins[0].digest);
  ASSERT_TRUE(loaded->program);
  EXPECT_EQ(loaded->program->plan.window->text, "Sat 02:00-04:00 UTC");
  EXPECT_EQ(loaded->program->steps.at(0).touches, std::vector<std::string>{"a"});
  EXPECT_EQ(loaded->summary.to_change, 1);
  EXPECT_TRUE(loaded->inputs.at("password").sensitive());
}

TEST_F(PlanFileTest, TheFileNeverHoldsASecret) {
  std::optional<Plan> plan = Make("input-secret");
  ASSERT_TRUE(plan);
  std::string text = PlanFileJson(*plan);
  EXPECT_EQ(text.find("input-secret"), std::string::npos);
  EXPECT_EQ(text.find("stored-secret"), std::string::npos);
  EXPECT_NE(text.find("$sensitive"), std::string::npos);
}

TEST_F(PlanFileTest, ReplanSavedGivesThePlanWithItsSecretsWhenNothingChanged) {
  std::optional<Plan> plan = Make("input-secret");
  ASSERT_TRUE(plan);
  std::string path = dir_.Join("plan.json");
  ASSERT_EQ(SavePlanFile(*plan, path), "");
  Diagnostics diagnostics;
  std::optional<Plan> fresh = ReplanSaved(path, {{"password", Value("input-secret")}}, registry_,
                                          PlannerOptions{}, diagnostics);
  ASSERT_TRUE(fresh) << (diagnostics.empty() ? "" : diagnostics.items()[0].message);
  const Change& change = fresh->steps[0].operations.at(0).operation.change;
  EXPECT_EQ(change.after.attributes.at("secret").as_string(), "input-secret");
}

TEST_F(PlanFileTest, ReplanSavedRefusesAStalePlanNamingTheResource) {
  std::optional<Plan> plan = Make("input-secret");
  std::string path = dir_.Join("plan.json");
  ASSERT_EQ(SavePlanFile(*plan, path), "");
  fake_->things["a"]["value"] = "changed";
  Diagnostics diagnostics;
  EXPECT_FALSE(ReplanSaved(path, {{"password", Value("input-secret")}}, registry_,
                           PlannerOptions{}, diagnostics));
  ASSERT_FALSE(diagnostics.empty());
  // The require no longer holds either; the stale pin is what names the resource.
  bool named = false;
  for (const Diagnostic& d : diagnostics.items())
    named = named || d.message == "saved plan is stale: a has changed since the plan was made; "
                                  "plan again";
  EXPECT_TRUE(named);
}

TEST_F(PlanFileTest, ReplanSavedRefusesAWrongSecret) {
  std::optional<Plan> plan = Make("input-secret");
  std::string path = dir_.Join("plan.json");
  ASSERT_EQ(SavePlanFile(*plan, path), "");
  Diagnostics diagnostics;
  EXPECT_FALSE(ReplanSaved(path, {{"password", Value("other")}}, registry_, PlannerOptions{},
                           diagnostics));
  ASSERT_EQ(diagnostics.items().size(), 1u);
  EXPECT_EQ(diagnostics.items()[0].message,
            "sensitive input password differs from the value the plan was made with");
}

TEST_F(PlanFileTest, ReplanSavedRefusesAPlanWhoseOperationsWouldDiffer) {
  std::optional<Plan> plan = Make("input-secret");
  std::string path = dir_.Join("plan.json");
  ASSERT_EQ(SavePlanFile(*plan, path), "");
  Diagnostics diagnostics;
  std::optional<Plan> saved = LoadPlanFile(path, diagnostics);
  ASSERT_TRUE(saved);
  // As if the reviewed plan had set another value: the plan made now would not do that.
  for (AttributeChange& a : saved->steps[0].operations.at(0).operation.change.attributes) {
    if (a.name == "value") a.after = Value("3");
  }
  EXPECT_FALSE(ReplanSaved(*saved, path, {{"password", Value("input-secret")}}, registry_,
                           PlannerOptions{}, diagnostics));
  ASSERT_EQ(diagnostics.items().size(), 1u);
  EXPECT_EQ(diagnostics.items()[0].message,
            "saved plan is stale: step s would not do what was planned; plan again");
}

TEST_F(PlanFileTest, LoadRefusesGarbageAndNewerFormats) {
  std::string path = dir_.Join("bad.json");
  WriteFile(path, "not json");
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadPlanFile(path, diagnostics));
  EXPECT_EQ(diagnostics.items().at(0).message,
            "not a plan file (as written by upgrade plan --out)");
  WriteFile(path, "{\"kind\": \"upgrade-plan\", \"format_version\": 99}");
  Diagnostics newer;
  EXPECT_FALSE(LoadPlanFile(path, newer));
  EXPECT_EQ(newer.items().at(0).message,
            "plan file format 99 is newer than this upgrade (2)");
  WriteFile(path, "{\"kind\": \"upgrade-plan\", \"format_version\": 1, \"steps\": []}");
  Diagnostics older;
  EXPECT_FALSE(LoadPlanFile(path, older));
  EXPECT_EQ(older.items().at(0).message,
            "plan file format 1 is older than this upgrade (2): make the plan again with "
            "upgrade plan");
}

// A plan with every kind of operation and every member away from its default, built by hand.
Plan EveryKindOfOperation() {
  Plan plan;
  plan.plan_path = "/plans/all.upg";
  plan.state_dir = "/plans/.upgrade";
  plan.created_at = "2026-11-21T12:00:00Z";
  plan.sources["/plans/all.upg"] = "plan \"all\" {}\n";
  plan.inputs["n"] = Value(3.0);
  plan.resources["dir"] = {"fs.directory", "dir", {{"path", Value("/d")}}};
  plan.resources["f[\"x\"]"] = {"fs.file", "f[\"x\"]", {{"path", Value("/d/x")}}};
  plan.refreshed["dir"] = State{true, {{"mode", Value("0755")}}};
  plan.refreshed["f[\"x\"]"] = State{};
  PlannedStep step;
  step.id = "up[\"x\"]";
  step.name = "up";
  step.title = "Up";
  step.each = Value(Value::Map{{"key", Value("x")}, {"value", Value(1.5)}});
  step.depends_on = {"before"};
  PlannedCheck require;
  require.condition = Lit(true);
  require.held_at_plan = true;
  require.range = At(3);
  PlannedCheck verify;
  verify.is_verify = true;
  verify.condition = Lit(false);
  verify.message = "up";
  verify.within = Duration(30000);
  verify.every = Duration(1000);
  step.requires_ = {require};
  step.verifies = {verify};
  PlannedOperation snapshot;
  snapshot.kind = PlannedOperation::Kind::kSnapshot;
  snapshot.id = "up[\"x\"]#0";
  snapshot.snapshot_of = plan.resources["dir"];
  snapshot.snapshot_options = {{"keep", Value(true)}};
  snapshot.estimated_bytes = 4096;
  PlannedOperation change;
  change.id = "up[\"x\"]#1";
  change.operation.resource = plan.resources["f[\"x\"]"];
  change.operation.change.action = ChangeAction::kReplace;
  // Values as the states hold them (left out of the file), and others (written).
  change.operation.change.attributes = {{"content", Value(), Value("x\n"), true, false},
                                        {"gone", Value("old"), Value(), false, false},
                                        {"mode", Value("0600"), Value("0644"), false, true}};
  change.operation.change.before = State{true, {{"gone", Value("old")}}};
  change.operation.change.after = State{true, {{"content", Value("x\n")}, {"mode", Value("0755")}}};
  change.operation.change.private_data = Value(Value::Map{{"content", Value("x\n")}});
  change.operation.change.notes = {"a note"};
  PlannedOperation action;
  action.kind = PlannedOperation::Kind::kAction;
  action.operation.kind = Operation::Kind::kAction;
  action.id = "up[\"x\"]#2";
  action.operation.resource = {"exec.command", step.id,
                               {{"argv", Value(Value::List{Value("true")})}}};
  action.reversible = false;
  action.covered_by = snapshot.id;
  step.operations = {snapshot, change, action};
  plan.steps.push_back(step);
  plan.pins.push_back({"dir", PinDigest(plan.refreshed["dir"])});
  plan.summary = {1, 0, 1, 1, 1, 1, 1, {}};
  // A program with every kind of expression, a for_each step with `after` and `serial`.
  Program program;
  program.path = "/plans/all.upg";
  program.plan.name = "all";
  program.plan.on_failure = OnFailure::kStop;
  program.inputs.push_back({"n", Lit(3.0), "how many", false, "number", At(2)});
  Expr map;
  map.kind = Expr::Kind::kMap;
  map.keys = {"a", "b"};
  map.operands = {Lit("x"), ListOf({Lit(1.0), Lit(Value())})};
  Expr negative;
  negative.kind = Expr::Kind::kUnary;
  negative.name = "-";
  negative.operands = {Attr(Ref("input"), "n")};
  program.lets.push_back({"m", map, At(3)});
  program.resources.push_back(Thing("t", "t"));
  Step source = MakeStep("up", {"before"},
                         {Require(Binary("==", Index(Ref("m"), Lit("a")), Lit("x")), "a is x", 4),
                          Set("t", {A("value", Call("upper", {negative}))}, 5),
                          Verify(Lit(true), Duration(30000), Duration(1000))},
                         {"t"});
  source.title = "Up";
  source.for_each = ListOf({Lit("x")});
  source.serial = 1;
  program.steps.push_back(source);
  plan.program = Share(program);
  return plan;
}

TEST_F(PlanFileTest, RoundTripKeepsEveryMemberOfEveryKindOfOperation) {
  Plan plan = EveryKindOfOperation();
  std::string path = dir_.Join("all.json");
  ASSERT_EQ(SavePlanFile(plan, path), "");
  Diagnostics diagnostics;
  std::optional<Plan> loaded = LoadPlanFile(path, diagnostics);
  ASSERT_TRUE(loaded) << (diagnostics.empty() ? "" : diagnostics.items()[0].message);
  // Written again, the loaded plan is the same file: nothing was lost or defaulted wrongly.
  EXPECT_EQ(PlanFileJson(*loaded), PlanFileJson(plan));
  ASSERT_TRUE(loaded->program);
  const Step& source = loaded->program->steps.at(0);
  EXPECT_EQ(ExprToString(source.statements.at(0).condition.value()), "m[\"a\"] == \"x\"");
  EXPECT_EQ(ExprToString(source.statements.at(1).attributes.at(0).value), "upper(-input.n)");
  EXPECT_EQ(ExprToString(loaded->program->lets.at(0).value), "{ a = \"x\", b = [1, null] }");
  EXPECT_EQ(source.serial, 1);
  EXPECT_EQ(loaded->program->plan.on_failure, OnFailure::kStop);
  const PlannedStep& step = loaded->steps.at(0);
  EXPECT_EQ(step.name, "up");
  EXPECT_EQ(step.verifies.at(0).within, Duration(30000));
  EXPECT_EQ(step.requires_.at(0).held_at_plan, std::optional<bool>(true));
  const PlannedOperation& snapshot = step.operations.at(0);
  EXPECT_EQ(snapshot.kind, PlannedOperation::Kind::kSnapshot);
  EXPECT_EQ(snapshot.estimated_bytes, 4096);
  EXPECT_EQ(snapshot.snapshot_of.name, "dir");
  const PlannedOperation& change = step.operations.at(1);
  EXPECT_EQ(change.operation.resource.name, "f[\"x\"]");
  EXPECT_EQ(change.operation.resource.config.at("path"), Value("/d/x"));
  EXPECT_TRUE(change.reversible);
  EXPECT_EQ(change.estimated_bytes, -1);
  const std::vector<AttributeChange>& attributes = change.operation.change.attributes;
  ASSERT_EQ(attributes.size(), 3u);
  EXPECT_TRUE(attributes[0].forces_replacement);
  EXPECT_TRUE(attributes[0].before.is_null());
  EXPECT_EQ(attributes[0].after, Value("x\n"));
  EXPECT_EQ(attributes[1].before, Value("old"));
  EXPECT_TRUE(attributes[1].after.is_null());
  EXPECT_EQ(attributes[2].before, Value("0600"));
  EXPECT_EQ(attributes[2].after, Value("0644"));
  EXPECT_TRUE(attributes[2].sensitive);
  EXPECT_EQ(change.operation.change.private_data.Get("content"), Value("x\n"));
  const PlannedOperation& action = step.operations.at(2);
  EXPECT_EQ(action.operation.kind, Operation::Kind::kAction);
  EXPECT_FALSE(action.reversible);
  EXPECT_EQ(action.covered_by, "up[\"x\"]#0");
  EXPECT_EQ(action.operation.resource.type, "exec.command");
}

}  // namespace
}  // namespace upgrade::testing
