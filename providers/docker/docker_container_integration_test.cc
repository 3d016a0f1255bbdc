// docker.container against the real test daemon: an upgrade v1 -> v2 and its rollback to the
// very same container, a health gate that fails and is reversed, the new image's defaults,
// release of the old container, stop and start in place.
#include <gtest/gtest.h>

#include "providers/docker/container_spec.h"
#include "providers/docker/docker_test_env.h"

namespace upgrade::docker::testing {
namespace {

TEST(DockerContainerTest, UpgradeV1ToV2ThenRollbackGivesBackTheSameContainer) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  int port = FreePort();
  std::string old_id = env.RunWeb(name, "upgrade-test/web:v1", port);
  ASSERT_EQ(HttpGetBody(port, "/version"), "v1");
  std::string old_config = env.Inspect(name, "{{json .Config}} {{json .HostConfig}}");
  ResourceConfig web = env.Container(name);
  State before = env.provider().Read(web, env.context()).state;

  Driven driven = env.Drive(web, {{"image", Value("upgrade-test/web:v2")}});
  ASSERT_EQ(driven.diff.change.action, ChangeAction::kReplace);
  ASSERT_EQ(driven.apply.error, "");
  EXPECT_EQ(HttpGetBody(port, "/version"), "v2");
  std::string new_id = env.Inspect(name, "{{.Id}}");
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(driven.apply.state.attributes["id"], Value(new_id));
  EXPECT_EQ(driven.apply.state.attributes["health"], Value("healthy"));
  EXPECT_EQ(env.Inspect(name, "{{.HostConfig.NetworkMode}} {{.HostConfig.Init}} {{.Config.Env}}"),
            "host true [PORT=" + std::to_string(port) + "]");
  std::string aside = AsideName(name, env.context().run_id);
  EXPECT_EQ(driven.undo.GetString("aside"), aside);
  EXPECT_EQ(env.Inspect(aside, "{{.Id}} {{.State.Running}}"), old_id + " false");

  ReverseResult reversed = env.Reverse(web, driven.undo);
  ASSERT_EQ(reversed.error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
  EXPECT_EQ(env.Inspect(name, "{{json .Config}} {{json .HostConfig}}"), old_config);
  EXPECT_EQ(env.Inspect(new_id, "{{.Id}}"), "");
  EXPECT_EQ(env.Inspect(aside, "{{.Id}}"), "");
  for (int i = 0; i < 100 && HttpGetBody(port, "/version") != "v1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(HttpGetBody(port, "/version"), "v1");
  // Reverse again (a rollback resumed after a crash): nothing changes.
  ASSERT_EQ(env.Reverse(web, driven.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
  State after = env.provider().Read(web, env.context()).state;
  after.attributes.erase("health");
  before.attributes.erase("health");
  EXPECT_EQ(after, before);
}

TEST(DockerContainerTest, ReverseWorksWhenApplyNeverRan) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  std::string old_id = env.RunWeb(name, "upgrade-test/web:v1", FreePort(), false);
  ResourceConfig web = env.Container(name);
  State prior = env.provider().Read(web, env.context()).state;
  DiffResult diff = env.provider().Diff({web, prior, {{"image", Value("upgrade-test/web:v2")}}});
  Operation operation{Operation::Kind::kChange, web, diff.change};
  PrepareResult prepared = env.provider().Prepare(operation, env.context());
  ASSERT_EQ(prepared.error, "");
  ASSERT_EQ(env.Reverse(web, prepared.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
}

TEST(DockerContainerTest, UnhealthyNewImageFailsTheGateAndIsReversed) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  int port = FreePort();
  std::string old_id = env.RunWeb(name, "upgrade-test/web:v1", port);
  ResourceConfig web = env.Container(name, {{"health_timeout", Value(Duration(30000))}});
  Driven driven = env.Drive(web, {{"image", Value("upgrade-test/web:v3-unhealthy")}});
  EXPECT_EQ(driven.apply.error.rfind("container " + name + " is unhealthy", 0), 0u)
      << driven.apply.error;
  EXPECT_EQ(HttpGetBody(port, "/version"), "v3-unhealthy");  // it ran, but failed its gate
  ASSERT_EQ(env.Reverse(web, driven.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), old_id + " true");
  for (int i = 0; i < 100 && HttpGetBody(port, "/version") != "v1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(HttpGetBody(port, "/version"), "v1");
  EXPECT_EQ(env.Docker({"ps", "-aq", "--filter", "name=^/" + name}), old_id.substr(0, 12));
}

TEST(DockerContainerTest, TheNewImagesDefaultsReplaceInheritedOnes) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  std::string base = env.Name("base");
  env.Docker({"create", "--name", base, "upgrade-test/web:v1"});
  std::string one = "upgrade-test/flavor:" + base + "-one";
  std::string two = "upgrade-test/flavor:" + base + "-two";
  env.Docker({"commit", "--change", "ENV FLAVOR=one", "--change", "LABEL tier=one", base, one});
  env.Docker({"commit", "--change", "ENV FLAVOR=two", "--change", "LABEL tier=two", base, two});
  int port = FreePort();
  env.RunWeb(name, one, port, false, {"-l", "owner=ops"});
  ResourceConfig web = env.Container(name);
  Driven driven = env.Drive(web, {{"image", Value(two)}});
  ASSERT_EQ(driven.apply.error, "");
  std::string env_list = env.Inspect(name, "{{range .Config.Env}}{{.}} {{end}}");
  EXPECT_NE(env_list.find("FLAVOR=two"), std::string::npos) << env_list;
  EXPECT_EQ(env_list.find("FLAVOR=one"), std::string::npos) << env_list;
  EXPECT_NE(env_list.find("PORT=" + std::to_string(port)), std::string::npos) << env_list;
  EXPECT_EQ(env.Inspect(name, "{{index .Config.Labels \"tier\"}} {{index .Config.Labels \"owner\"}}"),
            "two ops");
  ASSERT_EQ(env.Release(web, driven.undo), "");
  env.Docker({"rm", "-f", name});
  env.Docker({"rmi", one, two});
}

TEST(DockerContainerTest, ReleaseRemovesTheOldContainerOrKeepsTheNewestN) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  int port = FreePort();
  std::string first_id = env.RunWeb(name, "upgrade-test/web:v1", port, false);
  ResourceConfig web = env.Container(name, {{"keep_old", Value(1)}});
  Driven first = env.Drive(web, {{"image", Value("upgrade-test/web:v2")}});
  ASSERT_EQ(first.apply.error, "");
  ASSERT_EQ(env.Release(web, first.undo), "");
  EXPECT_EQ(env.Inspect(first_id, "{{.Name}}"), "/" + AsideName(name, env.context().run_id));

  env.context().run_id += "b";
  std::string second_id = env.Inspect(name, "{{.Id}}");
  Driven second = env.Drive(web, {{"image", Value("upgrade-test/web:v1")}});
  ASSERT_EQ(second.apply.error, "");
  ASSERT_EQ(env.Release(web, second.undo), "");
  EXPECT_EQ(env.Inspect(first_id, "{{.Id}}"), "");  // beyond keep_old = 1: removed
  EXPECT_EQ(env.Inspect(second_id, "{{.Name}}"), "/" + AsideName(name, env.context().run_id));

  ResourceConfig no_keep = env.Container(name);
  env.context().run_id += "c";
  Driven third = env.Drive(no_keep, {{"image", Value("upgrade-test/web:v2")}});
  ASSERT_EQ(third.apply.error, "");
  ASSERT_EQ(env.Release(no_keep, third.undo), "");
  EXPECT_EQ(env.Docker({"ps", "-aq", "--filter", "name=^/" + name}),
            env.Inspect(name, "{{.Id}}").substr(0, 12));
  EXPECT_EQ(HttpGetBody(port, "/version"), "v2");
}

TEST(DockerContainerTest, StopAndStartHappenInPlace) {
  DockerTestEnv env;
  std::string name = env.Name("web");
  std::string id = env.RunWeb(name, "upgrade-test/web:v1", FreePort(), false);
  ResourceConfig web = env.Container(name);
  Driven stopped = env.Drive(web, {{"state", Value("stopped")}});
  ASSERT_EQ(stopped.diff.change.action, ChangeAction::kUpdate);
  ASSERT_EQ(stopped.apply.error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), id + " false");
  ASSERT_EQ(env.Reverse(web, stopped.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}} {{.State.Running}}"), id + " true");
}

TEST(DockerContainerTest, CreateAndRemoveAreReversible) {
  DockerTestEnv env;
  std::string name = env.Name("new");
  int port = FreePort();
  ResourceConfig web = env.Container(name);
  Driven created = env.Drive(web, {{"image", Value("upgrade-test/web:v2")},
                                   {"network_mode", Value("host")},
                                   {"init", Value(true)},
                                   {"env", Value(Value::Map{{"PORT", Value(port)}})}});
  ASSERT_EQ(created.diff.change.action, ChangeAction::kCreate);
  ASSERT_EQ(created.apply.error, "");
  EXPECT_EQ(HttpGetBody(port, "/version"), "v2");
  EXPECT_EQ(created.apply.state.attributes["labels"], Value(Value::Map{}));

  Driven removed = env.Drive(web, {{"state", Value("absent")}});
  ASSERT_EQ(removed.diff.change.action, ChangeAction::kDelete);
  ASSERT_EQ(removed.apply.error, "");
  EXPECT_FALSE(env.provider().Read(web, env.context()).state.exists);
  ASSERT_EQ(env.Reverse(web, removed.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.State.Running}}"), "true");

  ASSERT_EQ(env.Reverse(web, created.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}}"), "");
}

}  // namespace
}  // namespace upgrade::docker::testing
