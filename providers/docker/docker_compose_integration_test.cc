// A container that docker-compose created, upgraded by the provider: it keeps its compose
// labels, so the real docker-compose client still lists it as its service's container.
#include <gtest/gtest.h>

#include "providers/docker/docker_test_env.h"

namespace upgrade::docker::testing {
namespace {

using upgrade::testing::RunCommand;
using upgrade::testing::TempDir;
using upgrade::testing::WriteFile;

TEST(DockerComposeTest, AnUpgradedServiceContainerIsStillListedByDockerComposePs) {
  DockerTestEnv env;
  std::string project = env.Name("proj");
  TempDir dir;
  int port = FreePort();
  std::string file = dir.Join("docker-compose.yml");
  WriteFile(file, "version: \"2.4\"\n"
                  "services:\n"
                  "  web:\n"
                  "    image: upgrade-test/web:v1\n"
                  "    network_mode: host\n"
                  "    init: true\n"
                  "    environment:\n"
                  "      PORT: \"" + std::to_string(port) + "\"\n");
  auto compose = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/docker-compose", "-H", env.host(), "-p", project,
                                     "-f", file};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  };
  ASSERT_EQ(compose({"up", "-d"}).exit_code, 0);
  std::string name = project + "_web_1";
  std::string old_id = env.Inspect(name, "{{.Id}}");
  ASSERT_NE(old_id, "");

  ResourceConfig web = env.Container(name);
  Driven driven = env.Drive(web, {{"image", Value("upgrade-test/web:v2")}});
  ASSERT_EQ(driven.apply.error, "");
  ASSERT_EQ(env.Release(web, driven.undo), "");
  EXPECT_EQ(HttpGetBody(port, "/version"), "v2");
  std::string new_id = env.Inspect(name, "{{.Id}}");
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(env.Inspect(name, "{{index .Config.Labels \"com.docker.compose.project\"}} "
                              "{{index .Config.Labels \"com.docker.compose.service\"}}"),
            project + " web");

  upgrade::testing::CommandResult ps = compose({"ps"});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_NE(ps.out.find(name), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find(" Up "), std::string::npos) << ps.out;
  upgrade::testing::CommandResult ids = compose({"ps", "-q"});
  EXPECT_EQ(ids.out, new_id + "\n");
  EXPECT_EQ(compose({"down"}).exit_code, 0);
  EXPECT_EQ(env.Inspect(name, "{{.Id}}"), "");
}

}  // namespace
}  // namespace upgrade::docker::testing
