// Tests of the Engine API transport's pure parts: hosts, versions, stream frames, messages.
#include "providers/docker/docker_api.h"

#include <gtest/gtest.h>

namespace upgrade::docker {
namespace {

TEST(DockerHostTest, ParsesUnixAndTcp) {
  std::string error;
  auto unix_host = ParseDockerHost("unix:///run/x/docker.sock", &error);
  ASSERT_TRUE(unix_host);
  EXPECT_EQ(unix_host->unix_socket, "/run/x/docker.sock");
  EXPECT_EQ(unix_host->base_url, "http://localhost");
  auto tcp_host = ParseDockerHost("tcp://127.0.0.1:2375", &error);
  ASSERT_TRUE(tcp_host);
  EXPECT_EQ(tcp_host->unix_socket, "");
  EXPECT_EQ(tcp_host->base_url, "http://127.0.0.1:2375");
  EXPECT_FALSE(ParseDockerHost("ssh://box", &error));
  EXPECT_EQ(error, "docker host ssh://box is not supported (use unix:///path or tcp://HOST:PORT)");
}

TEST(DockerHostTest, ExplicitHostWinsOverProviderAndEnvironment) {
  EXPECT_EQ(ChooseHost("tcp://a:1", "unix:///b"), "tcp://a:1");
  EXPECT_EQ(ChooseHost("", "unix:///b"), "unix:///b");
}

TEST(ApiVersionTest, ComparesNumerically) {
  EXPECT_LT(CompareApiVersions("1.9", "1.41"), 0);
  EXPECT_EQ(CompareApiVersions("1.41", "1.41"), 0);
  EXPECT_GT(CompareApiVersions("1.43", "1.41"), 0);
}

TEST(StreamDemuxerTest, SplitsFramesArrivingInPieces) {
  std::string stream;
  auto frame = [&stream](char kind, const std::string& text) {
    stream += std::string{kind, 0, 0, 0, 0, 0, 0, static_cast<char>(text.size())} + text;
  };
  frame(1, "hello ");
  frame(2, "oops");
  frame(1, "world");
  StreamDemuxer demuxer;
  for (size_t i = 0; i < stream.size(); i += 3) {
    demuxer.Feed(stream.data() + i, std::min<size_t>(3, stream.size() - i));
  }
  EXPECT_EQ(demuxer.out, "hello world");
  EXPECT_EQ(demuxer.err, "oops");
}

TEST(ApiResponseTest, MessageIsTheDaemonsOwnText) {
  ApiResponse response;
  response.status = 404;
  response.body = "{\"message\":\"No such container: web\"}\n";
  EXPECT_EQ(response.Message(), "No such container: web");
  response.transport_error = "Couldn't connect to server";
  EXPECT_EQ(response.Message(), "Couldn't connect to server");
}

}  // namespace
}  // namespace upgrade::docker
