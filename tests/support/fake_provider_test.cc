// Tests of the in-memory FakeProvider: the behaviour its header promises, which the planner's
// and executor's tests rely on.
#include "tests/support/fake_provider.h"

#include <gtest/gtest.h>

#include <thread>

namespace upgrade::testing {
namespace {

ResourceConfig Thing(const std::string& id) { return {"fake.thing", id, {{"id", id}}}; }

Operation ChangeOf(const ResourceConfig& resource, const Change& change) {
  Operation operation;
  operation.resource = resource;
  operation.change = change;
  return operation;
}

Operation ActionOf(const std::string& label, const std::string& undo) {
  Operation operation;
  operation.kind = Operation::Kind::kAction;
  operation.resource.type = "fake.action";
  operation.resource.name = "step";
  operation.resource.config["label"] = label;
  if (!undo.empty()) operation.resource.config["undo"] = undo;
  return operation;
}

TEST(FakeProviderTest, DescribesThingActionAndFunction) {
  FakeProvider fake;
  SchemaRegistry registry;
  fake.Describe(registry);
  const ResourceTypeSchema* thing = registry.FindResource("fake.thing");
  ASSERT_NE(thing, nullptr);
  EXPECT_TRUE(thing->snapshot);
  EXPECT_TRUE(thing->Find("id")->identity);
  EXPECT_TRUE(thing->Find("secret")->sensitive);
  EXPECT_TRUE(thing->Find("replace_me")->forces_replacement);
  ASSERT_NE(registry.FindAction("fake.action"), nullptr);
  EXPECT_TRUE(registry.FindAction("fake.action")->Find("label")->required);
  ASSERT_NE(registry.FindFunction("fake.value"), nullptr);
}

TEST(FakeProviderTest, ReadsWhatTheTestPutInThings) {
  FakeProvider fake;
  ProviderContext context;
  fake.things["a"] = {{"value", "1"}, {"secret", "pw"}};
  ReadResult present = fake.Read(Thing("a"), context);
  EXPECT_TRUE(present.state.exists);
  EXPECT_EQ(present.state.attributes.at("value"), Value("1"));
  EXPECT_TRUE(present.state.attributes.at("secret").sensitive());
  ReadResult missing = fake.Read(Thing("b"), context);
  EXPECT_EQ(missing.error, "");
  EXPECT_FALSE(missing.state.exists);
  EXPECT_EQ(fake.calls(), (std::vector<std::string>{"Read a", "Read b"}));
}

TEST(FakeProviderTest, DiffsCreateUpdateReplaceDeleteAndNone) {
  FakeProvider fake;
  State prior{true, {{"value", "1"}, {"replace_me", "x"}}};
  DiffResult create = fake.Diff({Thing("a"), State{}, {{"value", "1"}}});
  EXPECT_EQ(create.change.action, ChangeAction::kCreate);
  ASSERT_EQ(create.change.attributes.size(), 1u);
  EXPECT_TRUE(create.change.attributes[0].before.is_null());

  DiffResult update = fake.Diff({Thing("a"), prior, {{"value", "2"}}});
  EXPECT_EQ(update.change.action, ChangeAction::kUpdate);
  EXPECT_EQ(update.change.after.attributes.at("replace_me"), Value("x"));

  DiffResult replace = fake.Diff({Thing("a"), prior, {{"replace_me", "y"}}});
  EXPECT_EQ(replace.change.action, ChangeAction::kReplace);
  EXPECT_TRUE(replace.change.attributes[0].forces_replacement);

  DiffResult none = fake.Diff({Thing("a"), prior, {{"value", "1"}}});
  EXPECT_EQ(none.change.action, ChangeAction::kNone);
  EXPECT_TRUE(none.change.attributes.empty());

  DiffResult remove = fake.Diff({Thing("a"), prior, {{"absent", true}}});
  EXPECT_EQ(remove.change.action, ChangeAction::kDelete);
  EXPECT_FALSE(remove.change.after.exists);
  EXPECT_EQ(fake.Diff({Thing("a"), State{}, {{"absent", true}}}).change.action,
            ChangeAction::kNone);

  DiffResult secret = fake.Diff({Thing("a"), prior, {{"secret", "pw"}}});
  ASSERT_EQ(secret.change.attributes.size(), 1u);
  EXPECT_TRUE(secret.change.attributes[0].sensitive);
  EXPECT_TRUE(secret.change.after.attributes.at("secret").sensitive());
  EXPECT_TRUE(fake.calls().empty());
}

TEST(FakeProviderTest, ApplyThenReverseRestoresTheThing) {
  FakeProvider fake;
  ProviderContext context;
  fake.things["a"] = {{"value", "1"}};
  Change change = fake.Diff({Thing("a"), State{true, fake.things["a"]}, {{"value", "2"}}}).change;
  Operation operation = ChangeOf(Thing("a"), change);
  PrepareResult prepared = fake.Prepare(operation, context);
  ASSERT_EQ(prepared.error, "");
  EXPECT_TRUE(prepared.reversible);
  ApplyResult applied = fake.Apply(operation, prepared.undo, context);
  ASSERT_EQ(applied.error, "");
  EXPECT_EQ(fake.things["a"].at("value"), Value("2"));
  ReverseResult reversed =
      fake.Reverse({Operation::Kind::kChange, Thing("a"), prepared.undo}, context);
  ASSERT_EQ(reversed.error, "");
  EXPECT_EQ(fake.things["a"].at("value"), Value("1"));
  EXPECT_EQ(fake.calls(), (std::vector<std::string>{"Prepare a", "Apply a", "Reverse a"}));
}

TEST(FakeProviderTest, ReverseOfACreateRemovesTheThing) {
  FakeProvider fake;
  ProviderContext context;
  Change change = fake.Diff({Thing("n"), State{}, {{"value", "v"}}}).change;
  Operation operation = ChangeOf(Thing("n"), change);
  PrepareResult prepared = fake.Prepare(operation, context);
  fake.Apply(operation, prepared.undo, context);
  EXPECT_EQ(fake.things.count("n"), 1u);
  fake.Reverse({Operation::Kind::kChange, Thing("n"), prepared.undo}, context);
  EXPECT_EQ(fake.things.count("n"), 0u);
}

TEST(FakeProviderTest, ActionsRunAndReverseOnlyWithUndo) {
  FakeProvider fake;
  ProviderContext context;
  Operation with_undo = ActionOf("migrate", "unmigrate");
  PrepareResult prepared = fake.Prepare(with_undo, context);
  EXPECT_TRUE(prepared.reversible);
  EXPECT_EQ(fake.Apply(with_undo, prepared.undo, context).error, "");
  Operation without_undo = ActionOf("notify", "");
  PrepareResult bare = fake.Prepare(without_undo, context);
  EXPECT_FALSE(bare.reversible);
  fake.Apply(without_undo, bare.undo, context);
  EXPECT_EQ(fake.actions_run, (std::vector<std::string>{"migrate", "notify"}));

  EXPECT_EQ(fake.Reverse({Operation::Kind::kAction, with_undo.resource, prepared.undo}, context)
                .error,
            "");
  EXPECT_EQ(fake.actions_run, (std::vector<std::string>{"notify"}));
  EXPECT_EQ(fake.Reverse({Operation::Kind::kAction, without_undo.resource, bare.undo}, context)
                .error,
            "action notify has no undo");
  EXPECT_EQ(fake.calls(),
            (std::vector<std::string>{"Prepare migrate", "Run migrate", "Prepare notify",
                                      "Run notify", "ReverseRun migrate", "ReverseRun notify"}));
}

TEST(FakeProviderTest, FailsOnDemandForOneTargetOrAll) {
  FakeProvider fake;
  ProviderContext context;
  fake.FailOn("Apply", "b");
  Change change = fake.Diff({Thing("b"), State{}, {{"value", "1"}}}).change;
  ApplyResult failed = fake.Apply(ChangeOf(Thing("b"), change), Value(), context);
  EXPECT_EQ(failed.error, "fake: injected failure of Apply b");
  EXPECT_EQ(fake.things.count("b"), 0u);
  EXPECT_EQ(fake.Apply(ChangeOf(Thing("c"), change), Value(), context).error, "");
  fake.FailOn("Read", "*");
  EXPECT_EQ(fake.Read(Thing("zz"), context).error, "fake: injected failure of Read zz");
}

TEST(FakeProviderTest, SnapshotRestoresAndEstimatesAreRecordedApart) {
  FakeProvider fake;
  ProviderContext context;
  fake.things["a"] = {{"value", "1"}};
  SnapshotResult estimate = fake.Snapshot(Thing("a"), {}, true, context);
  EXPECT_GT(estimate.estimated_bytes, 0);
  SnapshotResult snapshot = fake.Snapshot(Thing("a"), {}, false, context);
  fake.things["a"]["value"] = "changed";
  EXPECT_EQ(fake.Restore(Thing("a"), snapshot.record, context), "");
  EXPECT_EQ(fake.things["a"].at("value"), Value("1"));
  EXPECT_EQ(fake.calls(),
            (std::vector<std::string>{"Estimate a", "Snapshot a", "Restore a"}));
}

TEST(FakeProviderTest, CallsFakeValue) {
  FakeProvider fake;
  ProviderContext context;
  fake.things["a"] = {{"value", "hello"}};
  EXPECT_EQ(fake.Call("fake.value", {Value("a")}, context).value, Value("hello"));
  EXPECT_TRUE(fake.Call("fake.value", {Value("nope")}, context).value.is_null());
  EXPECT_EQ(fake.Call("fake.other", {}, context).error, "unknown function fake.other");
  EXPECT_EQ(fake.calls(), (std::vector<std::string>{"Call fake.value", "Call fake.value",
                                                    "Call fake.other"}));
}

TEST(FakeProviderTest, DelaysApplyAndCountsConcurrency) {
  FakeProvider fake;
  fake.SetDelay(std::chrono::milliseconds(50));
  Change change = fake.Diff({Thing("x"), State{}, {{"value", "1"}}}).change;
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&fake, &change, i] {
      ProviderContext context;
      std::string id = "t" + std::to_string(i);
      fake.Apply(ChangeOf(Thing(id), change), Value(), context);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(fake.max_concurrent(), 3);
  EXPECT_EQ(fake.things.size(), 3u);
}

}  // namespace
}  // namespace upgrade::testing
