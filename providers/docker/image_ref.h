// Image references ("127.0.0.1:5000/upgrade-test/web:v1", "busybox@sha256:...") and the
// registry credentials a pull of one sends, read from the docker client's config.json.
#pragma once

#include <string>

namespace upgrade::docker {

/// An image reference split into the parts the Engine API asks for.
struct ImageRef {
  std::string registry;    ///< "127.0.0.1:5000"; "docker.io" when the name has none
  std::string repository;  ///< as written, without tag or digest: "127.0.0.1:5000/upgrade-test/web"
  std::string tag;         ///< "v1"; "latest" when the name has neither tag nor digest
  std::string digest;      ///< "sha256:..." when pinned by digest
};

/// Splits `text`; never fails (a malformed name is for the daemon to refuse).
ImageRef ParseImageRef(const std::string& text);

/// The value of the X-Registry-Auth header for `registry`, from the text of a docker
/// config.json (`auths`), or "" when it holds no credentials for it.
std::string RegistryAuthFromConfig(const std::string& config_json, const std::string& registry);

/// The same, reading $DOCKER_CONFIG/config.json or ~/.docker/config.json when present.
std::string RegistryAuthFor(const std::string& registry);

/// Standard base64 and its URL-safe variant (the alphabet X-Registry-Auth uses).
std::string Base64Encode(const std::string& bytes, bool url_safe);
std::string Base64Decode(const std::string& text);

}  // namespace upgrade::docker
