// Integration test that no password leaves the provider: a role with a password connects
// through a DSN that carries it, every verb runs (successes and failures), and the password
// is looked for in every error, state, undo record, snapshot record, blob, and in the argv and
// environment the provider gives pg_dump and pg_restore.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "lang/value_json.h"
#include "providers/postgres/dsn.h"
#include "providers/postgres/pg_test_support.h"

namespace upgrade::postgres {
namespace {

using testing::MigrationsConfig;
using testing::TestContext;
using testing::TestDatabase;
using upgrade::testing::ReadFile;
using upgrade::testing::TempDir;
using upgrade::testing::WriteFile;

constexpr const char* kPassword = "Xq7-secret-Pa55word";
constexpr const char* kRolePassword = "Another-Secret-91z";

// Everything the provider said, as text, to search for the passwords.
struct Transcript {
  std::string text;
  void Add(const std::string& s) { text += s + "\n"; }
  void Add(const Value& v) {
    Add(ValueToJson(v, SecretPolicy::kDigest).dump());
    Add(v.ToDisplay());
  }
  void Add(const State& s) { Add(Value(s.attributes)); }
  void Add(const Change& c) {
    Add(c.before);
    Add(c.after);
    Add(c.private_data);
    for (const auto& note : c.notes) Add(note);
    for (const auto& a : c.attributes) Add(a.name + " " + a.before.ToDisplay() + " " + a.after.ToDisplay());
  }
};

// Wraps pg_dump and pg_restore (via UPGRADE_PG_BIN) to record the argv and the password
// variables each was started with.
class RecordingTools {
 public:
  RecordingTools() {
    for (const char* tool : {"pg_dump", "pg_restore"}) {
      std::string path = dir_.Join(tool);
      WriteFile(path, "#!/bin/sh\n"
                      "echo \"argv: $*\" >> " + dir_.Join("calls.log") + "\n"
                      "echo \"PGPASSWORD=${PGPASSWORD:-unset} PGPASSFILE=${PGPASSFILE:+set}\" >> " +
                          dir_.Join("calls.log") + "\n"
                      "exec /usr/lib/postgresql/15/bin/" + tool + " \"$@\"\n");
      std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    }
    setenv("UPGRADE_PG_BIN", dir_.path().c_str(), 1);
  }
  ~RecordingTools() { unsetenv("UPGRADE_PG_BIN"); }
  std::string Log() const { return ReadFile(dir_.Join("calls.log")); }

 private:
  TempDir dir_;
};

TEST(SecretsIntegrationTest, NoPasswordInAnyErrorStateRecordBlobOrToolArgv) {
  TestDatabase db;
  std::string role = db.name() + "_owner";
  db.Psql("CREATE ROLE " + role + " LOGIN CREATEROLE CREATEDB PASSWORD '" + kPassword + "';"
          "ALTER DATABASE " + db.name() + " OWNER TO " + role + ";"
          "ALTER SCHEMA public OWNER TO " + role + ";");
  DsnParts server = ParseDsn(db.admin_dsn());
  std::string dsn = "postgresql://" + role + ":" + kPassword + "@127.0.0.1:" +
                    server.Get("port") + "/" + db.name();
  RecordingTools tools;
  PostgresProvider provider;
  TestContext test;
  Transcript out;

  // Migrations: one that works, one that fails.
  TempDir dir;
  WriteFile(dir.Join("0001_t.up.sql"), "CREATE TABLE t (secret_ok text);");
  WriteFile(dir.Join("0001_t.down.sql"), "DROP TABLE t;");
  WriteFile(dir.Join("0002_bad.up.sql"), "SELECT missing_column FROM t;");
  ResourceConfig migrations = MigrationsConfig(dsn, dir.path());
  migrations.config["database"].as_map()["url"].MarkSensitive();
  ReadResult read = provider.Read(migrations, test.context);
  out.Add(read.error);
  out.Add(read.state);
  DiffResult diff = provider.Diff({migrations, read.state, {{"version", "0002"}}});
  out.Add(diff.change);
  Operation operation{Operation::Kind::kChange, migrations, diff.change};
  PrepareResult prepare = provider.Prepare(operation, test.context);
  out.Add(prepare.undo);
  ApplyResult apply = provider.Apply(operation, prepare.undo, test.context);
  EXPECT_NE(apply.error, "");
  out.Add(apply.error);
  out.Add(apply.state);
  ReverseResult reverse = provider.Reverse({Operation::Kind::kChange, migrations, prepare.undo},
                                           test.context);
  EXPECT_EQ(reverse.error, "");
  out.Add(reverse.error);
  out.Add(reverse.state);

  // A role whose password is set through the provider.
  ResourceConfig managed{"postgres.role", "reader",
                         {{"url", dsn}, {"name", db.name() + "_reader"}}};
  ReadResult role_read = provider.Read(managed, test.context);
  DiffResult role_diff = provider.Diff(
      {managed, role_read.state, {{"login", true}, {"password", Value(kRolePassword).MarkSensitive()}}});
  out.Add(role_diff.change);
  Operation role_op{Operation::Kind::kChange, managed, role_diff.change};
  PrepareResult role_prepare = provider.Prepare(role_op, test.context);
  out.Add(role_prepare.undo);
  ApplyResult role_apply = provider.Apply(role_op, role_prepare.undo, test.context);
  EXPECT_EQ(role_apply.error, "");
  out.Add(role_apply.state);
  out.Add(provider.Reverse({Operation::Kind::kChange, managed, role_prepare.undo}, test.context).error);

  // Snapshots, functions, and failures that quote the DSN.
  ResourceConfig database{"postgres.database", "db", {{"url", dsn}}};
  SnapshotResult snapshot = provider.Snapshot(database, {}, false, test.context);
  EXPECT_EQ(snapshot.error, "");
  out.Add(snapshot.record);
  std::string restore = provider.Restore(database, snapshot.record, test.context);
  EXPECT_EQ(restore, "");
  out.Add(restore);
  out.Add(provider.Call("postgres.query", {Value(database.config), "SELECT nope"}, test.context).error);
  std::string wrong_port = "postgresql://" + role + ":" + kPassword + "@127.0.0.1:1/" + db.name();
  out.Add(provider.Call("postgres.version", {wrong_port}, test.context).error);
  out.Add(provider.Snapshot({"postgres.database", "db", {{"url", wrong_port}}}, {}, false,
                            test.context).error);
  out.Add(MaskDsn(dsn));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(test.dir.path()))
    if (entry.is_regular_file()) out.Add(ReadFile(entry.path().string()));
  std::string tool_log = tools.Log();

  EXPECT_NE(out.text.find("postgresql://" + role + ":***@127.0.0.1"), std::string::npos);
  EXPECT_EQ(out.text.find(kPassword), std::string::npos);
  EXPECT_EQ(out.text.find(kRolePassword), std::string::npos);
  EXPECT_NE(tool_log.find("argv: --format=custom"), std::string::npos) << tool_log;
  EXPECT_NE(tool_log.find("argv: --create"), std::string::npos) << tool_log;
  EXPECT_EQ(tool_log.find(kPassword), std::string::npos) << tool_log;
  EXPECT_EQ(tool_log.find("PGPASSWORD=unset PGPASSFILE=set"), tool_log.find("PGPASSWORD"));
  EXPECT_EQ(tool_log.find("PGPASSWORD=unset PGPASSFILE=\n"), std::string::npos) << tool_log;
  db.Psql("ALTER DATABASE " + db.name() + " OWNER TO postgres; REASSIGN OWNED BY " + role +
          " TO postgres;");
  upgrade::testing::RunCommand({"/usr/bin/psql", "-X", "-d", db.admin_dsn(), "-c", "DROP ROLE " + role});
}

}  // namespace
}  // namespace upgrade::postgres
