// Integration tests of postgres.migrations against the real server: apply and rollback leave
// schema and data identical, a failing migration is reported at file:line:col and rolled
// back, an edited applied migration is caught, the advisory lock serializes runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "providers/postgres/pg_test_support.h"

namespace upgrade::postgres {
namespace {

using testing::MigrationsConfig;
using testing::ReadDiffApply;
using testing::TestContext;
using testing::TestDatabase;
using upgrade::testing::TempDir;
using upgrade::testing::WriteFile;

// Three migrations: a table, a column with data, an index built outside a transaction.
void WriteThreeMigrations(const TempDir& dir) {
  WriteFile(dir.Join("0001_create_users.up.sql"),
            "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);\n"
            "INSERT INTO users (name) VALUES ('ada'), ('grace');\n");
  WriteFile(dir.Join("0001_create_users.down.sql"), "DROP TABLE users;\n");
  WriteFile(dir.Join("0002_add_email.up.sql"),
            "ALTER TABLE users ADD COLUMN email text;\n"
            "UPDATE users SET email = name || '@example.com';\n"
            "UPDATE accounts SET balance = balance + 1;\n");
  WriteFile(dir.Join("0002_add_email.down.sql"),
            "UPDATE accounts SET balance = balance - 1;\n"
            "ALTER TABLE users DROP COLUMN email;\n");
  WriteFile(dir.Join("0003_index_email.up.sql"),
            "-- upgrade:no-transaction\n"
            "CREATE INDEX CONCURRENTLY users_email ON users (email);\n");
  WriteFile(dir.Join("0003_index_email.down.sql"),
            "-- upgrade:no-transaction\nDROP INDEX CONCURRENTLY users_email;\n");
}

void SeedAccounts(const TestDatabase& db) {
  db.Psql("CREATE TABLE accounts (id int PRIMARY KEY, balance numeric NOT NULL);"
          "INSERT INTO accounts SELECT g, g * 10 FROM generate_series(1, 50) g;");
}

TEST(MigrationsIntegrationTest, ApplyThenRollbackLeavesSchemaAndDataIdentical) {
  TestDatabase db;
  SeedAccounts(db);
  TempDir dir;
  WriteThreeMigrations(dir);
  std::string schema_before = db.SchemaDump();
  auto rows_before = db.RowChecksums();

  PostgresProvider provider;
  TestContext test;
  ResourceConfig resource = MigrationsConfig(db.dsn(), dir.path());
  Value undo;
  Change change;
  ApplyResult apply =
      ReadDiffApply(provider, resource, {{"version", "latest"}}, test.context, &undo, &change);
  ASSERT_EQ(apply.error, "");
  EXPECT_EQ(change.notes, (std::vector<std::string>{
                              "up 0001_create_users", "up 0002_add_email",
                              "up 0003_index_email (no transaction: a failure leaves what ran)"}));
  EXPECT_EQ(apply.state.attributes["version"], Value("0003"));
  EXPECT_EQ(db.Psql("SELECT string_agg(email, ',' ORDER BY id) FROM users"),
            "ada@example.com,grace@example.com\n");
  EXPECT_EQ(db.Psql("SELECT indexname FROM pg_indexes WHERE indexname = 'users_email'"),
            "users_email\n");
  EXPECT_EQ(db.Psql("SELECT string_agg(version, ',' ORDER BY version) FROM upgrade_migrations"),
            "0001,0002,0003\n");
  EXPECT_NE(db.SchemaDump(), schema_before);

  ReverseResult reverse =
      provider.Reverse({Operation::Kind::kChange, resource, undo}, test.context);
  ASSERT_EQ(reverse.error, "");
  EXPECT_EQ(reverse.state.attributes["version"], Value("0"));
  EXPECT_EQ(db.SchemaDump(), schema_before);
  EXPECT_EQ(db.RowChecksums(), rows_before);

  // Reverse is idempotent: a second one (a rollback resumed after a crash) changes nothing.
  ReverseResult again =
      provider.Reverse({Operation::Kind::kChange, resource, undo}, test.context);
  EXPECT_EQ(again.error, "");
  EXPECT_EQ(db.SchemaDump(), schema_before);
}

TEST(MigrationsIntegrationTest, FailureInTheMiddleIsReportedAtFileLineColumnAndRolledBack) {
  TestDatabase db;
  SeedAccounts(db);
  TempDir dir;
  WriteThreeMigrations(dir);
  WriteFile(dir.Join("0004_report.up.sql"),
            "CREATE TABLE report (id int);\n"
            "INSERT INTO report VALUES (1);\n"
            "SELECT nmae FROM users;\n");
  WriteFile(dir.Join("0004_report.down.sql"), "DROP TABLE report;\n");
  WriteFile(dir.Join("0005_never.up.sql"), "CREATE TABLE never (id int);\n");
  WriteFile(dir.Join("0005_never.down.sql"), "DROP TABLE never;\n");
  std::string schema_before = db.SchemaDump();
  auto rows_before = db.RowChecksums();

  PostgresProvider provider;
  TestContext test;
  ResourceConfig resource = MigrationsConfig(db.dsn(), dir.path());
  Value undo;
  ApplyResult apply = ReadDiffApply(provider, resource, {{"version", "0005"}}, test.context, &undo);
  EXPECT_EQ(apply.error, dir.Join("0004_report.up.sql") +
                             ":3:8: error: column \"nmae\" does not exist\n"
                             "note: hint: Perhaps you meant to reference the column \"users.name\".");
  // 0004 rolled back whole (its table too); 0001-0003 stay until the rollback.
  EXPECT_EQ(apply.state.attributes["version"], Value("0003"));
  EXPECT_EQ(db.Psql("SELECT to_regclass('report') IS NULL, to_regclass('never') IS NULL"),
            "t|t\n");

  ReverseResult reverse =
      provider.Reverse({Operation::Kind::kChange, resource, undo}, test.context);
  ASSERT_EQ(reverse.error, "");
  EXPECT_EQ(db.SchemaDump(), schema_before);
  EXPECT_EQ(db.RowChecksums(), rows_before);
}

TEST(MigrationsIntegrationTest, ErrorWithoutPositionPointsAtTheStatement) {
  TestDatabase db;
  TempDir dir;
  WriteFile(dir.Join("1_t.up.sql"),
            "CREATE TABLE t (id int PRIMARY KEY);\n\n"
            "  INSERT INTO t VALUES (1),\n"
            "    (1);\n");
  PostgresProvider provider;
  TestContext test;
  Value undo;
  ApplyResult apply = ReadDiffApply(provider, MigrationsConfig(db.dsn(), dir.path()),
                                    {{"version", "1"}}, test.context, &undo);
  EXPECT_EQ(apply.error, dir.Join("1_t.up.sql") +
                             ":3:3: error: duplicate key value violates unique constraint "
                             "\"t_pkey\"\nnote: Key (id)=(1) already exists.");
  EXPECT_EQ(db.Psql("SELECT to_regclass('t') IS NULL"), "t\n");
}

TEST(MigrationsIntegrationTest, EditedAppliedMigrationIsAnErrorAtPlanTime) {
  TestDatabase db;
  SeedAccounts(db);
  TempDir dir;
  WriteThreeMigrations(dir);
  PostgresProvider provider;
  TestContext test;
  ResourceConfig resource = MigrationsConfig(db.dsn(), dir.path());
  Value undo;
  ASSERT_EQ(ReadDiffApply(provider, resource, {{"version", "0002"}}, test.context, &undo).error, "");

  WriteFile(dir.Join("0001_create_users.up.sql"),
            "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL);\n");
  ReadResult read = provider.Read(resource, test.context);
  EXPECT_EQ(read.error.substr(0, read.error.find(" (applied")),
            dir.Join("0001_create_users.up.sql") +
                ": migration 0001_create_users was changed after it was applied");
}

TEST(MigrationsIntegrationTest, GoingDownRunsDownFilesAndRollbackRunsThemUpAgain) {
  TestDatabase db;
  SeedAccounts(db);
  TempDir dir;
  WriteThreeMigrations(dir);
  PostgresProvider provider;
  TestContext test;
  ResourceConfig resource = MigrationsConfig(db.dsn(), dir.path());
  Value undo;
  ASSERT_EQ(ReadDiffApply(provider, resource, {{"version", "0003"}}, test.context, &undo).error, "");
  std::string schema_at_3 = db.SchemaDump();
  auto rows_at_3 = db.RowChecksums();

  Change change;
  ApplyResult down =
      ReadDiffApply(provider, resource, {{"version", "0001"}}, test.context, &undo, &change);
  ASSERT_EQ(down.error, "");
  EXPECT_EQ(change.notes,
            (std::vector<std::string>{
                "down 0003_index_email (no transaction: a failure leaves what ran)",
                "down 0002_add_email"}));
  EXPECT_EQ(db.Psql("SELECT count(*) FROM information_schema.columns WHERE column_name = 'email'"),
            "0\n");
  ASSERT_EQ(provider.Reverse({Operation::Kind::kChange, resource, undo}, test.context).error, "");
  EXPECT_EQ(db.SchemaDump(), schema_at_3);
  // The re-applied rows of the migrations table carry new applied_at times; the rest is equal.
  auto rows_after = db.RowChecksums();
  rows_after.erase("upgrade_migrations");
  rows_at_3.erase("upgrade_migrations");
  EXPECT_EQ(rows_after, rows_at_3);
  EXPECT_EQ(db.Psql("SELECT string_agg(version, ',' ORDER BY version) FROM upgrade_migrations"),
            "0001,0002,0003\n");
}

TEST(MigrationsIntegrationTest, DiffPlansNothingAtTheCurrentVersion) {
  TestDatabase db;
  SeedAccounts(db);
  TempDir dir;
  WriteThreeMigrations(dir);
  PostgresProvider provider;
  TestContext test;
  ResourceConfig resource = MigrationsConfig(db.dsn(), dir.path());
  Value undo;
  ASSERT_EQ(ReadDiffApply(provider, resource, {{"version", "0002"}}, test.context, &undo).error, "");
  ReadResult read = provider.Read(resource, test.context);
  EXPECT_EQ(provider.Diff({resource, read.state, {{"version", "0002"}}}).change.action,
            ChangeAction::kNone);
  DiffResult missing = provider.Diff({resource, read.state, {{"version", "0009"}}});
  EXPECT_EQ(missing.error, "no migration has version 0009 (in " + dir.path() + ")");
}

TEST(MigrationsIntegrationTest, RelativeDirResolvesAgainstThePlanDirectory) {
  TestDatabase db;
  SeedAccounts(db);
  TempDir plan_dir;
  std::filesystem::create_directories(plan_dir.Join("migrations"));
  TempDir unused;
  WriteThreeMigrations(unused);
  for (const auto& entry : std::filesystem::directory_iterator(unused.path()))
    std::filesystem::copy(entry.path(), plan_dir.Join("migrations"));
  PostgresProvider provider;
  TestContext test;
  test.context.base_dir = plan_dir.path();
  Value undo;
  ApplyResult apply = ReadDiffApply(provider, MigrationsConfig(db.dsn(), "migrations"),
                                    {{"version", "0001"}}, test.context, &undo);
  ASSERT_EQ(apply.error, "");
  EXPECT_EQ(apply.state.attributes["resolved_dir"], Value(plan_dir.Join("migrations")));
  EXPECT_EQ(db.Psql("SELECT count(*) FROM users"), "2\n");
}

TEST(MigrationsIntegrationTest, AdvisoryLockMakesASecondRunWait) {
  TestDatabase db;
  SeedAccounts(db);
  TempDir dir;
  WriteThreeMigrations(dir);
  // Another session holds the lock (as a concurrent run would), and lets go after a while.
  std::thread holder([&] {
    db.Psql("SELECT pg_advisory_lock(1970300786, hashtext('upgrade_migrations')), pg_sleep(1.5)");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  PostgresProvider provider;
  TestContext test;
  Value undo;
  auto start = std::chrono::steady_clock::now();
  ApplyResult apply = ReadDiffApply(provider, MigrationsConfig(db.dsn(), dir.path()),
                                    {{"version", "0001"}}, test.context, &undo);
  auto waited = std::chrono::steady_clock::now() - start;
  holder.join();
  EXPECT_EQ(apply.error, "");
  EXPECT_GE(waited, std::chrono::milliseconds(700));
}

}  // namespace
}  // namespace upgrade::postgres
