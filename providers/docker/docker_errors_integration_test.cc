// What goes wrong, against the real test daemon: an unreachable daemon, an image the registry
// lacks, a name already taken, a container that exits right after start, a failing exec. Each
// message names the container, and the prior container keeps running as it was.
#include <gtest/gtest.h>

#include "providers/docker/docker_test_env.h"

namespace upgrade::docker::testing {
namespace {

TEST(DockerErrorsTest, AnUnreachableDaemonIsNamedWithTheContainer) {
  DockerTestEnv env;
  upgrade::testing::TempDir dir;
  std::string host = "unix://" + dir.path() + "/nothing.sock";
  ResourceConfig web = env.Container("web", {{"host", Value(host)}});
  ReadResult read = env.provider().Read(web, env.context());
  EXPECT_EQ(read.error.rfind("docker.container web: cannot reach the docker daemon at " + host +
                                 ": ",
                             0),
            0u)
      << read.error;
}

TEST(DockerErrorsTest, AnImageMissingInTheRegistryLeavesTheContainerUntouched) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  int port = FreePort();
  std::string old_id = env.RunWeb(name, "upgrade-test/web:v1", port, false);
  std::string image = env.registry() + "/upgrade-test/web:v9";
  ResourceConfig web = env.Container(name);
  Driven driven = env.Drive(web, {{"image", Value(image)}});
  EXPECT_EQ(driven.apply.error, "container " + name + ": cannot pull image " + image +
                                    ": manifest for " + image +
                                    " not found: manifest unknown: manifest unknown");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
  ASSERT_EQ(env.Reverse(web, driven.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
  EXPECT_EQ(HttpGetBody(port, "/version"), "v1");
}

TEST(DockerErrorsTest, ANameTakenSincePlanningIsAConflictAndTheOtherContainerIsLeftAlone) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  ResourceConfig web = env.Container(name);
  State prior = env.provider().Read(web, env.context()).state;
  ASSERT_FALSE(prior.exists);
  DiffResult diff = env.provider().Diff({web, prior, {{"image", Value("upgrade-test/web:v2")},
                                                      {"network_mode", Value("none")}}});
  Operation operation{Operation::Kind::kChange, web, diff.change};
  PrepareResult prepared = env.provider().Prepare(operation, env.context());
  std::string other = env.Docker({"create", "--name", name, "--network", "none",
                                  "upgrade-test/web:v1"});
  ApplyResult applied = env.provider().Apply(operation, prepared.undo, env.context());
  EXPECT_EQ(applied.error, "container " + name + ": the name is already in use by container " +
                               other.substr(0, 12));
  ASSERT_EQ(env.Reverse(web, prepared.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}}"), other);
}

TEST(DockerErrorsTest, AContainerThatExitsRightAfterStartIsReportedAndReversed) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  int port = FreePort();
  std::string old_id = env.RunWeb(name, "upgrade-test/web:v1", port, false);
  ResourceConfig web = env.Container(name);
  Driven driven = env.Drive(web, {{"image", Value("upgrade-test/web:v2")},
                                  {"command", Value(Value::List{"/bin/sh", "-c",
                                                                "echo config missing; exit 3"})}});
  EXPECT_EQ(driven.apply.error, "container " + name +
                                    " exited right after start (exit code 3); last output: "
                                    "config missing");
  ASSERT_EQ(env.Reverse(web, driven.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
  for (int i = 0; i < 100 && HttpGetBody(port, "/version") != "v1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(HttpGetBody(port, "/version"), "v1");
}

ApplyResult RunExecAction(DockerTestEnv& env, const Value::Map& config, Value* undo) {
  Operation operation;
  operation.kind = Operation::Kind::kAction;
  operation.resource = {"docker.exec", "migrate", config};
  PrepareResult prepared = env.provider().Prepare(operation, env.context());
  *undo = prepared.undo;
  return env.provider().Apply(operation, prepared.undo, env.context());
}

TEST(DockerExecTest, RunsInsideTheContainerAndUndoes) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  env.RunWeb(name, "upgrade-test/web:v1", FreePort(), false);
  Value undo;
  ApplyResult ran = RunExecAction(
      env,
      {{"container", Value(Value::Map{{"name", Value(name)}})},
       {"argv", Value(Value::List{"/bin/sh", "-c", "echo 7 > /tmp/schema; cat /tmp/schema"})},
       {"undo", Value(Value::List{"/bin/sh", "-c", "echo 6 > /tmp/schema"})}},
      &undo);
  ASSERT_EQ(ran.error, "");
  EXPECT_EQ(ran.output.Get("exit_code"), Value(0));
  EXPECT_EQ(ran.output.Get("stdout"), Value("7\n"));
  EXPECT_EQ(env.Docker({"exec", name, "cat", "/tmp/schema"}), "7");
  ReverseResult reversed = env.provider().Reverse({Operation::Kind::kAction, {"docker.exec", "migrate", {}}, undo},
                                                  env.context());
  ASSERT_EQ(reversed.error, "");
  EXPECT_EQ(env.Docker({"exec", name, "cat", "/tmp/schema"}), "6");

  ApplyResult failed = RunExecAction(
      env, {{"container", Value(name)}, {"argv", Value("echo no schema >&2; exit 4")}}, &undo);
  EXPECT_EQ(failed.error, "docker.exec in container " + name +
                              ": `/bin/sh -c echo no schema >&2; exit 4` exited with code 4: "
                              "no schema");
}

}  // namespace
}  // namespace upgrade::docker::testing
