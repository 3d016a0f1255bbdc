// Integration tests of snapshots and of postgres.database drops: a pg_dump snapshot restores
// a database after an irreversible DROP (ending the connections still open to it), and a
// dropped database comes back from the dump its Prepare took.
#include <gtest/gtest.h>

#include <thread>

#include "providers/postgres/pg_test_support.h"

namespace upgrade::postgres {
namespace {

using testing::TestContext;
using testing::TestDatabase;
using upgrade::testing::RunCommand;

ResourceConfig DatabaseConfig(const TestDatabase& db) {
  return {"postgres.database", "db", {{"url", db.dsn()}}};
}

void Seed(const TestDatabase& db) {
  db.Psql("CREATE TABLE orders (id int PRIMARY KEY, total numeric, note text);"
          "INSERT INTO orders SELECT g, g * 1.5, 'order ' || g FROM generate_series(1, 500) g;"
          "CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;");
}

TEST(SnapshotIntegrationTest, EstimateIsTheDatabaseSize) {
  TestDatabase db;
  Seed(db);
  PostgresProvider provider;
  TestContext test;
  SnapshotResult estimate = provider.Snapshot(DatabaseConfig(db), {}, true, test.context);
  ASSERT_EQ(estimate.error, "");
  std::string size = db.Psql("SELECT pg_database_size(current_database())");
  EXPECT_EQ(estimate.estimated_bytes, std::stoll(size));
  EXPECT_TRUE(estimate.record.is_null());
}

TEST(SnapshotIntegrationTest, RestoreAfterAnIrreversibleDropBringsEverythingBack) {
  TestDatabase db;
  Seed(db);
  std::string schema_before = db.SchemaDump();
  auto rows_before = db.RowChecksums();
  PostgresProvider provider;
  TestContext test;
  ResourceConfig database = DatabaseConfig(db);
  SnapshotResult snapshot = provider.Snapshot(database, {}, false, test.context);
  ASSERT_EQ(snapshot.error, "");
  EXPECT_GT(snapshot.estimated_bytes, 0);
  EXPECT_EQ(snapshot.record.GetString("blob").substr(0, 7), "sha256:");

  // An action with no undo: irreversible on its own.
  Operation drop;
  drop.kind = Operation::Kind::kAction;
  drop.resource = {"postgres.sql", "drop_orders",
                   {{"database", database.config}, {"sql", "DROP VIEW big_orders; DROP TABLE orders;"}}};
  PrepareResult prepare = provider.Prepare(drop, test.context);
  EXPECT_FALSE(prepare.reversible);
  ASSERT_EQ(provider.Apply(drop, prepare.undo, test.context).error, "");
  db.Psql("CREATE TABLE made_later (id int)");
  EXPECT_EQ(db.Psql("SELECT to_regclass('orders') IS NULL"), "t\n");

  // A client still connected to the database must not stop the restore.
  std::thread idle([&] {
    RunCommand({"/usr/bin/psql", "-X", "-d", db.dsn(), "-c", "SELECT pg_sleep(60)"}, {}, "", "",
               90);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::string restore = provider.Restore(database, snapshot.record, test.context);
  idle.join();
  ASSERT_EQ(restore, "");
  EXPECT_EQ(db.SchemaDump(), schema_before);
  EXPECT_EQ(db.RowChecksums(), rows_before);
}

TEST(SnapshotIntegrationTest, RoleThatMayNotCreateDatabasesRestoresInPlace) {
  TestDatabase db;
  std::string owner = db.name() + "_plain";
  db.Psql("CREATE ROLE " + owner + " LOGIN; ALTER DATABASE " + db.name() + " OWNER TO " + owner +
          "; ALTER SCHEMA public OWNER TO " + owner + ";");
  std::string dsn = db.dsn();
  dsn.replace(dsn.find("://") + 3, dsn.find('@') - dsn.find("://") - 3, owner);
  upgrade::testing::RunCommand({"/usr/bin/psql", "-X", "-d", dsn, "-c",
                                "CREATE TABLE kept (id int); INSERT INTO kept VALUES (7);"});
  PostgresProvider provider;
  TestContext test;
  ResourceConfig database{"postgres.database", "db", {{"url", dsn}}};
  SnapshotResult snapshot = provider.Snapshot(database, {}, false, test.context);
  ASSERT_EQ(snapshot.error, "");
  db.Psql("DROP TABLE kept");
  ASSERT_EQ(provider.Restore(database, snapshot.record, test.context), "");
  EXPECT_EQ(db.Psql("SELECT id FROM kept"), "7\n");
  db.Psql("ALTER DATABASE " + db.name() + " OWNER TO postgres; REASSIGN OWNED BY " + owner +
          " TO postgres;");
  upgrade::testing::RunCommand({"/usr/bin/psql", "-X", "-d", db.admin_dsn(), "-c", "DROP ROLE " + owner});
}

TEST(SnapshotIntegrationTest, DroppedDatabaseComesBackFromThePrepareDump) {
  TestDatabase db;
  Seed(db);
  auto rows_before = db.RowChecksums();
  PostgresProvider provider;
  TestContext test;
  ResourceConfig database = DatabaseConfig(db);
  ReadResult read = provider.Read(database, test.context);
  ASSERT_EQ(read.error, "");
  ASSERT_TRUE(read.state.exists);
  EXPECT_EQ(read.state.attributes["encoding"], Value("UTF8"));
  DiffResult diff = provider.Diff({database, read.state, {{"absent", true}}});
  ASSERT_EQ(diff.error, "");
  EXPECT_EQ(diff.change.action, ChangeAction::kDelete);
  EXPECT_EQ(diff.change.notes,
            std::vector<std::string>{"dumped with pg_dump before the drop, so rollback restores it"});
  Operation operation{Operation::Kind::kChange, database, diff.change};
  PrepareResult prepare = provider.Prepare(operation, test.context);
  ASSERT_EQ(prepare.error, "");
  EXPECT_TRUE(prepare.reversible);
  ApplyResult apply = provider.Apply(operation, prepare.undo, test.context);
  ASSERT_EQ(apply.error, "");
  EXPECT_FALSE(apply.state.exists);
  EXPECT_EQ(RunCommand({"/usr/bin/psql", "-X", "-At", "-d", db.admin_dsn(), "-c",
                        "SELECT count(*) FROM pg_database WHERE datname = '" + db.name() + "'"})
                .out,
            "0\n");

  ReverseResult reverse =
      provider.Reverse({Operation::Kind::kChange, database, prepare.undo}, test.context);
  ASSERT_EQ(reverse.error, "");
  EXPECT_TRUE(reverse.state.exists);
  EXPECT_EQ(db.RowChecksums(), rows_before);
}

TEST(SnapshotIntegrationTest, AllowDestroyDropsWithoutADumpAndSaysItIsIrreversible) {
  TestDatabase db;
  PostgresProvider provider;
  TestContext test;
  ResourceConfig database = DatabaseConfig(db);
  database.config["allow_destroy"] = true;
  ReadResult read = provider.Read(database, test.context);
  DiffResult diff = provider.Diff({database, read.state, {{"absent", true}}});
  Operation operation{Operation::Kind::kChange, database, diff.change};
  PrepareResult prepare = provider.Prepare(operation, test.context);
  EXPECT_EQ(prepare.error, "");
  EXPECT_FALSE(prepare.reversible);
}

TEST(DatabaseIntegrationTest, CreateThenReverseDropsIt) {
  TestDatabase server;
  PostgresProvider provider;
  TestContext test;
  std::string name = server.name() + "_new";
  ResourceConfig database{"postgres.database", "fresh",
                          {{"url", server.dsn()}, {"name", name}, {"encoding", "SQL_ASCII"}}};
  ReadResult read = provider.Read(database, test.context);
  ASSERT_EQ(read.error, "");
  EXPECT_FALSE(read.state.exists);
  DiffResult diff = provider.Diff({database, read.state, {}});
  EXPECT_EQ(diff.change.action, ChangeAction::kCreate);
  Operation operation{Operation::Kind::kChange, database, diff.change};
  PrepareResult prepare = provider.Prepare(operation, test.context);
  ApplyResult apply = provider.Apply(operation, prepare.undo, test.context);
  ASSERT_EQ(apply.error, "");
  EXPECT_EQ(apply.state.attributes["encoding"], Value("SQL_ASCII"));
  EXPECT_EQ(apply.state.attributes["owner"], Value("postgres"));
  ReverseResult reverse =
      provider.Reverse({Operation::Kind::kChange, database, prepare.undo}, test.context);
  ASSERT_EQ(reverse.error, "");
  EXPECT_FALSE(reverse.state.exists);
}

}  // namespace
}  // namespace upgrade::postgres
