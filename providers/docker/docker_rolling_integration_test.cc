// A rolling upgrade of three containers driven through the provider one at a time, as a
// `for_each` step with `serial = 1` drives it: the second fails its health gate, so the run
// stops there and reverses the two already touched; the third is never touched.
#include <gtest/gtest.h>

#include "providers/docker/docker_test_env.h"

namespace upgrade::docker::testing {
namespace {

TEST(DockerRollingTest, TheSecondFailsAndTheFirstIsPutBack) {
  DockerTestEnv env;
  RollingNodes nodes = env.StartRollingNodes("node");

  std::vector<std::pair<ResourceConfig, Value>> done;
  std::string failure;
  for (int i = 0; i < 3 && failure.empty(); ++i) {
    ResourceConfig node = env.Container(nodes.names[i]);
    Driven driven = env.Drive(node, {{"image", Value("upgrade-test/web:v2")}});
    done.emplace_back(node, driven.undo);
    failure = driven.apply.error;
    if (failure.empty()) {
      EXPECT_EQ(HttpGetBody(nodes.ports[i], "/version"), "v2");
    }
  }
  EXPECT_EQ(failure, "container " + nodes.names[1] + " is unhealthy");
  ASSERT_EQ(done.size(), 2u);
  for (auto it = done.rbegin(); it != done.rend(); ++it) {
    ASSERT_EQ(env.Reverse(it->first, it->second).error, "");
  }
  env.ExpectFirstPutBackAndThirdUntouched(nodes);
}

}  // namespace
}  // namespace upgrade::docker::testing
