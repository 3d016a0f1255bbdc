// Integration tests of the provider's functions and connection errors: results, parameters
// bound (never spliced), read-only queries, and errors that name the DSN with its password
// masked for an unreachable server, an unknown role and a missing database.
#include <gtest/gtest.h>

#include "providers/postgres/dsn.h"
#include "providers/postgres/pg_test_support.h"

namespace upgrade::postgres {
namespace {

using testing::MigrationsConfig;
using testing::ReadDiffApply;
using testing::TestContext;
using testing::TestDatabase;
using upgrade::testing::TempDir;
using upgrade::testing::WriteFile;

Value Db(const std::string& dsn) { return Value::Map{{"url", dsn}, {"encoding", "UTF8"}}; }

// The DSN of the test server with `user:password`, port and database replaced as given.
std::string Dsn(const std::string& user, const std::string& port, const std::string& db) {
  DsnParts parts = ParseDsn(upgrade::testing::RequireEnv("UPGRADE_TEST_PG_DSN"));
  return "postgresql://" + user + "@127.0.0.1:" + (port.empty() ? parts.Get("port") : port) + "/" +
         db;
}

TEST(FunctionsIntegrationTest, QueryBindsArgumentsAndReturnsRowsAndValue) {
  TestDatabase db;
  db.Psql("CREATE TABLE t (id int, name text); INSERT INTO t VALUES (1, 'a'), (2, 'b');");
  PostgresProvider provider;
  TestContext test;
  CallResult result = provider.Call(
      "postgres.query",
      {Db(db.dsn()), "SELECT $1::text || '!' AS said, $2::int + 1 AS next, $3::bool AS flag",
       "'); DROP TABLE t; --", 41, true},
      test.context);
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.value.Get("value"), Value("'); DROP TABLE t; --!"));
  EXPECT_EQ(result.value.Get("rows"),
            Value(Value::List{Value::Map{
                {"said", "'); DROP TABLE t; --!"}, {"next", 42}, {"flag", true}}}));
  EXPECT_EQ(db.Psql("SELECT count(*) FROM t"), "2\n");

  CallResult rows = provider.Call("postgres.query",
                                  {Db(db.dsn()), "SELECT id, name FROM t ORDER BY id"},
                                  test.context);
  EXPECT_EQ(rows.value.Get("value"), Value(1));
  EXPECT_EQ(rows.value.Get("rows").as_list().size(), 2u);
  CallResult none = provider.Call("postgres.query", {Db(db.dsn()), "SELECT 1 WHERE false"},
                                  test.context);
  EXPECT_TRUE(none.value.Get("value").is_null());
}

TEST(FunctionsIntegrationTest, QueriesCannotWrite) {
  TestDatabase db;
  PostgresProvider provider;
  TestContext test;
  CallResult result =
      provider.Call("postgres.query", {Db(db.dsn()), "CREATE TABLE sneaky (id int)"}, test.context);
  EXPECT_NE(result.error.find("cannot execute CREATE TABLE in a read-only transaction"),
            std::string::npos)
      << result.error;
  EXPECT_EQ(db.Psql("SELECT to_regclass('sneaky') IS NULL"), "t\n");
}

TEST(FunctionsIntegrationTest, ReachableVersionAndMigrationVersion) {
  TestDatabase db;
  PostgresProvider provider;
  TestContext test;
  EXPECT_EQ(provider.Call("postgres.reachable", {Db(db.dsn())}, test.context).value, Value(true));
  EXPECT_EQ(provider.Call("postgres.reachable", {Db(Dsn("postgres", "1", "x"))}, test.context).value,
            Value(false));
  Value version = provider.Call("postgres.version", {Db(db.dsn())}, test.context).value;
  EXPECT_EQ(version.as_string().substr(0, 3), "15.");

  TempDir dir;
  WriteFile(dir.Join("0001_a.up.sql"), "CREATE TABLE a (id int);");
  WriteFile(dir.Join("0002_b.up.sql"), "CREATE TABLE b (id int);");
  ResourceConfig migrations = MigrationsConfig(db.dsn(), dir.path());
  EXPECT_EQ(provider.Call("postgres.migration_version", {Value(migrations.config)}, test.context)
                .value,
            Value("0"));
  Value undo;
  ASSERT_EQ(ReadDiffApply(provider, migrations, {{"version", "0002"}}, test.context, &undo).error,
            "");
  EXPECT_EQ(provider.Call("postgres.migration_version", {Value(migrations.config)}, test.context)
                .value,
            Value("0002"));
  EXPECT_EQ(provider.Call("postgres.migration_version", {Db(db.dsn())}, test.context).value,
            Value("0002"));
}

TEST(ConnectionErrorsIntegrationTest, NameTheDsnMasked) {
  PostgresProvider provider;
  TestContext test;
  std::string unreachable = Dsn("app:hunter22", "1", "shop");
  CallResult call = provider.Call("postgres.query", {Db(unreachable), "SELECT 1"}, test.context);
  EXPECT_EQ(call.error.substr(0, call.error.find(": connection to server")),
            "postgres.query: cannot connect to postgresql://app:***@127.0.0.1:1/shop");
  EXPECT_NE(call.error.find("Connection refused"), std::string::npos) << call.error;

  TempDir empty;
  ResourceConfig resource{"postgres.migrations", "m",
                          {{"database", Db(Dsn("nobody:hunter22", "", "postgres"))},
                           {"dir", empty.path()}}};
  ReadResult read = provider.Read(resource, test.context);
  EXPECT_EQ(read.error.substr(0, read.error.find(": connection to server")),
            "cannot connect to " + MaskDsn(Dsn("nobody:hunter22", "", "postgres")));
  EXPECT_NE(read.error.find("role \"nobody\" does not exist"), std::string::npos) << read.error;

  std::string missing = Dsn("postgres:hunter22", "", "no_such_database");
  SnapshotResult snapshot =
      provider.Snapshot({"postgres.database", "db", {{"url", missing}}}, {}, true, test.context);
  EXPECT_NE(snapshot.error.find("cannot connect to " + MaskDsn(missing)), std::string::npos);
  EXPECT_NE(snapshot.error.find("database \"no_such_database\" does not exist"),
            std::string::npos)
      << snapshot.error;
  for (const auto& error : {call.error, read.error, snapshot.error})
    EXPECT_EQ(error.find("hunter22"), std::string::npos) << error;
}

}  // namespace
}  // namespace upgrade::postgres
