// docker.container on a live daemon: read, prepare the undo record, apply (create, recreate
// with the old container kept aside, stop/start in place, remove aside), reverse, release.
//
// The undo record of a change (a Value map, relayed by core unread):
//   op        "create" | "recreate" | "delete" | "state"
//   name      the container's name
//   host      the daemon
//   old_id    the container that was there (recreate, delete, state)
//   old_running  whether it ran
//   aside     the name it is kept under until the run ends (recreate, delete):
//             NAME-upgrade-old-RUN_ID, chosen by Prepare before anything changes
//   run_id    the run; a created container carries it in a label
//   new_id    the container made by Apply (added by Apply once known)
//   keep_old  how many old containers Release keeps
#pragma once

#include <string>

#include "providers/docker/docker_api.h"
#include "providers/provider.h"

namespace upgrade::docker {

/// Container `name` with its attributes (see container_spec.h), or absent.
ReadResult ReadContainer(DockerApi& api, const std::string& name);

PrepareResult PrepareContainer(DockerApi& api, const Operation& operation,
                               ProviderContext& context);
ApplyResult ApplyContainer(DockerApi& api, const Operation& operation, const Value& undo,
                           ProviderContext& context);
/// Idempotent: right whether Apply ran fully, partly or not at all.
ReverseResult ReverseContainer(DockerApi& api, const ReverseRequest& request,
                               ProviderContext& context);
/// Why ReverseContainer cannot put the old container back now (it is gone: let go of by
/// Release, or removed by hand), or empty. Reads only.
std::string CheckContainerReverse(DockerApi& api, const ReverseRequest& request);
/// Removes the old container kept aside (or keeps the newest `keep_old` of them).
std::string ReleaseContainer(DockerApi& api, const ReverseRequest& request,
                             ProviderContext& context);

/// Docker's view of container `name`'s health, for `docker.healthy` and friends:
/// "healthy", "unhealthy", "starting", "none" (no healthcheck) or "absent"; plus whether it
/// runs and its ids. Returns an error text, empty on success.
struct ContainerStatus {
  bool exists = false;
  bool running = false;
  std::string health = "absent";
  std::string id;
  std::string image_id;
};
std::string InspectStatus(DockerApi& api, const std::string& name, ContainerStatus* status);

}  // namespace upgrade::docker
