// End-to-end tests of sensitive values across processes: a run keeps its secrets only as
// digests, so `upgrade rollback` and `upgrade apply --resume` in a new process take them again
// (`--var`, or an `env()` default), check them against the digests, and hand the real values
// to providers; without them, or with different ones, they refuse before changing anything.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "tests/e2e/engine_e2e_util.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Writes the token into a config file, removes the token file (its undo writes the token back
// from its environment), then fails, so the run stops with both steps to undo.
constexpr const char* kRevokePlan = R"(plan "revoke" {}
input root  { type = "string" }
input token { sensitive = true }
resource fs.file conf { path = "${input.root}/app.conf"  sensitive = true }
step write { set conf { content = "token=${input.token}\n"  mode = "0600" } }
step revoke {
  after = [write]
  run exec.command {
    argv = ["rm", "token"]
    cwd  = input.root
    env  = { TOKEN = input.token }
    undo = ["sh", "-c", "printf %s \"$TOKEN\" > token && chmod 600 token"]
  }
}
step broken {
  after = [revoke]
  run exec.command {
    argv = ["false"]
    undo = ["true"]
  }
}
)";

constexpr const char* kSecret = "Pa55-w0rd-of-the-run";

class EngineSecretsTest : public ::testing::Test {
 protected:
  EngineSecretsTest() {
    root_ = dir_.Join("root");
    state_ = dir_.Join("state");
    plan_ = dir_.Join("revoke.upg");
    std::filesystem::create_directories(root_);
    WriteFile(root_ + "/token", kSecret);
    std::filesystem::permissions(root_ + "/token", std::filesystem::perms(0600));
  }

  CommandResult Upgrade(std::vector<std::string> args,
                        std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), UpgradeBinary());
    env["NO_COLOR"] = "1";
    return RunCommand(args, env);
  }

  // Applies the plan with the secret; the run stops at `broken`.
  void ApplyAndStop(const std::string& token_var,
                    const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args = {"apply", plan_, "--var", "root=" + root_, "--state",
                                     state_, "--auto-approve", "--on-failure", "stop"};
    if (!token_var.empty()) {
      args.push_back("--var");
      args.push_back(token_var);
    }
    CommandResult apply = Upgrade(args, env);
    ASSERT_EQ(apply.exit_code, 1) << apply.out << apply.err;
    ASSERT_THAT(apply.out, HasSubstr("stopped")) << apply.out << apply.err;
    ASSERT_EQ(ReadFile(root_ + "/app.conf"), std::string("token=") + kSecret + "\n");
    ASSERT_FALSE(std::filesystem::exists(root_ + "/token"));
    ExpectNoSecretStored(apply);
  }

  // The secret is in no file under the state directory (state, journal, plan.json, log) and in
  // nothing the command printed.
  void ExpectNoSecretStored(const CommandResult& result) {
    EXPECT_THAT(result.out + result.err, Not(HasSubstr(kSecret)));
    std::string stored = AllBytesUnder(state_);
    EXPECT_THAT(stored, HasSubstr("$sensitive"));
    EXPECT_THAT(stored, Not(HasSubstr(kSecret)));
  }

  std::string JournalText() {
    std::string text;
    for (const auto& run : std::filesystem::directory_iterator(state_ + "/runs")) {
      text += ReadFile(run.path().string() + "/journal.jsonl");
    }
    return text;
  }

  TempDir dir_;
  std::string root_;
  std::string state_;
  std::string plan_;
};

TEST_F(EngineSecretsTest, RollbackInANewProcessTakesTheSecretAgainAndChecksIt) {
  WriteFile(plan_, kRevokePlan);
  auto before = TreeOf(root_);
  ApplyAndStop(std::string("token=") + kSecret);
  auto after_apply = TreeOf(root_);
  std::string journal = JournalText();

  CommandResult missing = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "error: input \"token\" is sensitive and is not stored; give it again with --var "
            "token=...\n");
  EXPECT_EQ(TreeOf(root_), after_apply);
  EXPECT_EQ(JournalText(), journal);

  CommandResult unknown = Upgrade({"rollback", "--state", state_, "--auto-approve", "--var",
                                   std::string("tokn=") + kSecret});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "error: unknown input \"tokn\"\n");

  CommandResult wrong = Upgrade({"rollback", "--state", state_, "--auto-approve", "--var",
                                 "token=not-the-secret"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err,
            "error: input \"token\" differs from the value the run used for exec.command in "
            "step revoke\n");
  EXPECT_EQ(TreeOf(root_), after_apply);
  EXPECT_EQ(JournalText(), journal);

  CommandResult rollback = Upgrade(
      {"rollback", "--state", state_, "--auto-approve", "--var", std::string("token=") + kSecret});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_THAT(rollback.out, HasSubstr("Rollback complete!"));
  EXPECT_EQ(TreeOf(root_), before);
  EXPECT_EQ(ReadFile(root_ + "/token"), kSecret);
  ExpectNoSecretStored(rollback);
}

// A config file whose content carries a sensitive input.
constexpr const char* kSecretConfPlan = R"(plan "conf" {}
input root  { type = "string" }
input token { sensitive = true }
resource fs.file conf { path = "${input.root}/app.conf" }
step write { set conf { content = "token=${input.token}\n" } }
)";

// A file whose content comes from a sensitive input is secret in every stored state, even when
// its resource block does not say so: the provider reads the content back as plain text, and
// the engine marks it by what the plan knows before it reaches state.json or the journal.
TEST_F(EngineSecretsTest, ContentFromASensitiveInputIsNeverStoredPlain) {
  WriteFile(plan_, kSecretConfPlan);
  std::vector<std::string> apply = {"apply", plan_, "--var", "root=" + root_, "--var",
                                    std::string("token=") + kSecret, "--state", state_,
                                    "--auto-approve"};
  CommandResult first = Upgrade(apply);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(ReadFile(root_ + "/app.conf"), std::string("token=") + kSecret + "\n");
  ExpectNoSecretStored(first);
  // A second apply reads the file back at its start and writes state.json again.
  CommandResult second = Upgrade(apply);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  ExpectNoSecretStored(second);
  CommandResult rollback = Upgrade({"rollback", "--state", state_, "--auto-approve", "--var",
                                    std::string("token=") + kSecret});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_FALSE(std::filesystem::exists(root_ + "/app.conf"));
  ExpectNoSecretStored(rollback);
}

// A saved plan pins the state it read; the apply reads it again with its secret attributes
// marked. The pin is the same either way, so the plan is not refused as stale.
TEST_F(EngineSecretsTest, ASavedPlanOverASecretFileIsNotStale) {
  WriteFile(plan_, kSecretConfPlan);
  CommandResult first = Upgrade({"apply", plan_, "--var", "root=" + root_, "--var",
                                 "token=first-token", "--state", state_, "--auto-approve"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  std::string saved = dir_.Join("saved.plan");
  CommandResult plan = Upgrade({"plan", plan_, "--var", "root=" + root_, "--var",
                                std::string("token=") + kSecret, "--state", state_, "--out",
                                saved});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  // The file still holds the first token: neither plan output may show it.
  CommandResult json = Upgrade({"plan", plan_, "--var", "root=" + root_, "--var",
                                std::string("token=") + kSecret, "--state", state_, "--json"});
  EXPECT_THAT(plan.out + json.out, Not(HasSubstr("first-token")));
  EXPECT_THAT(json.out, HasSubstr("(sensitive value)"));
  CommandResult apply = Upgrade({"apply", saved, "--var", std::string("token=") + kSecret,
                                 "--state", state_, "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(ReadFile(root_ + "/app.conf"), std::string("token=") + kSecret + "\n");
  ExpectNoSecretStored(apply);
}

TEST_F(EngineSecretsTest, RollbackReadsAnEnvDefaultAgain) {
  std::string plan = kRevokePlan;
  plan.replace(plan.find("input token { sensitive = true }"), 32,
               "input token {\n  sensitive = true\n  default   = env(\"REVOKE_TOKEN\")\n}");
  WriteFile(plan_, plan);
  auto before = TreeOf(root_);
  ApplyAndStop("", {{"REVOKE_TOKEN", kSecret}});
  auto after_apply = TreeOf(root_);

  CommandResult unset = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  EXPECT_EQ(unset.exit_code, 1);
  EXPECT_EQ(unset.err,
            "error: input \"token\" is sensitive and is not stored; give it again with --var "
            "token=...\n");
  CommandResult changed = Upgrade({"rollback", "--state", state_, "--auto-approve"},
                                  {{"REVOKE_TOKEN", "rotated-since"}});
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_THAT(changed.err, HasSubstr("error: input \"token\" differs from the value the run used"));
  EXPECT_EQ(TreeOf(root_), after_apply);

  CommandResult rollback = Upgrade({"rollback", "--state", state_, "--auto-approve"},
                                   {{"REVOKE_TOKEN", kSecret}});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(TreeOf(root_), before);
  ExpectNoSecretStored(rollback);
}

TEST_F(EngineSecretsTest, ResumeTakesTheSecretAgain) {
  std::string plan = kRevokePlan;
  // A marker file makes `broken` fail once and pass when resumed.
  plan.replace(plan.find("argv = [\"false\"]"), 16,
               "argv = [\"test\", \"-e\", \"fixed\"]\n    cwd  = input.root");
  WriteFile(plan_, plan);
  ApplyAndStop(std::string("token=") + kSecret);
  std::string journal = JournalText();

  CommandResult missing = Upgrade({"apply", "--resume", "--state", state_, "--auto-approve"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "error: input \"token\" is sensitive and is not stored; give it again with --var "
            "token=...\n");
  EXPECT_EQ(JournalText(), journal);
  CommandResult wrong = Upgrade(
      {"apply", "--resume", "--state", state_, "--auto-approve", "--var", "token=nope"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("error: input \"token\" differs from the value the run used"));
  EXPECT_EQ(JournalText(), journal);

  WriteFile(root_ + "/fixed", "");
  CommandResult resume = Upgrade({"apply", "--resume", "--state", state_, "--auto-approve",
                                  "--var", std::string("token=") + kSecret});
  ASSERT_EQ(resume.exit_code, 0) << resume.out << resume.err;
  EXPECT_THAT(resume.out, HasSubstr("Apply complete!"));
  ExpectNoSecretStored(resume);

  // The resumed run is rolled back with the secret it was given again: the token comes back.
  CommandResult rollback = Upgrade(
      {"rollback", "--state", state_, "--auto-approve", "--var", std::string("token=") + kSecret});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(ReadFile(root_ + "/token"), kSecret);
  EXPECT_FALSE(std::filesystem::exists(root_ + "/app.conf"));
  ExpectNoSecretStored(rollback);
}

std::string Psql(const std::string& dsn, const std::string& sql) {
  CommandResult result = RunCommand({"psql", dsn, "-Atqc", sql});
  EXPECT_EQ(result.exit_code, 0) << sql << ": " << result.err;
  return result.out;
}

// The case that needs the secret itself: a database whose URL carries a password, from a
// sensitive input. Reversing the migration must connect with the real URL. (The test server
// trusts local connections, so the password is accepted and not checked.)
TEST_F(EngineSecretsTest, PostgresRollbackConnectsWithTheUrlGivenAgain) {
  std::string admin = RequireEnv("UPGRADE_TEST_PG_DSN");
  std::string host_port = admin.substr(admin.find('@') + 1);
  host_port = host_port.substr(0, host_port.find('/'));
  std::string name = "engine_secrets_" + std::to_string(getpid());
  Psql(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  Psql(admin, "CREATE DATABASE " + name);
  std::string dsn = "postgresql://postgres:" + std::string(kSecret) + "@" + host_port + "/" + name;
  std::filesystem::create_directories(dir_.Join("migrations"));
  WriteFile(dir_.Join("migrations/0001_orders.up.sql"), "CREATE TABLE orders (id int);\n");
  WriteFile(dir_.Join("migrations/0001_orders.down.sql"), "DROP TABLE orders;\n");
  WriteFile(plan_, R"(plan "orders" { on_failure = stop }
input dsn { sensitive = true }
resource postgres.database   db     { url = input.dsn }
resource postgres.migrations schema { database = db  dir = "migrations" }
step migrate { set schema { version = "0001" } }
)");
  const std::string tables =
      "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
      "WHERE table_schema = 'public'";
  std::string before = Psql(dsn, tables);
  CommandResult apply = Upgrade({"apply", plan_, "--var", "dsn=" + dsn, "--state", state_,
                                 "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  std::string applied = Psql(dsn, tables);
  EXPECT_THAT(applied, HasSubstr("orders"));
  ExpectNoSecretStored(apply);

  CommandResult missing = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "error: input \"dsn\" is sensitive and is not stored; give it again with --var "
            "dsn=...\n");
  EXPECT_EQ(Psql(dsn, tables), applied);
  CommandResult wrong = Upgrade({"rollback", "--state", state_, "--auto-approve", "--var",
                                 "dsn=postgresql://postgres:other@" + host_port + "/" + name});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err,
            "error: input \"dsn\" differs from the value the run used for "
            "postgres.migrations schema\n");
  EXPECT_EQ(Psql(dsn, tables), applied);

  CommandResult rollback = Upgrade({"rollback", "--state", state_, "--auto-approve", "--var",
                                    "dsn=" + dsn});
  EXPECT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(Psql(dsn, tables), before);
  ExpectNoSecretStored(rollback);
  Psql(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace
}  // namespace upgrade::testing
