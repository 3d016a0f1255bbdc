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
  RollingNodes nodes = env.StartRollingNodes("roll");
  std::string by_name = "{";
  for (int i = 0; i < 3; ++i) {
    by_name += std::string(i ? ", " : "") + "\"" + nodes.names[i] + "\": " +
               std::to_string(nodes.ports[i]);
  }
  by_name += "}";
  CommandResult apply = RunCommand(
      {UpgradeBinary(), "apply", SourceDir() + "/examples/docker/rolling.upg", "--auto-approve",
       "--state", state.path(), "--var", "nodes=" + by_name, "--var", "image=upgrade-test/web:v2"},
      {{"DOCKER_HOST", env.host()}, {"NO_COLOR", "1"}}, "", "", 300);
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  EXPECT_THAT(apply.out + apply.err, HasSubstr("container " + nodes.names[1] + " is unhealthy"));
  env.ExpectFirstPutBackAndThirdUntouched(nodes);
}

}  // namespace
}  // namespace upgrade::docker::testing
