// Benchmark of container upgrades on a real daemon: N busybox web containers moved from one
// image to another (a) through the docker provider with P upgrades at a time, (b) through the
// bare Engine API calls a careful script would make, and (c) by `docker-compose up -d` after
// the image changed in the compose file. A prober asks every container's /version every few
// milliseconds, so each container's downtime is what a client saw: the longest gap between
// two answers.
//
// Usage: docker_bench [--containers 20] [--parallel 4] [--host unix:///...]
//        (the host defaults to $UPGRADE_TEST_DOCKER_HOST, then $DOCKER_HOST)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/docker/docker_api.h"
#include "providers/docker/docker_provider.h"
#include "providers/http/http_client.h"

namespace {

using namespace upgrade;
using namespace upgrade::docker;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

/// Polls every port's /version and keeps, per port, the longest time without an answer.
class Prober {
 public:
  explicit Prober(std::vector<int> ports) : ports_(std::move(ports)), gaps_(ports_.size()) {}

  void Start() {
    running_ = true;
    thread_ = std::thread([this] { Loop(); });
  }
  std::vector<double> Stop() {
    running_ = false;
    thread_.join();
    return gaps_;
  }

 private:
  void Loop() {
    HttpClient client;
    std::vector<Clock::time_point> last(ports_.size(), Clock::now());
    while (running_) {
      for (size_t i = 0; i < ports_.size(); ++i) {
        HttpRequest request;
        request.url = "http://127.0.0.1:" + std::to_string(ports_[i]) + "/version";
        request.timeout = std::chrono::milliseconds(500);
        auto now = Clock::now();
        if (client.Send(request).ok()) {
          gaps_[i] = std::max(gaps_[i], Seconds(now - last[i]));
          last[i] = now;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  std::vector<int> ports_;
  std::vector<double> gaps_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

std::string Run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  size_t n;
  while (pipe != nullptr && (n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  if (pipe == nullptr || pclose(pipe) != 0) {
    std::fprintf(stderr, "command failed: %s\n%s\n", command.c_str(), out.c_str());
    std::exit(1);
  }
  return out;
}

struct Setup {
  std::string host;
  int containers = 20;
  int parallel = 4;
  int base_port = 0;
  std::string Name(int i) const { return "bench-web-" + std::to_string(i); }
  std::vector<int> Ports() const {
    std::vector<int> ports;
    for (int i = 0; i < containers; ++i) ports.push_back(base_port + i);
    return ports;
  }
  std::string Docker() const { return "/usr/bin/docker -H " + host + " "; }
};

void RemoveAll(const Setup& setup) {
  std::string ids = Run(setup.Docker() + "ps -aq --filter name=bench-web-");
  if (!ids.empty()) {
    for (char& c : ids) if (c == '\n') c = ' ';
    Run(setup.Docker() + "rm -f " + ids + " >/dev/null");
  }
}

void StartContainers(const Setup& setup, const std::string& image) {
  for (int i = 0; i < setup.containers; ++i) {
    Run(setup.Docker() + "run -d --name " + setup.Name(i) + " --network host --init -e PORT=" +
        std::to_string(setup.base_port + i) + " " + image + " >/dev/null");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

void Report(const char* what, double total, std::vector<double> gaps) {
  std::sort(gaps.begin(), gaps.end());
  double sum = 0;
  for (double g : gaps) sum += g;
  std::printf("%-34s total %6.2f s   downtime per container: median %.3f s, max %.3f s, "
              "mean %.3f s\n",
              what, total, gaps[gaps.size() / 2], gaps.back(), sum / gaps.size());
  std::fflush(stdout);
}

// (a) through the provider, the way the executor drives it, P at a time; Release at the end.
void ThroughProvider(const Setup& setup, const std::string& image, int parallel) {
  DockerProvider provider(setup.host);
  Prober prober(setup.Ports());
  prober.Start();
  auto started = Clock::now();
  std::atomic<int> next{0};
  std::mutex mutex;
  std::vector<std::pair<ResourceConfig, Value>> undos;
  std::vector<std::thread> workers;
  for (int w = 0; w < parallel; ++w) {
    workers.emplace_back([&] {
      ProviderContext context;
      context.run_id = "bench";
      for (int i = next++; i < setup.containers; i = next++) {
        ResourceConfig resource{"docker.container", setup.Name(i),
                                {{"name", Value(setup.Name(i))},
                                 {"min_uptime", Value(Duration(200))}}};
        ReadResult read = provider.Read(resource, context);
        DiffResult diff = provider.Diff({resource, read.state, {{"image", Value(image)}}});
        Operation operation{Operation::Kind::kChange, resource, diff.change};
        PrepareResult prepared = provider.Prepare(operation, context);
        ApplyResult applied = provider.Apply(operation, prepared.undo, context);
        if (!applied.error.empty()) {
          std::fprintf(stderr, "%s\n", applied.error.c_str());
          std::exit(1);
        }
        std::lock_guard<std::mutex> lock(mutex);
        undos.emplace_back(resource, applied.undo.is_null() ? prepared.undo : applied.undo);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  double total = Seconds(Clock::now() - started);
  std::vector<double> gaps = prober.Stop();
  ProviderContext context;
  for (auto& [resource, undo] : undos) {
    provider.Release({Operation::Kind::kChange, resource, undo}, context);
  }
  std::string label = "provider, " + std::to_string(parallel) + " at a time";
  Report(label.c_str(), total, gaps);
}

// (b) the bare calls: inspect, stop, rename, create (Config + HostConfig), start, wait until
// running, remove the old one; P at a time.
void BareApi(const Setup& setup, const std::string& image, int parallel) {
  std::string error;
  VersionCache versions;
  Prober prober(setup.Ports());
  prober.Start();
  auto started = Clock::now();
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < parallel; ++w) {
    workers.emplace_back([&] {
      std::string open_error;
      auto api = OpenDockerApi(setup.host, &versions, &open_error);
      for (int i = next++; i < setup.containers; i = next++) {
        std::string name = setup.Name(i);
        json old = json::parse(api->Get("/containers/" + name + "/json").body);
        std::string id = old["Id"];
        api->Post("/containers/" + id + "/stop");
        api->Post("/containers/" + id + "/rename?name=" + name + "-old");
        json body = old["Config"];
        body.erase("Hostname");
        body["Image"] = image;
        body["HostConfig"] = old["HostConfig"];
        json created = json::parse(api->Post("/containers/create?name=" + name, body.dump()).body);
        std::string new_id = created["Id"];
        api->Post("/containers/" + new_id + "/start");
        while (!json::parse(api->Get("/containers/" + new_id + "/json").body)["State"]["Running"]
                    .get<bool>()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        api->Delete("/containers/" + id + "?force=1");
      }
    });
  }
  for (auto& worker : workers) worker.join();
  double total = Seconds(Clock::now() - started);
  std::string label = "bare API calls, " + std::to_string(parallel) + " at a time";
  Report(label.c_str(), total, prober.Stop());
}

std::string ComposeFile(const Setup& setup, const std::string& image) {
  std::string text = "version: \"2.4\"\nservices:\n";
  for (int i = 0; i < setup.containers; ++i) {
    text += "  web" + std::to_string(i) + ":\n    image: " + image +
            "\n    network_mode: host\n    init: true\n    environment:\n      PORT: \"" +
            std::to_string(setup.base_port + i) + "\"\n";
  }
  return text;
}

// (c) docker-compose up -d after the image changed in the compose file.
void Compose(const Setup& setup, const std::string& from, const std::string& to) {
  std::string dir = Run("mktemp -d");
  dir.pop_back();
  std::string file = dir + "/docker-compose.yml";
  std::string compose = "/usr/bin/docker-compose -H " + setup.host + " -p benchweb -f " + file;
  std::ofstream(file) << ComposeFile(setup, from);
  Run(compose + " up -d 2>&1");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::ofstream(file) << ComposeFile(setup, to);
  Prober prober(setup.Ports());
  prober.Start();
  auto started = Clock::now();
  Run(compose + " up -d 2>&1");
  double total = Seconds(Clock::now() - started);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Report("docker-compose up -d", total, prober.Stop());
  Run(compose + " down 2>&1");
  Run("rm -rf " + dir);
}

}  // namespace

int main(int argc, char** argv) {
  Setup setup;
  const char* env_host = std::getenv("UPGRADE_TEST_DOCKER_HOST");
  if (env_host == nullptr) env_host = std::getenv("DOCKER_HOST");
  setup.host = env_host != nullptr ? env_host : "unix:///var/run/docker.sock";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--containers") setup.containers = std::atoi(argv[i + 1]);
    if (flag == "--parallel") setup.parallel = std::atoi(argv[i + 1]);
    if (flag == "--host") setup.host = argv[i + 1];
  }
  setup.base_port = 20000 + static_cast<int>(Clock::now().time_since_epoch().count() % 20000);
  std::printf("%d containers on %s (busybox httpd, --network host, --init)\n", setup.containers,
              setup.host.c_str());
  RemoveAll(setup);
  StartContainers(setup, "upgrade-test/web:v1");
  ThroughProvider(setup, "upgrade-test/web:v2", setup.parallel);
  ThroughProvider(setup, "upgrade-test/web:v1", 1);
  BareApi(setup, "upgrade-test/web:v2", setup.parallel);
  BareApi(setup, "upgrade-test/web:v1", 1);
  RemoveAll(setup);
  Compose(setup, "upgrade-test/web:v1", "upgrade-test/web:v2");
  return 0;
}
