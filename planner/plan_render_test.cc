// Tests of the human plan and the --json document, on plans built by hand.
#include "planner/plan_render.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "planner/ir_builder_test_util.h"

namespace upgrade::testing {
namespace {

PlannedOperation ChangeOp(const std::string& id, const std::string& name, ChangeAction action,
                          std::vector<AttributeChange> attributes) {
  PlannedOperation op;
  op.id = id;
  op.operation.resource = {"fake.thing", name, {{"id", name}}};
  op.operation.change.action = action;
  op.operation.change.attributes = std::move(attributes);
  op.operation.change.before.exists = action != ChangeAction::kCreate;
  op.operation.change.after.exists = action != ChangeAction::kDelete;
  for (const auto& a : op.operation.change.attributes) {
    if (!a.before.is_null()) op.operation.change.before.attributes[a.name] = a.before;
    if (!a.after.is_null()) op.operation.change.after.attributes[a.name] = a.after;
  }
  return op;
}

Plan SamplePlan() {
  Plan plan;
  Program program;
  program.plan.name = "sample";
  program.plan.window = MaintenanceWindow{"Sat 02:00-04:00 UTC", {6}, 120, 240, 0};
  plan.program = Share(program);
  plan.plan_path = "/plans/test.upg";

  PlannedStep backup;
  backup.id = "backup";
  backup.name = "backup";
  backup.title = "Back up the data";
  PlannedOperation snapshot;
  snapshot.kind = PlannedOperation::Kind::kSnapshot;
  snapshot.id = "backup#0";
  snapshot.snapshot_of = {"fake.thing", "db", {}};
  snapshot.estimated_bytes = 3 * 1024 * 1024 / 2;
  backup.operations.push_back(snapshot);

  PlannedStep change;
  change.id = "change";
  change.name = "change";
  change.depends_on = {"backup"};
  PlannedCheck require;
  require.condition = Binary("==", Attr(Ref("db"), "value"), Lit("1"));
  require.held_at_plan = true;
  change.requires_.push_back(require);
  Value secret_before("old-secret");
  Value secret_after("new-secret");
  change.operations.push_back(ChangeOp(
      "change#0", "db", ChangeAction::kUpdate,
      {{"secret", secret_before.MarkSensitive(), secret_after.MarkSensitive(), false, true},
       {"value", "1", "2", false, false}}));
  change.operations.push_back(ChangeOp("change#1", "node", ChangeAction::kReplace,
                                       {{"replace_me", "x", "y", true, false},
                                        {"value", Value(), Value(Unknown{}), false, false}}));
  change.operations.push_back(
      ChangeOp("change#2", "fresh", ChangeAction::kCreate, {{"value", Value(), "new", false, false}}));
  change.operations.push_back(
      ChangeOp("change#3", "old", ChangeAction::kDelete, {{"value", "gone", Value(), false, false}}));
  change.operations.push_back(ChangeOp("change#4", "same", ChangeAction::kNone, {}));
  PlannedCheck verify;
  verify.is_verify = true;
  verify.condition = Call("fake.value", {Lit("db")});
  verify.within = Duration(120000);
  verify.every = Duration(5000);
  change.verifies.push_back(verify);

  PlannedStep notify;
  notify.id = "notify";
  notify.name = "notify";
  notify.depends_on = {"change"};
  PlannedOperation run;
  run.kind = PlannedOperation::Kind::kAction;
  run.id = "notify#0";
  run.operation.kind = Operation::Kind::kAction;
  run.operation.resource = {"fake.action", "notify", {{"label", "ping"}}};
  run.reversible = false;
  notify.operations.push_back(run);

  plan.steps = {backup, change, notify};
  plan.pins = {{"db", "sha256:abc"}};
  plan.summary = {1, 1, 2, 1, 1, 3, 2, {"notify: run fake.action"}};
  plan.inputs["password"] = Value("pw").MarkSensitive();
  plan.created_at = "2026-11-21T09:00:00Z";
  return plan;
}

TEST(PlanRenderTest, HumanPlanShowsEveryKindOfOperation) {
  EXPECT_EQ(RenderPlan(SamplePlan(), {}),
            "Actions are indicated with the following symbols:\n"
            "    + create\n"
            "    ~ update in-place\n"
            "    - destroy\n"
            "  -/+ destroy and then create replacement\n"
            "    ! run\n"
            "    # snapshot\n"
            "\n"
            "upgrade will perform the following steps:\n"
            "\n"
            "Step 1/3: backup \"Back up the data\"\n"
            "  # snapshot db (fake.thing), about 1.5 MiB\n"
            "\n"
            "Step 2/3: change (after backup)\n"
            "    require db.value == \"1\": holds\n"
            "  # db will be updated in-place\n"
            "  ~ resource \"fake.thing\" \"db\" {\n"
            "      ~ secret = (sensitive value)\n"
            "      ~ value  = \"1\" -> \"2\"\n"
            "    }\n"
            "  # node must be replaced\n"
            "  -/+ resource \"fake.thing\" \"node\" {\n"
            "      ~ replace_me = \"x\" -> \"y\" # forces replacement\n"
            "      + value      = (known after apply)\n"
            "    }\n"
            "  # fresh will be created\n"
            "  + resource \"fake.thing\" \"fresh\" {\n"
            "      + value = \"new\"\n"
            "    }\n"
            "  # old will be destroyed\n"
            "  - resource \"fake.thing\" \"old\" {\n"
            "      - value = \"gone\" -> null\n"
            "    }\n"
            "    verify fake.value(\"db\") (within 2m, every 5s)\n"
            "\n"
            "Step 3/3: notify (after change)\n"
            "  ! run fake.action (irreversible: no undo)\n"
            "      label = \"ping\"\n"
            "\n"
            "Plan: 1 to add, 1 to change, 2 to destroy, 1 to run, 1 snapshots.\n"
            "Rollback: 2 of 3 steps reversible; not reversible: notify: run fake.action\n"
            "Window: Sat 02:00-04:00 UTC (no step starts outside it)\n");
}

TEST(PlanRenderTest, NoChangesWhenNothingDiffers) {
  Plan plan = SamplePlan();
  plan.steps.resize(2);
  plan.steps[0].operations.clear();
  plan.steps[1].operations.resize(5);
  plan.steps[1].operations.erase(plan.steps[1].operations.begin(),
                                 plan.steps[1].operations.begin() + 4);
  EXPECT_EQ(RenderPlan(plan, {}), "No changes. The systems already match the plan.\n");
}

TEST(PlanRenderTest, ColorsOnlyWhenAsked) {
  std::string colored = RenderPlan(SamplePlan(), {true});
  EXPECT_NE(colored.find("\033[33m~\033[0m resource"), std::string::npos);
  EXPECT_EQ(RenderPlan(SamplePlan(), {false}).find('\033'), std::string::npos);
}

TEST(PlanRenderTest, JsonHasTerraformLikeActionsAndNoSecrets) {
  std::string text = RenderPlanJson(SamplePlan());
  EXPECT_EQ(text.find("old-secret"), std::string::npos);
  EXPECT_EQ(text.find("new-secret"), std::string::npos);
  EXPECT_EQ(text.find("\"pw\""), std::string::npos);
  nlohmann::json json = nlohmann::json::parse(text);
  EXPECT_EQ(json["format_version"], "1.0");
  EXPECT_EQ(json["window"], "Sat 02:00-04:00 UTC");
  const auto& changes = json["resource_changes"];
  ASSERT_EQ(changes.size(), 5u);
  EXPECT_EQ(changes[0]["address"], "db");
  EXPECT_EQ(changes[0]["change"]["actions"], nlohmann::json({"update"}));
  EXPECT_EQ(changes[0]["change"]["before"]["secret"], "(sensitive value)");
  EXPECT_EQ(changes[0]["change"]["after_sensitive"], nlohmann::json({{"secret", true}}));
  EXPECT_EQ(changes[1]["change"]["actions"], nlohmann::json({"delete", "create"}));
  EXPECT_EQ(changes[1]["change"]["replace_paths"], nlohmann::json({{"replace_me"}}));
  EXPECT_EQ(changes[1]["change"]["after_unknown"], nlohmann::json({{"value", true}}));
  EXPECT_EQ(changes[2]["change"]["actions"], nlohmann::json({"create"}));
  EXPECT_TRUE(changes[2]["change"]["before"].is_null());
  EXPECT_EQ(changes[3]["change"]["actions"], nlohmann::json({"delete"}));
  EXPECT_EQ(changes[4]["change"]["actions"], nlohmann::json({"no-op"}));
  EXPECT_EQ(json["variables"]["password"]["value"], "(sensitive value)");
  const auto& rollback = json["rollback_changes"];
  ASSERT_EQ(rollback.size(), 5u);
  EXPECT_EQ(rollback[0]["operation"], "notify#0");
  EXPECT_EQ(rollback[0]["reversible"], false);
  EXPECT_EQ(rollback[1]["operation"], "change#3");
  EXPECT_EQ(rollback[1]["actions"], nlohmann::json({"create"}));
  EXPECT_EQ(rollback[4]["operation"], "change#0");
  EXPECT_EQ(json["pins"][0]["digest"], "sha256:abc");
  EXPECT_EQ(json["summary"]["destroy"], 2);
  EXPECT_EQ(json["snapshot_changes"][0]["estimated_bytes"], 1572864);
}

TEST(PlanRenderTest, FormatsSizes) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(5LL * 1024 * 1024 * 1024), "5.0 GiB");
}

}  // namespace
}  // namespace upgrade::testing
