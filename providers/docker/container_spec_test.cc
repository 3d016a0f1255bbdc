// Tests of docker.container attributes, diffs and create requests against a real inspect.
#include "providers/docker/container_spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace upgrade::docker {
namespace {

using nlohmann::json;

json Fixture(const std::string& file) {
  return json::parse(testing::ReadFile(testing::SourceDir() + "/providers/docker/testdata/" + file));
}

State RunningFixture() {
  State state;
  state.exists = true;
  state.attributes = ContainerAttributes(Fixture("container_inspect.json"),
                                         Fixture("image_v1_config.json"));
  return state;
}

TEST(ContainerAttributesTest, ReportsOwnSettingsAndLeavesInheritedOnesOut) {
  Value::Map attributes = RunningFixture().attributes;
  EXPECT_EQ(attributes["name"], Value("fixture"));
  EXPECT_EQ(attributes["image"], Value("upgrade-test/web:v1"));
  EXPECT_EQ(attributes["state"], Value("running"));
  EXPECT_EQ(attributes["health"], Value("healthy"));
  EXPECT_TRUE(attributes["command"].is_null());  // the image's CMD, inherited
  EXPECT_TRUE(attributes["entrypoint"].is_null());
  EXPECT_EQ(attributes["network_mode"], Value("host"));
  EXPECT_EQ(attributes["restart"], Value("unless-stopped"));
  EXPECT_EQ(attributes["init"], Value(true));
  EXPECT_EQ(attributes["labels"], Value(Value::Map{{"app", Value("web")}}));
  EXPECT_EQ(attributes["env"].Get("PORT"), Value("18931"));
  EXPECT_TRUE(attributes["env"].Get("DB_PASSWORD").sensitive());
  EXPECT_FALSE(attributes["env"].Get("PORT").sensitive());
  EXPECT_EQ(attributes["healthcheck"].Get("interval"), Value(Duration(1000)));
  EXPECT_EQ(attributes["healthcheck"].Get("test").as_list()[0], Value("CMD-SHELL"));
  EXPECT_EQ(attributes["env"].ToDisplay().find("hunter2"), std::string::npos);
}

TEST(ContainerAttributesTest, ACommandOtherThanTheImagesIsReported) {
  json inspect = Fixture("container_inspect.json");
  inspect["Config"]["Cmd"] = {"sleep", "100"};
  Value::Map attributes = ContainerAttributes(inspect, Fixture("image_v1_config.json"));
  EXPECT_EQ(attributes["command"], Value(Value::List{"sleep", "100"}));
}

TEST(RecreateRequestTest, KeepsConfigurationReplacesImageDropsHostname) {
  Value::Map desired = {{"image", Value("upgrade-test/web:v2")}};
  CreateRequest request = RecreateRequest(Fixture("container_inspect.json"),
                                          Fixture("image_v1_config.json"), desired);
  json body = json::parse(request.body);
  EXPECT_EQ(body["Image"], "upgrade-test/web:v2");
  EXPECT_FALSE(body.contains("Hostname"));
  EXPECT_TRUE(body["Cmd"].is_null());  // so that v2's own CMD applies
  EXPECT_EQ(body["Env"], json({"PORT=18931", "DB_PASSWORD=hunter2"}));
  EXPECT_EQ(body["Labels"], json({{"app", "web"}}));
  EXPECT_EQ(body["Healthcheck"]["Interval"], 1000000000);
  EXPECT_EQ(body["HostConfig"]["Init"], true);
  EXPECT_EQ(body["HostConfig"]["NetworkMode"], "host");
  EXPECT_EQ(body["HostConfig"]["RestartPolicy"]["Name"], "unless-stopped");
  EXPECT_TRUE(body["NetworkingConfig"]["EndpointsConfig"].contains("host"));
  EXPECT_TRUE(request.extra_networks.empty());
}

TEST(RecreateRequestTest, TakesTheNewImagesDefaultsWhereTheOldOnesWereInherited) {
  json image = Fixture("image_v1_config.json");
  image["Env"] = {"PATH=/bin", "MODE=v1"};
  image["Labels"] = {{"org.version", "1"}};
  json inspect = Fixture("container_inspect.json");
  inspect["Config"]["Env"] = {"PATH=/bin", "MODE=v1", "PORT=1"};
  inspect["Config"]["Labels"] = {{"org.version", "1"}, {"app", "web"}};
  inspect["Config"]["Entrypoint"] = {"/bin/tini"};
  CreateRequest request = RecreateRequest(inspect, image, {{"image", Value("web:v2")}});
  json body = json::parse(request.body);
  EXPECT_EQ(body["Env"], json({"PORT=1"}));
  EXPECT_EQ(body["Labels"], json({{"app", "web"}}));
  EXPECT_EQ(body["Entrypoint"], json({"/bin/tini"}));  // its own: kept
  EXPECT_EQ(body["Cmd"], inspect["Config"]["Cmd"]);     // with its own entrypoint: kept
}

TEST(RecreateRequestTest, AppliesChangedAttributes) {
  Value::Map desired = {{"env", Value(Value::Map{{"PORT", Value("9000")}})},
                        {"ports", Value(Value::List{"127.0.0.1:9000:80/tcp"})},
                        {"restart", Value("on-failure:3")}};
  json body = json::parse(RecreateRequest(Fixture("container_inspect.json"),
                                          Fixture("image_v1_config.json"), desired).body);
  EXPECT_EQ(body["Env"], json({"PORT=9000"}));
  EXPECT_EQ(body["ExposedPorts"], json({{"80/tcp", json::object()}}));
  EXPECT_EQ(body["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"], "127.0.0.1");
  EXPECT_EQ(body["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"], "9000");
  EXPECT_EQ(body["HostConfig"]["RestartPolicy"], json({{"Name", "on-failure"},
                                                      {"MaximumRetryCount", 3}}));
}

TEST(DiffContainerTest, ANewImageRecreates) {
  DiffResult diff = DiffContainer("fixture", RunningFixture(),
                                  {{"image", Value("upgrade-test/web:v2")}});
  ASSERT_EQ(diff.error, "");
  EXPECT_EQ(diff.change.action, ChangeAction::kReplace);
  ASSERT_EQ(diff.change.attributes.size(), 1u);
  EXPECT_EQ(diff.change.attributes[0].name, "image");
  EXPECT_TRUE(diff.change.attributes[0].forces_replacement);
  EXPECT_TRUE(diff.change.after.attributes["id"].is_unknown());
  EXPECT_EQ(diff.change.after.attributes["image"], Value("upgrade-test/web:v2"));
}

TEST(DiffContainerTest, TheSameValuesChangeNothing) {
  DiffResult diff = DiffContainer(
      "fixture", RunningFixture(),
      {{"image", Value("upgrade-test/web:v1")},
       {"env", Value(Value::Map{{"PORT", Value(18931)}, {"DB_PASSWORD", Value("hunter2")}})},
       {"state", Value("running")},
       {"health_timeout", Value(Duration(5000))}});
  ASSERT_EQ(diff.error, "");
  EXPECT_EQ(diff.change.action, ChangeAction::kNone);
  EXPECT_EQ(diff.change.private_data.Get("health_timeout"), Value(Duration(5000)));
}

TEST(DiffContainerTest, StateAloneStopsInPlace) {
  DiffResult diff = DiffContainer("fixture", RunningFixture(), {{"state", Value("stopped")}});
  EXPECT_EQ(diff.change.action, ChangeAction::kUpdate);
  EXPECT_FALSE(diff.change.attributes[0].forces_replacement);
}

TEST(DiffContainerTest, AbsentDeletesAndCreatingNeedsAnImage) {
  EXPECT_EQ(DiffContainer("fixture", RunningFixture(), {{"state", Value("absent")}}).change.action,
            ChangeAction::kDelete);
  EXPECT_EQ(DiffContainer("web", State{}, {{"state", Value("running")}}).error,
            "docker.container web does not exist; give `image` to create it");
  DiffResult created = DiffContainer("web", State{}, {{"image", Value("busybox")}});
  EXPECT_EQ(created.change.action, ChangeAction::kCreate);
  EXPECT_EQ(created.change.after.attributes["state"], Value("running"));
}

TEST(DiffContainerTest, MalformedAttributesAreErrorsNamingTheContainer) {
  EXPECT_EQ(DiffContainer("web", RunningFixture(), {{"ports", Value(Value::List{"1:2:3:4"})}}).error,
            "docker.container web: port 1:2:3:4 is not [IP:]HOST_PORT:CONTAINER_PORT[/PROTO]");
  EXPECT_EQ(DiffContainer("web", RunningFixture(), {{"state", Value("paused")}}).error,
            "docker.container web: state must be running, stopped or absent, not paused");
}

TEST(ContainerSpecTest, AsideNamesAreValidAndDeterministic) {
  EXPECT_EQ(AsideName("web", "2026-11-21T10:00:00Z/abc"), "web-upgrade-old-2026-11-21T10-00-00Z-abc");
  EXPECT_EQ(AsideName("web", "r1"), AsideName("web", "r1"));
}

TEST(ContainerSpecTest, NewContainersCarryTheRunLabel) {
  json body = json::parse(NewContainerRequest({{"image", Value("busybox")},
                                               {"network_mode", Value("none")}}, "run-7").body);
  EXPECT_EQ(body["Labels"][kRunLabel], "run-7");
  EXPECT_EQ(body["HostConfig"]["NetworkMode"], "none");
}

}  // namespace
}  // namespace upgrade::docker
