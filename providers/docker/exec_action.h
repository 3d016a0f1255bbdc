// `run docker.exec { container, argv, undo }`: a command run inside a running container (a
// schema upgrade, a cache flush), with its exit code and output; reversible through `undo`.
#pragma once

#include <string>
#include <vector>

#include "providers/docker/docker_api.h"
#include "providers/provider.h"

namespace upgrade::docker {

/// What one command inside a container did.
struct ExecOutcome {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string error;  ///< the command could not run at all
};

/// Runs `argv` in container `container` through the exec API and waits for it.
ExecOutcome RunExec(DockerApi& api, const std::string& container,
                    const std::vector<std::string>& argv, const Value::Map& env,
                    const std::string& user, const std::string& workdir);

/// The `docker.exec` action's Apply: an error when the command exits non-zero; the output
/// map {exit_code, stdout, stderr} otherwise.
ApplyResult ApplyExec(DockerApi& api, const Operation& operation);

/// Runs the `undo` command recorded by Prepare (nothing when there is none).
ReverseResult ReverseExec(DockerApi& api, const ReverseRequest& request);

/// The container name an attribute or function argument designates: a string, or a
/// docker.container resource (the map of its attributes, by its `name`).
std::string ContainerNameOf(const Value& value);

/// argv from a list value (or a string: run through /bin/sh -c).
std::vector<std::string> ArgvOf(const Value& value);

}  // namespace upgrade::docker
