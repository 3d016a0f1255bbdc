// docker.image on a live daemon: reading an image, pulling it from its registry with progress.
#pragma once

#include <string>

#include "providers/docker/docker_api.h"
#include "providers/provider.h"

namespace upgrade::docker {

/// Image `name` as the daemon has it: attributes `name`, `id` and `digest` (the first repo
/// digest, "" for an image never pulled or pushed), or absent.
ReadResult ReadImage(DockerApi& api, const std::string& name);

/// Pulls `name` from its registry (credentials from the docker client's config.json when it
/// has some), streaming progress to `context.progress`. Returns an error text, empty on success.
std::string PullImage(DockerApi& api, const std::string& name, ProviderContext& context);

/// Pulls `name` only when the daemon does not have it yet.
std::string EnsureImage(DockerApi& api, const std::string& name, ProviderContext& context);

/// The image's `.Config` as JSON text ("null" when the image is gone).
std::string ImageConfigJson(DockerApi& api, const std::string& image);

}  // namespace upgrade::docker
