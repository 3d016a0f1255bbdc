// Integration tests of postgres.role, postgres.setting, postgres.extension and the
// postgres.sql action against the real server: each change applied, planned again as no
// change, and reversed to exactly what was there.
#include <gtest/gtest.h>

#include "providers/postgres/pg_test_support.h"

namespace upgrade::postgres {
namespace {

using testing::TestContext;
using testing::TestDatabase;

// Read, Diff, Prepare, Apply of one resource; returns the change and Apply's result.
struct Applied {
  Change change;
  PrepareResult prepare;
  ApplyResult apply;
};

Applied ApplyChange(PostgresProvider& provider, const ResourceConfig& resource, const Value::Map& desired,
            ProviderContext& context) {
  Applied out;
  ReadResult read = provider.Read(resource, context);
  EXPECT_EQ(read.error, "");
  DiffResult diff = provider.Diff({resource, read.state, desired});
  EXPECT_EQ(diff.error, "");
  out.change = diff.change;
  Operation operation{Operation::Kind::kChange, resource, diff.change};
  out.prepare = provider.Prepare(operation, context);
  EXPECT_EQ(out.prepare.error, "");
  out.apply = provider.Apply(operation, out.prepare.undo, context);
  return out;
}

ReverseResult Undo(PostgresProvider& provider, const ResourceConfig& resource, const Applied& run,
                   ProviderContext& context) {
  return provider.Reverse({Operation::Kind::kChange, resource, run.prepare.undo}, context);
}

TEST(RoleIntegrationTest, CreatesWithAHashedPasswordAndReversesByDropping) {
  TestDatabase db;
  PostgresProvider provider;
  TestContext test;
  std::string group = db.name() + "_readers", name = db.name() + "_app";
  db.Psql("CREATE ROLE " + group);
  ResourceConfig role{"postgres.role", "app", {{"url", db.dsn()}, {"name", name}}};
  Applied created = ApplyChange(provider, role,
                        {{"login", true}, {"password", Value("Tr0ub4dor&3").MarkSensitive()},
                         {"member_of", Value::List{group}}},
                        test.context);
  ASSERT_EQ(created.apply.error, "");
  EXPECT_EQ(created.change.action, ChangeAction::kCreate);
  EXPECT_EQ(db.Psql("SELECT rolcanlogin, rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid "
                    "WHERE rolname = '" + name + "'"),
            "t|t\n");
  EXPECT_EQ(db.Psql("SELECT pg_has_role('" + name + "', '" + group + "', 'member')"), "t\n");
  EXPECT_TRUE(created.apply.state.attributes["password"].sensitive());

  // The same password again plans no change: it is checked against the SCRAM verifier.
  ReadResult read = provider.Read(role, test.context);
  DiffResult same = provider.Diff({role, read.state, {{"login", true}, {"password", "Tr0ub4dor&3"}}});
  EXPECT_EQ(same.change.action, ChangeAction::kNone);
  DiffResult other = provider.Diff({role, read.state, {{"password", "another one"}}});
  EXPECT_EQ(other.change.action, ChangeAction::kUpdate);
  ASSERT_EQ(other.change.attributes.size(), 1u);
  EXPECT_TRUE(other.change.attributes[0].sensitive);

  ASSERT_EQ(Undo(provider, role, created, test.context).error, "");
  EXPECT_EQ(db.Psql("SELECT count(*) FROM pg_roles WHERE rolname = '" + name + "'"), "0\n");
  db.Psql("DROP ROLE " + group);
}

TEST(RoleIntegrationTest, UpdateIsReversedToTheOldVerifierAndAttributes) {
  TestDatabase db;
  PostgresProvider provider;
  TestContext test;
  std::string name = db.name() + "_svc";
  db.Psql("CREATE ROLE " + name + " LOGIN CREATEDB PASSWORD 'first-password'");
  std::string verifier = db.Psql("SELECT rolpassword FROM pg_authid WHERE rolname = '" + name + "'");
  ResourceConfig role{"postgres.role", "svc", {{"url", db.dsn()}, {"name", name}}};
  Applied updated = ApplyChange(provider, role,
                        {{"createdb", false}, {"password", "second-password"},
                         {"connection_limit", 5}},
                        test.context);
  ASSERT_EQ(updated.apply.error, "");
  EXPECT_EQ(db.Psql("SELECT rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname = '" + name + "'"),
            "f|5\n");
  EXPECT_NE(db.Psql("SELECT rolpassword FROM pg_authid WHERE rolname = '" + name + "'"), verifier);
  ASSERT_EQ(Undo(provider, role, updated, test.context).error, "");
  EXPECT_EQ(db.Psql("SELECT rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname = '" + name + "'"),
            "t|-1\n");
  EXPECT_EQ(db.Psql("SELECT rolpassword FROM pg_authid WHERE rolname = '" + name + "'"), verifier);
  db.Psql("DROP ROLE " + name);
}

TEST(SettingIntegrationTest, AltersSystemReloadsAndReverses) {
  TestDatabase db;
  PostgresProvider provider;
  TestContext test;
  ResourceConfig setting{"postgres.setting", "work_mem",
                         {{"url", db.dsn()}, {"name", "work_mem"}}};
  std::string before = db.Psql("SHOW work_mem");
  Applied changed = ApplyChange(provider, setting, {{"value", "12MB"}}, test.context);
  ASSERT_EQ(changed.apply.error, "");
  EXPECT_EQ(changed.change.action, ChangeAction::kUpdate);
  EXPECT_TRUE(changed.change.notes.empty());
  EXPECT_EQ(db.Psql("SHOW work_mem"), "12MB\n");
  // 12MB is 12288 kB: the same value in the setting's own unit plans nothing.
  ReadResult read = provider.Read(setting, test.context);
  EXPECT_EQ(provider.Diff({setting, read.state, {{"value", "12288"}}}).change.action,
            ChangeAction::kNone);
  ASSERT_EQ(Undo(provider, setting, changed, test.context).error, "");
  db.Psql("SELECT pg_sleep(0.3)");
  EXPECT_EQ(db.Psql("SHOW work_mem"), before);
}

TEST(SettingIntegrationTest, RestartSettingsAreFlaggedInThePlan) {
  TestDatabase db;
  PostgresProvider provider;
  TestContext test;
  ResourceConfig setting{"postgres.setting", "conns",
                         {{"url", db.dsn()}, {"name", "max_connections"}}};
  ReadResult read = provider.Read(setting, test.context);
  ASSERT_EQ(read.error, "");
  DiffResult diff = provider.Diff({setting, read.state, {{"value", 321}}});
  EXPECT_EQ(diff.change.action, ChangeAction::kUpdate);
  EXPECT_EQ(diff.change.notes, std::vector<std::string>{"needs a server restart to take effect"});
  EXPECT_EQ(diff.change.after.attributes["pending_restart"], Value(true));
}

TEST(ExtensionIntegrationTest, InstallsUpdatesAndSaysWhenThereIsNoWayBack) {
  TestDatabase db;
  PostgresProvider provider;
  TestContext test;
  ResourceConfig extension{"postgres.extension", "citext",
                           {{"database", Value::Map{{"url", db.dsn()}}}, {"name", "citext"}}};
  Applied created = ApplyChange(provider, extension, {{"version", "1.4"}}, test.context);
  ASSERT_EQ(created.apply.error, "");
  EXPECT_EQ(db.Psql("SELECT extversion FROM pg_extension WHERE extname = 'citext'"), "1.4\n");
  Applied updated = ApplyChange(provider, extension, {{"version", "1.6"}}, test.context);
  ASSERT_EQ(updated.apply.error, "");
  EXPECT_EQ(db.Psql("SELECT extversion FROM pg_extension WHERE extname = 'citext'"), "1.6\n");
  EXPECT_FALSE(updated.prepare.reversible);  // citext ships no 1.6 -> 1.4 script
  ASSERT_EQ(Undo(provider, extension, created, test.context).error, "");
  EXPECT_EQ(db.Psql("SELECT count(*) FROM pg_extension WHERE extname = 'citext'"), "0\n");
}

TEST(SqlActionIntegrationTest, RunsInATransactionAndUndoesOnlyWhatCommitted) {
  TestDatabase db;
  db.Psql("CREATE TABLE prices (id int, amount int); INSERT INTO prices VALUES (1, 10);");
  PostgresProvider provider;
  TestContext test;
  Operation action;
  action.kind = Operation::Kind::kAction;
  action.resource = {"postgres.sql", "raise",
                     {{"url", db.dsn()},
                      {"sql", "UPDATE prices SET amount = amount * 2;\n"},
                      {"undo", "UPDATE prices SET amount = amount / 2;"}}};
  PrepareResult prepare = provider.Prepare(action, test.context);
  EXPECT_TRUE(prepare.reversible);
  ApplyResult apply = provider.Apply(action, prepare.undo, test.context);
  ASSERT_EQ(apply.error, "");
  EXPECT_EQ(db.Psql("SELECT amount FROM prices"), "20\n");
  ASSERT_EQ(provider.Reverse({Operation::Kind::kAction, action.resource, apply.undo}, test.context)
                .error,
            "");
  EXPECT_EQ(db.Psql("SELECT amount FROM prices"), "10\n");

  // A failing script leaves nothing behind, and its undo must not run.
  action.resource.config["sql"] = "UPDATE prices SET amount = amount * 2;\nSELECT 1/0;\n";
  prepare = provider.Prepare(action, test.context);
  apply = provider.Apply(action, prepare.undo, test.context);
  EXPECT_EQ(apply.error, "raise.sql:2:1: error: division by zero");
  ASSERT_EQ(provider.Reverse({Operation::Kind::kAction, action.resource, prepare.undo}, test.context)
                .error,
            "");
  EXPECT_EQ(db.Psql("SELECT amount FROM prices"), "10\n");
}

}  // namespace
}  // namespace upgrade::postgres
