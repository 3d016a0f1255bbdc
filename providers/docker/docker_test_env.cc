// The docker integration tests' shared environment.
#include "providers/docker/docker_test_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "providers/docker/container_spec.h"
#include "providers/http/http_client.h"

namespace upgrade::docker::testing {

using upgrade::testing::RequireEnv;
using upgrade::testing::RunCommand;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::string HttpGetBody(int port, const std::string& path) {
  HttpClient client;
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + path;
  request.timeout = std::chrono::seconds(5);
  HttpResponse response = client.Send(request);
  if (!response.ok()) return "";
  std::string body = response.body;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return body;
}

DockerTestEnv::DockerTestEnv()
    : host_(RequireEnv("UPGRADE_TEST_DOCKER_HOST")),
      registry_(RequireEnv("UPGRADE_TEST_REGISTRY")),
      provider_(host_) {
  std::random_device random;
  context_.run_id = "test-" + std::to_string(random() % 1000000);
  context_.progress = [this](const std::string& text) { progress_.push_back(text); };
}

DockerTestEnv::~DockerTestEnv() {
  for (const std::string& name : names_) {
    std::string ids = Docker({"ps", "-aq", "--filter", "name=^/" + name}, false);
    std::vector<std::string> args = {"rm", "-f"};
    size_t start = 0;
    while (start < ids.size()) {
      size_t end = ids.find('\n', start);
      std::string id = ids.substr(start, end == std::string::npos ? end : end - start);
      if (!id.empty()) args.push_back(id);
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (args.size() > 2) Docker(args, false);
  }
}

std::string DockerTestEnv::Name(const std::string& base) {
  std::string name = "upg-" + base + "-" + context_.run_id.substr(5);
  names_.push_back(name);
  return name;
}

std::string DockerTestEnv::Docker(const std::vector<std::string>& args, bool must_succeed) {
  std::vector<std::string> argv = {"/usr/bin/docker", "-H", host_};
  argv.insert(argv.end(), args.begin(), args.end());
  upgrade::testing::CommandResult result = RunCommand(argv);
  if (must_succeed) {
    EXPECT_EQ(result.exit_code, 0) << args[0] << ": " << result.err;
  }
  std::string out = result.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string DockerTestEnv::RunWeb(const std::string& name, const std::string& image, int port,
                                  bool healthcheck, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"run", "-d", "--name", name, "--network", "host", "--init",
                                   "-e", "PORT=" + std::to_string(port)};
  if (healthcheck) {
    args.insert(args.end(), {"--health-cmd",
                             "wget -q -O /dev/null http://127.0.0.1:" + std::to_string(port) +
                                 "/health",
                             "--health-interval", "500ms", "--health-retries", "2"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(image);
  std::string id = Docker(args);
  // A health check among `extra` counts as one too.
  bool checked = healthcheck || std::find(extra.begin(), extra.end(), "--health-cmd") != extra.end();
  std::string wanted = checked ? "healthy" : "running";
  std::string format = checked ? "{{.State.Health.Status}}" : "{{.State.Status}}";
  for (int i = 0; i < 200 && Inspect(name, format) != wanted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(Inspect(name, format), wanted) << name;
  return id;
}

RollingNodes DockerTestEnv::StartRollingNodes(const std::string& base) {
  RollingNodes nodes;
  for (int i = 0; i < 3; ++i) {
    nodes.names.push_back(Name(base + std::to_string(i)));
    nodes.ports.push_back(FreePort());
    std::string port = std::to_string(nodes.ports.back());
    std::string check = i == 1 ? "wget -q -O- http://127.0.0.1:" + port + "/version | grep -q v1"
                               : "wget -q -O /dev/null http://127.0.0.1:" + port + "/health";
    nodes.ids.push_back(RunWeb(nodes.names.back(), "upgrade-test/web:v1", nodes.ports.back(),
                               false,
                               {"--health-cmd", check, "--health-interval", "500ms",
                                "--health-retries", "2"}));
    nodes.started_at.push_back(Inspect(nodes.names.back(), "{{.State.StartedAt}}"));
  }
  return nodes;
}

void DockerTestEnv::ExpectFirstPutBackAndThirdUntouched(const RollingNodes& nodes) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Inspect(nodes.names[i], "{{.Id}} {{.State.Running}}"), nodes.ids[i] + " true")
        << i;
    for (int t = 0; t < 100 && HttpGetBody(nodes.ports[i], "/version") != "v1"; ++t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(HttpGetBody(nodes.ports[i], "/version"), "v1") << i;
  }
  EXPECT_EQ(Inspect(nodes.names[2], "{{.State.StartedAt}}"), nodes.started_at[2]);
  EXPECT_NE(Inspect(nodes.names[0], "{{.State.StartedAt}}"), nodes.started_at[0]);
}

std::string DockerTestEnv::Inspect(const std::string& target, const std::string& format) {
  std::vector<std::string> argv = {"/usr/bin/docker", "-H", host_, "inspect", "-f", format, target};
  upgrade::testing::CommandResult result = RunCommand(argv);
  if (result.exit_code != 0) return "";
  std::string out = result.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

ResourceConfig DockerTestEnv::Container(const std::string& name, Value::Map extra) const {
  ResourceConfig resource;
  resource.type = "docker.container";
  resource.name = "web";
  resource.config = std::move(extra);
  resource.config["name"] = name;
  return resource;
}

ResourceConfig DockerTestEnv::Image(const std::string& name) const {
  ResourceConfig resource;
  resource.type = "docker.image";
  resource.name = "image";
  resource.config["name"] = name;
  return resource;
}

Driven DockerTestEnv::Drive(const ResourceConfig& resource, const Value::Map& desired) {
  Driven driven;
  ReadResult read = provider_.Read(resource, context_);
  EXPECT_EQ(read.error, "");
  DiffRequest request{resource, read.state, desired};
  driven.diff = provider_.Diff(request);
  if (!driven.diff.error.empty()) return driven;
  Operation operation;
  operation.resource = resource;
  operation.change = driven.diff.change;
  driven.prepare = provider_.Prepare(operation, context_);
  driven.undo = driven.prepare.undo;
  if (!driven.prepare.error.empty()) return driven;
  driven.apply = provider_.Apply(operation, driven.prepare.undo, context_);
  if (!driven.apply.undo.is_null()) driven.undo = driven.apply.undo;
  return driven;
}

ReverseResult DockerTestEnv::Reverse(const ResourceConfig& resource, const Value& undo) {
  ReverseRequest request{Operation::Kind::kChange, resource, undo};
  return provider_.Reverse(request, context_);
}

std::string DockerTestEnv::Release(const ResourceConfig& resource, const Value& undo) {
  ReverseRequest request{Operation::Kind::kChange, resource, undo};
  return provider_.Release(request, context_);
}

}  // namespace upgrade::docker::testing
