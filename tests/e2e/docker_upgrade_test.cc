// examples/docker/upgrade.upg through the built binary against the test daemon: an upgrade
// v1 -> v2 and `upgrade rollback` back to the very same container; an image whose health
// fails, rolled back automatically.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/docker/docker_test_env.h"

namespace upgrade::docker::testing {
namespace {

using ::testing::HasSubstr;
using upgrade::testing::CommandResult;
using upgrade::testing::ReadFile;
using upgrade::testing::RunCommand;
using upgrade::testing::SourceDir;
using upgrade::testing::TempDir;
using upgrade::testing::UpgradeBinary;
using upgrade::testing::WriteFile;

CommandResult Upgrade(DockerTestEnv& env, std::vector<std::string> args) {
  args.insert(args.begin(), UpgradeBinary());
  return RunCommand(args, {{"DOCKER_HOST", env.host()}, {"NO_COLOR", "1"}}, "", "", 180);
}

// `upgrade COMMAND` (plan, or apply without asking) of examples/docker/upgrade.upg.
std::vector<std::string> ExampleArgs(const std::string& command, const std::string& name,
                                     const std::string& image, int port,
                                     const std::string& state) {
  std::vector<std::string> args = {
      command, SourceDir() + "/examples/docker/upgrade.upg",
      "--state", state,
      "--var", "container=" + name,
      "--var", "image=" + image,
      "--var", "health_url=http://127.0.0.1:" + std::to_string(port) + "/health"};
  if (command == "apply") args.push_back("--auto-approve");
  return args;
}

/// Each test starts from a v1 web container serving on a free port under a fresh name, and an
/// empty state folder.
struct DockerE2eTest : ::testing::Test {
  DockerTestEnv env;
  TempDir state;
  std::string name = env.Name("e2e");
  int port = FreePort();
  std::string old_id = env.RunWeb(name, "upgrade-test/web:v1", port);
};

TEST_F(DockerE2eTest, UpgradeThenRollbackReturnsTheOriginalContainer) {
  std::string old_config = env.Inspect(name, "{{json .Config}} {{json .HostConfig}}");

  CommandResult plan =
      Upgrade(env, ExampleArgs("plan", name, "upgrade-test/web:v2", port, state.path()));
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("-/+"));
  EXPECT_THAT(plan.out, HasSubstr("\"upgrade-test/web:v1\" -> \"upgrade-test/web:v2\""));

  CommandResult apply = Upgrade(env, ExampleArgs("apply", name, "upgrade-test/web:v2", port, state.path()));
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(HttpGetBody(port, "/version"), "v2");
  std::string new_id = env.Inspect(name, "{{.Id}}");
  EXPECT_NE(new_id, old_id);
  // The run succeeded; keep_old = 1 keeps the old container aside, stopped.
  EXPECT_EQ(env.Inspect(old_id, "{{.State.Running}}"), "false");

  CommandResult rollback = Upgrade(env, {"rollback", "--auto-approve", "--state", state.path()});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
  EXPECT_EQ(env.Inspect(name, "{{json .Config}} {{json .HostConfig}}"), old_config);
  EXPECT_EQ(env.Inspect(new_id, "{{.Id}}"), "");
  for (int i = 0; i < 100 && HttpGetBody(port, "/version") != "v1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(HttpGetBody(port, "/version"), "v1");
}

TEST_F(DockerE2eTest, ARollbackThatCannotBringTheOldContainerBackIsRefusedBeforeItStarts) {
  // keep_old = 0: once the run succeeds, the old container is removed.
  std::string example = ReadFile(SourceDir() + "/examples/docker/upgrade.upg");
  size_t at = example.rfind("keep_old = 1");  // the setting, after the comment naming it
  ASSERT_NE(at, std::string::npos);
  WriteFile(state.Join("upgrade.upg"), example.replace(at, 12, "keep_old = 0"));
  std::vector<std::string> args =
      ExampleArgs("apply", name, "upgrade-test/web:v2", port, state.Join(".upgrade"));
  args[1] = state.Join("upgrade.upg");
  CommandResult apply = Upgrade(env, args);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  std::string new_id = env.Inspect(name, "{{.Id}}");
  EXPECT_EQ(env.Inspect(old_id, "{{.Id}}"), "");

  CommandResult rollback =
      Upgrade(env, {"rollback", "--auto-approve", "--state", state.Join(".upgrade")});
  EXPECT_EQ(rollback.exit_code, 1) << rollback.out << rollback.err;
  std::string why = "container " + name + ": the old container " + old_id.substr(0, 12) +
                    " is gone; cannot put it back";
  EXPECT_THAT(rollback.out, HasSubstr("! cannot reverse step upgrade: "));
  EXPECT_THAT(rollback.err, HasSubstr("error: cannot roll back run "));
  EXPECT_THAT(rollback.err, HasSubstr(why + " (--force leaves them in place)"));
  // Nothing was reversed: the new container runs on, and the pulled image is still there.
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), new_id + " true");
  EXPECT_EQ(HttpGetBody(port, "/version"), "v2");
  EXPECT_NE(env.Docker({"image", "inspect", "--format", "{{.Id}}", "upgrade-test/web:v2"}), "");
}

TEST_F(DockerE2eTest, AnUnhealthyImageIsRolledBackToTheSameContainer) {
  std::string old_config = env.Inspect(name, "{{json .Config}} {{json .HostConfig}}");
  CommandResult apply =
      Upgrade(env, ExampleArgs("apply", name, "upgrade-test/web:v3-unhealthy", port,
                               state.path()));
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  EXPECT_THAT(apply.out + apply.err, HasSubstr("container " + name + " is unhealthy"));
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
  EXPECT_EQ(env.Inspect(name, "{{json .Config}} {{json .HostConfig}}"), old_config);
  EXPECT_EQ(env.Docker({"ps", "-aq", "--filter", "name=^/" + name}), old_id.substr(0, 12));
  for (int i = 0; i < 100 && HttpGetBody(port, "/version") != "v1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(HttpGetBody(port, "/version"), "v1");
}

}  // namespace
}  // namespace upgrade::docker::testing
