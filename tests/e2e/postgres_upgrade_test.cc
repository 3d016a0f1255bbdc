// End-to-end tests of the postgres provider through the `upgrade` binary: the example plan
// planned, applied and rolled back (schema, rows and the setting back as they were), a failing
// migration rolled back automatically with its file:line:col shown, and no password in any
// output or in the state directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "tests/e2e/engine_e2e_util.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

constexpr const char* kPassword = "E2e-Secret-pw-4417";

std::string Psql(const std::string& dsn, const std::string& sql) {
  CommandResult result =
      RunCommand({"/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql});
  EXPECT_EQ(result.exit_code, 0) << result.err << "\nSQL: " << sql;
  return result.out;
}

// A database of its own, owned by a superuser role with a password, both dropped afterwards.
class PostgresE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = RequireEnv("UPGRADE_TEST_PG_DSN");
    static std::atomic<int> counter{0};
    name_ = "pge2e_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    Psql(admin_, "CREATE ROLE " + name_ + " LOGIN SUPERUSER PASSWORD '" + kPassword + "'");
    Psql(admin_, "CREATE DATABASE " + name_ + " OWNER " + name_);
    std::string host_port = admin_.substr(admin_.find('@') + 1);
    host_port = host_port.substr(0, host_port.find('/'));
    dsn_ = "postgresql://" + name_ + ":" + kPassword + "@" + host_port + "/" + name_;
    masked_ = "postgresql://" + name_ + ":***@" + host_port + "/" + name_;
    Psql(dsn_, "ALTER SYSTEM RESET work_mem");
    Psql(dsn_, "SELECT pg_reload_conf()");
  }
  void TearDown() override {
    Psql(admin_, "ALTER SYSTEM RESET work_mem");
    Psql(admin_, "SELECT pg_reload_conf()");
    Psql(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    Psql(admin_, "DROP ROLE IF EXISTS " + name_);
  }

  CommandResult Upgrade(std::vector<std::string> args) {
    args.insert(args.begin(), UpgradeBinary());
    CommandResult result = RunCommand(args, {{"NO_COLOR", "1"}});
    transcript_ += result.out + result.err;
    return result;
  }

  std::string SchemaDump() {
    CommandResult dump = RunCommand({"/usr/bin/pg_dump", "--schema-only", "-d", admin_.substr(0, admin_.rfind('/')) + "/" + name_});
    EXPECT_EQ(dump.exit_code, 0) << dump.err;
    std::istringstream in(dump.out);
    std::string line, out;
    while (std::getline(in, line))
      if (!line.empty() && line.rfind("--", 0) != 0 && line.rfind("\\restrict", 0) != 0 &&
          line.rfind("\\unrestrict", 0) != 0)
        out += line + "\n";
    return out;
  }

  std::string admin_, name_, dsn_, masked_, transcript_;
  TempDir state_;
};

TEST_F(PostgresE2eTest, ExamplePlanAppliesWithoutShowingThePassword) {
  std::string plan = SourceDir() + "/examples/postgres/upgrade.upg";
  CommandResult planned = Upgrade({"plan", plan, "--var", "dsn=" + dsn_, "--state", state_.path()});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_NE(planned.out.find("up 0001_create_products"), std::string::npos) << planned.out;
  EXPECT_NE(planned.out.find("up 0003_index_sku (no transaction"), std::string::npos);

  CommandResult apply = Upgrade({"apply", plan, "--var", "dsn=" + dsn_, "--state", state_.path(),
                                 "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  // The provider's progress, told as the step's (the first report at once, without a terminal).
  EXPECT_NE(apply.out.find("step migrate: 1 of 3: up 0001_create_products\n"), std::string::npos)
      << apply.out;
  EXPECT_EQ(Psql(dsn_, "SELECT string_agg(sku, ',' ORDER BY id) FROM products"),
            "SKU-00001,SKU-00002,SKU-00003\n");
  EXPECT_EQ(Psql(dsn_, "SELECT string_agg(version, ',' ORDER BY version) FROM upgrade_migrations"),
            "0001,0002,0003\n");
  EXPECT_EQ(Psql(dsn_, "SHOW work_mem"), "16MB\n");
  EXPECT_EQ(transcript_.find(kPassword), std::string::npos) << transcript_;
  EXPECT_EQ(AllBytesUnder(state_.path()).find(kPassword), std::string::npos);
}

// `upgrade rollback` takes no inputs, and a sensitive input is kept only as a digest, so this
// copy of the example passes a DSN without a password through an input that is not sensitive.
TEST_F(PostgresE2eTest, ExamplePlanRollsBackExactly) {
  TempDir copy;
  std::filesystem::copy(SourceDir() + "/examples/postgres", copy.path(),
                        std::filesystem::copy_options::recursive);
  std::string text = ReadFile(copy.Join("upgrade.upg"));
  text.replace(text.find("  sensitive   = true\n"), 21, "");
  WriteFile(copy.Join("upgrade.upg"), text);
  std::string dsn = admin_.substr(0, admin_.rfind('/')) + "/" + name_;
  Psql(dsn, "CREATE TABLE customers (id int PRIMARY KEY); INSERT INTO customers VALUES (1), (2);");
  std::string schema_before = SchemaDump();
  std::string work_mem_before = Psql(dsn, "SHOW work_mem");
  CommandResult apply = Upgrade({"apply", copy.Join("upgrade.upg"), "--var", "dsn=" + dsn, "--state",
                                 state_.path(), "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(SchemaDump(), schema_before);
  CommandResult rollback = Upgrade({"rollback", "--state", state_.path(), "--auto-approve"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(SchemaDump(), schema_before);
  EXPECT_EQ(Psql(dsn, "SELECT count(*) FROM customers"), "2\n");
  EXPECT_EQ(Psql(dsn, "SHOW work_mem"), work_mem_before);
}

TEST_F(PostgresE2eTest, FailingMigrationIsShownAtItsLineAndRolledBackAutomatically) {
  TempDir dir;
  std::filesystem::create_directories(dir.Join("migrations"));
  WriteFile(dir.Join("migrations/0001_ok.up.sql"), "CREATE TABLE ok (id int);\n");
  WriteFile(dir.Join("migrations/0001_ok.down.sql"), "DROP TABLE ok;\n");
  WriteFile(dir.Join("migrations/0002_bad.up.sql"),
            "CREATE TABLE half (id int);\nSELECT idd FROM ok;\n");
  WriteFile(dir.Join("migrations/0002_bad.down.sql"), "DROP TABLE half;\n");
  WriteFile(dir.Join("plan.upg"),
            "plan \"failing\" { on_failure = rollback }\n"
            "input dsn { sensitive = true }\n"
            "resource postgres.database db { url = input.dsn }\n"
            "resource postgres.migrations schema { database = db  dir = \"migrations\" }\n"
            "step migrate { set schema { version = \"0002\" } }\n");
  std::string schema_before = SchemaDump();

  CommandResult apply = Upgrade({"apply", dir.Join("plan.upg"), "--var", "dsn=" + dsn_, "--state",
                                 state_.path(), "--auto-approve"});
  EXPECT_NE(apply.exit_code, 0);
  EXPECT_NE((apply.out + apply.err).find(dir.Join("migrations/0002_bad.up.sql") +
                                         ":2:8: error: column \"idd\" does not exist"),
            std::string::npos)
      << apply.out << apply.err;
  EXPECT_EQ(SchemaDump(), schema_before);
  EXPECT_NE(AllBytesUnder(state_.path()).find("0002_bad.up.sql:2:8"), std::string::npos);
  EXPECT_EQ(transcript_.find(kPassword), std::string::npos) << transcript_;
  EXPECT_EQ(AllBytesUnder(state_.path()).find(kPassword), std::string::npos);
}

}  // namespace
}  // namespace upgrade::testing
