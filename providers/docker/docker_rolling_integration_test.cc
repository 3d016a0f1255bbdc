// A rolling upgrade of three containers driven through the provider one at a time, as a
// `for_each` step with `serial = 1` drives it: the second fails its health gate, so the run
// stops there and reverses the two already touched; the third is never touched.
#include <gtest/gtest.h>

#include "providers/docker/docker_test_env.h"

namespace upgrade::docker::testing {
namespace {

TEST(DockerRollingTest, TheSecondFailsAndTheFirstIsPutBack) {
  DockerTestEnv env;
  std::vector<std::string> names;
  std::vector<int> ports;
  std::vector<std::string> ids;
  std::vector<std::string> started_at;
  for (int i = 0; i < 3; ++i) {
    names.push_back(env.Name("node" + std::to_string(i)));
    ports.push_back(FreePort());
    std::string port = std::to_string(ports.back());
    // The second node's check also insists on version 1 (say, a client it serves that only
    // speaks v1): healthy now, unhealthy on v2.
    std::string check = i == 1 ? "wget -q -O- http://127.0.0.1:" + port + "/version | grep -q v1"
                               : "wget -q -O /dev/null http://127.0.0.1:" + port + "/health";
    ids.push_back(env.RunWeb(names.back(), "upgrade-test/web:v1", ports.back(), false,
                             {"--health-cmd", check, "--health-interval", "500ms",
                              "--health-retries", "2"}));
    for (int t = 0; t < 200 && env.Inspect(names.back(), "{{.State.Health.Status}}") != "healthy";
         ++t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    started_at.push_back(env.Inspect(names.back(), "{{.State.StartedAt}}"));
  }

  std::vector<std::pair<ResourceConfig, Value>> done;
  std::string failure;
  for (int i = 0; i < 3 && failure.empty(); ++i) {
    ResourceConfig node = env.Container(names[i]);
    Driven driven = env.Drive(node, {{"image", Value("upgrade-test/web:v2")}});
    done.emplace_back(node, driven.undo);
    failure = driven.apply.error;
    if (failure.empty()) {
      EXPECT_EQ(HttpGetBody(ports[i], "/version"), "v2");
    }
  }
  EXPECT_EQ(failure, "container " + names[1] + " is unhealthy");
  ASSERT_EQ(done.size(), 2u);
  for (auto it = done.rbegin(); it != done.rend(); ++it) {
    ASSERT_EQ(env.Reverse(it->first, it->second).error, "");
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(env.Inspect(names[i], "{{.Id}} {{.State.Running}}"), ids[i] + " true") << i;
    for (int t = 0; t < 100 && HttpGetBody(ports[i], "/version") != "v1"; ++t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(HttpGetBody(ports[i], "/version"), "v1") << i;
  }
  EXPECT_EQ(env.Inspect(names[2], "{{.State.StartedAt}}"), started_at[2]);  // never stopped
  EXPECT_NE(env.Inspect(names[0], "{{.State.StartedAt}}"), started_at[0]);  // stopped, started
}

}  // namespace
}  // namespace upgrade::docker::testing
