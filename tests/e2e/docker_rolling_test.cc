// examples/docker/rolling.upg through the built binary: three containers upgraded one at a
// time; the second fails its health gate, so the run stops and the first is put back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/docker/docker_test_env.h"

namespace upgrade::docker::testing {
namespace {

using ::testing::HasSubstr;
using upgrade::testing::CommandResult;
using upgrade::testing::RunCommand;
using upgrade::testing::SourceDir;
using upgrade::testing::TempDir;
using upgrade::testing::UpgradeBinary;

TEST(DockerRollingE2eTest, TheSecondFailsTheRunStopsAndTheFirstIsPutBack) {
  DockerTestEnv env;
  TempDir state;
  std::vector<std::string> names, ids, started_at;
  std::vector<int> ports;
  std::string nodes = "{";
  for (int i = 0; i < 3; ++i) {
    names.push_back(env.Name("roll" + std::to_string(i)));
    ports.push_back(FreePort());
    std::string port = std::to_string(ports.back());
    // The second node's check also insists on version 1: healthy now, unhealthy on v2.
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
    nodes += std::string(i ? ", " : "") + "\"" + names.back() + "\": " + port;
  }
  nodes += "}";
  CommandResult apply = RunCommand(
      {UpgradeBinary(), "apply", SourceDir() + "/examples/docker/rolling.upg", "--auto-approve",
       "--state", state.path(), "--var", "nodes=" + nodes, "--var", "image=upgrade-test/web:v2"},
      {{"DOCKER_HOST", env.host()}, {"NO_COLOR", "1"}}, "", "", 300);
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  EXPECT_THAT(apply.out + apply.err, HasSubstr("container " + names[1] + " is unhealthy"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(env.Inspect(names[i], "{{.Id}} {{.State.Running}}"), ids[i] + " true") << i;
    for (int t = 0; t < 100 && HttpGetBody(ports[i], "/version") != "v1"; ++t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(HttpGetBody(ports[i], "/version"), "v1") << i;
  }
  EXPECT_EQ(env.Inspect(names[2], "{{.State.StartedAt}}"), started_at[2]);  // never touched
  EXPECT_NE(env.Inspect(names[0], "{{.State.StartedAt}}"), started_at[0]);  // upgraded, put back
}

}  // namespace
}  // namespace upgrade::docker::testing
