// What a docker.container is, without talking to a daemon: its attributes read from
// `docker inspect`, the diff between them and a `set` block, and the create request of a
// container that replaces another with its configuration kept. Pure functions, unit-tested.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lang/value.h"
#include "providers/provider.h"

namespace upgrade::docker {

/// Attributes that recreate the container when they change, sorted.
const std::vector<std::string>& RecreateAttributes();

/// Settings of the provider's own (how long to wait, how many old containers to keep): they
/// may appear in `resource` and `set` blocks but are not part of the container's state.
const std::vector<std::string>& ContainerSettings();

/// How the provider works on one container, from its resource and set blocks.
struct ContainerSettingsValues {
  Duration health_timeout{std::chrono::seconds(60)};  ///< how long the health gate waits
  Duration min_uptime{std::chrono::seconds(1)};       ///< a start that dies sooner failed
  int stop_timeout_seconds = -1;                      ///< -1: the container's own default
  int keep_old = 0;  ///< old containers kept after a successful run (0: removed)
};
ContainerSettingsValues ReadSettings(const Value::Map& resource_config, const Value& private_data);

/// The container's state attributes from its inspect JSON and the `.Config` of its image
/// (null when the image is gone): values it only inherited from its image are left out
/// (`env`, `labels`) or null (`command`, `entrypoint`, `healthcheck`).
Value::Map ContainerAttributes(const nlohmann::json& inspect, const nlohmann::json& image_config);

/// Brings a `set` block's attributes to the form `ContainerAttributes` reports (ports as
/// "HOST:CONTAINER/proto", env values as strings, healthcheck tests as lists, lists sorted).
/// Returns an error text for a malformed attribute, empty when all is well.
std::string NormalizeDesired(Value::Map* desired);

/// The change from `prior` to `desired` for container `name` (see docs/providers/docker.md).
DiffResult DiffContainer(const std::string& name, const State& prior, const Value::Map& desired);

/// A create request and the networks to connect after it (the API takes one at create).
struct CreateRequest {
  std::string body;  ///< JSON for POST /containers/create
  std::vector<std::pair<std::string, std::string>> extra_networks;  ///< name, endpoint JSON
};

/// The request for a container replacing the one `inspect` describes: its Config (Hostname
/// dropped, what it inherited from `old_image_config` dropped so the new image's defaults
/// apply), HostConfig and networks, with `desired` applied on top.
CreateRequest RecreateRequest(const nlohmann::json& inspect, const nlohmann::json& old_image_config,
                              const Value::Map& desired);

/// The request for a brand-new container from `desired`; `run_label` marks it as made by a run.
CreateRequest NewContainerRequest(const Value::Map& desired, const std::string& run_label);

/// The label that marks a container created (not recreated) by a run, with the run id.
inline constexpr const char* kRunLabel = "io.upgrade.created-by-run";

/// A valid container name for the old container kept aside during run `run_id`.
std::string AsideName(const std::string& name, const std::string& run_id);
/// The prefix every aside name of `name` starts with.
std::string AsidePrefix(const std::string& name);

/// True for env keys whose values are treated as secrets (PASSWORD, TOKEN, SECRET, ...).
bool IsSecretEnvKey(const std::string& key);

}  // namespace upgrade::docker
