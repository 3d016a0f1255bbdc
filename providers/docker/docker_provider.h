// The `docker` provider: docker.image and docker.container resources, the docker.exec
// action and the docker.* functions, over the Docker Engine API (see docs/providers/docker.md).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "providers/docker/docker_api.h"
#include "providers/provider.h"

namespace upgrade::docker {

/// Talks to the daemon a resource names with `host`, else to the provider's `default_host`,
/// else to $DOCKER_HOST, else to unix:///var/run/docker.sock. Thread-safe: every call opens
/// its own connection.
class DockerProvider : public Provider {
 public:
  explicit DockerProvider(std::string default_host = "");

  std::string Name() const override { return "docker"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
  std::string CheckReverse(const ReverseRequest& request, ProviderContext& context) override;
  bool KeepsAside(const ReverseRequest& request) const override;
  std::string Release(const ReverseRequest& request, ProviderContext& context) override;
  CallResult Call(const std::string& name, const std::vector<Value>& args,
                  ProviderContext& context) override;

 private:
  /// A connection to the daemon `host_attribute` names (or the default one).
  std::unique_ptr<DockerApi> Open(const Value& host_attribute, std::string* error);
  /// `act` on the daemon of the container `request` names, for an operation that kept an old
  /// container aside (KeepsAside); "" for any other, or why the daemon cannot be reached.
  std::string OnKeptContainer(const ReverseRequest& request,
                              const std::function<std::string(DockerApi& api)>& act);

  std::string default_host_;
  VersionCache versions_;
};

}  // namespace upgrade::docker
