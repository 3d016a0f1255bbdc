// Tests of image reference parsing and registry credentials from config.json.
#include "providers/docker/image_ref.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace upgrade::docker {
namespace {

TEST(ImageRefTest, SplitsRegistryRepositoryTagAndDigest) {
  ImageRef local = ParseImageRef("127.0.0.1:5000/upgrade-test/web:v1");
  EXPECT_EQ(local.registry, "127.0.0.1:5000");
  EXPECT_EQ(local.repository, "127.0.0.1:5000/upgrade-test/web");
  EXPECT_EQ(local.tag, "v1");
  ImageRef hub = ParseImageRef("busybox");
  EXPECT_EQ(hub.registry, "docker.io");
  EXPECT_EQ(hub.tag, "latest");
  ImageRef pinned = ParseImageRef("localhost/app@sha256:abc");
  EXPECT_EQ(pinned.registry, "localhost");
  EXPECT_EQ(pinned.repository, "localhost/app");
  EXPECT_EQ(pinned.tag, "");
  EXPECT_EQ(pinned.digest, "sha256:abc");
  EXPECT_EQ(ParseImageRef("upgrade-test/web:v2").registry, "docker.io");
}

TEST(RegistryAuthTest, EncodesTheMatchingEntryAsXRegistryAuth) {
  std::string config = R"({"auths": {
      "https://index.docker.io/v1/": {"auth": ")" + Base64Encode("hub:x", false) + R"("},
      "127.0.0.1:5000": {"auth": ")" + Base64Encode("alice:s3cret", false) + R"("}}})";
  std::string header = RegistryAuthFromConfig(config, "127.0.0.1:5000");
  ASSERT_NE(header, "");
  EXPECT_EQ(header.find_first_of("+/"), std::string::npos);
  auto decoded = nlohmann::json::parse(Base64Decode(header));
  EXPECT_EQ(decoded["username"], "alice");
  EXPECT_EQ(decoded["password"], "s3cret");
  EXPECT_EQ(decoded["serveraddress"], "127.0.0.1:5000");
  EXPECT_EQ(nlohmann::json::parse(Base64Decode(RegistryAuthFromConfig(config, "docker.io")))
                ["username"], "hub");
  EXPECT_EQ(RegistryAuthFromConfig(config, "127.0.0.1:6000"), "");
  EXPECT_EQ(RegistryAuthFromConfig("not json", "127.0.0.1:5000"), "");
}

TEST(RegistryAuthTest, Base64RoundTrips) {
  for (std::string text : {"", "a", "ab", "abc", "user:pa?ss>w~rd"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(text, true)), text);
  }
}

}  // namespace
}  // namespace upgrade::docker
