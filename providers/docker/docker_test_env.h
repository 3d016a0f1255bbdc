// What the docker integration tests share: the test daemon from scripts/test-services.sh, the
// docker CLI as an independent witness, containers of the busybox test images on free
// loopback ports, and one change driven through the provider the way the executor drives it.
#pragma once

#include <string>
#include <vector>

#include "providers/docker/docker_provider.h"
#include "tests/support/test_support.h"

namespace upgrade::docker::testing {

/// A free TCP port on 127.0.0.1.
int FreePort();

/// The body of GET http://127.0.0.1:PORT/PATH, or "" when nothing answers.
std::string HttpGetBody(int port, const std::string& path);

/// What one change driven through the provider left: Diff's change, Prepare's undo (refined
/// by Apply), Apply's answer.
struct Driven {
  DiffResult diff;
  PrepareResult prepare;
  ApplyResult apply;
  Value undo;  ///< Apply's refined undo when it gave one, else Prepare's
};

/// Three web containers on upgrade-test/web:v1, as the rolling-upgrade tests start from.
struct RollingNodes {
  std::vector<std::string> names;
  std::vector<int> ports;
  std::vector<std::string> ids;
  std::vector<std::string> started_at;  ///< each one's State.StartedAt once healthy
};

/// The test daemon and a scratch area of containers removed at the end.
class DockerTestEnv {
 public:
  DockerTestEnv();
  ~DockerTestEnv();

  const std::string& host() const { return host_; }
  const std::string& registry() const { return registry_; }
  DockerProvider& provider() { return provider_; }
  ProviderContext& context() { return context_; }
  const std::vector<std::string>& progress() const { return progress_; }

  /// A container name unique to this test, removed (with its aside copies) at the end.
  std::string Name(const std::string& base);
  /// `docker ARGS...` against the test daemon; fails the test when it exits non-zero.
  std::string Docker(const std::vector<std::string>& args, bool must_succeed = true);
  /// Starts `image` as NAME, --network host --init, serving on `port`, with a healthcheck on
  /// /health (unless `healthcheck` is false); waits until Docker says it is healthy (with that
  /// check or a `--health-cmd` among `extra`), else running.
  std::string RunWeb(const std::string& name, const std::string& image, int port,
                     bool healthcheck = true, const std::vector<std::string>& extra = {});
  /// Three healthy web containers named from `base`; the second one's health check also
  /// insists on version 1 (say, a client it serves that only speaks v1), so it turns unhealthy
  /// on v2.
  RollingNodes StartRollingNodes(const std::string& base);
  /// What a rolling upgrade of `nodes` whose second node failed must leave: every node the very
  /// container it was, running and serving v1; the first restarted, the third never touched.
  void ExpectFirstPutBackAndThirdUntouched(const RollingNodes& nodes);
  /// `docker inspect -f FORMAT TARGET`, trimmed; "" when there is no such object.
  std::string Inspect(const std::string& target, const std::string& format);

  ResourceConfig Container(const std::string& name, Value::Map extra = {}) const;
  ResourceConfig Image(const std::string& name) const;

  /// Read, Diff against `desired`, Prepare and Apply, as the executor does.
  Driven Drive(const ResourceConfig& resource, const Value::Map& desired);
  ReverseResult Reverse(const ResourceConfig& resource, const Value& undo);
  std::string Release(const ResourceConfig& resource, const Value& undo);

 private:
  std::string host_;
  std::string registry_;
  DockerProvider provider_;
  ProviderContext context_;
  std::vector<std::string> progress_;
  std::vector<std::string> names_;
};

}  // namespace upgrade::docker::testing
