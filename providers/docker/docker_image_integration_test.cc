// docker.image against the real test daemon and registry: a pull with progress, a pull of an
// image the registry does not have, and the rollback of a pull.
#include <gtest/gtest.h>

#include "providers/docker/docker_test_env.h"

namespace upgrade::docker::testing {
namespace {

TEST(DockerImageTest, PullsFromTheLocalRegistryWithProgressAndReversesThePull) {
  DockerTestEnv env;
  std::string name = env.registry() + "/upgrade-test/web:v2";
  env.Docker({"rmi", name}, false);  // a pull must really fetch it
  ResourceConfig image = env.Image(name);
  Driven driven = env.Drive(image, {});
  ASSERT_EQ(driven.diff.change.action, ChangeAction::kCreate);
  ASSERT_EQ(driven.apply.error, "");
  EXPECT_TRUE(driven.apply.state.exists);
  EXPECT_EQ(driven.apply.state.attributes["id"], Value(env.Inspect(name, "{{.Id}}")));
  EXPECT_EQ(driven.apply.state.attributes["digest"].as_string().rfind("sha256:", 0), 0u);
  ASSERT_FALSE(env.progress().empty());
  EXPECT_EQ(env.progress().front().rfind("pulling " + name + ": ", 0), 0u);
  EXPECT_EQ(env.progress().back(), "pulled " + name);

  ASSERT_EQ(env.Reverse(image, driven.undo).error, "");
  EXPECT_EQ(env.Inspect(name, "{{.Id}}"), "");
  EXPECT_EQ(env.Drive(image, {}).diff.change.action, ChangeAction::kCreate);  // pulled again
  EXPECT_EQ(env.Drive(image, {}).diff.change.action, ChangeAction::kNone);
}

TEST(DockerImageTest, AnImageMissingInTheRegistryIsAClearError) {
  DockerTestEnv env;
  std::string name = env.registry() + "/upgrade-test/web:v9";
  Driven driven = env.Drive(env.Image(name), {});
  EXPECT_EQ(driven.apply.error,
            "docker.image " + name + ": cannot pull image " + name + ": manifest for " + name +
                " not found: manifest unknown: manifest unknown");
}

}  // namespace
}  // namespace upgrade::docker::testing
