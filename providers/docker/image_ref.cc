// Parsing of image references and lookup of registry credentials.
#include "providers/docker/image_ref.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace upgrade::docker {
namespace {

// The first path component names a registry only when it looks like a host, as docker decides.
bool LooksLikeRegistry(const std::string& component) {
  return component.find('.') != std::string::npos || component.find(':') != std::string::npos ||
         component == "localhost";
}

// "https://127.0.0.1:5000/v1/" and "127.0.0.1:5000" name the same registry.
std::string NormalizeRegistry(std::string key) {
  size_t scheme = key.find("://");
  if (scheme != std::string::npos) key = key.substr(scheme + 3);
  size_t slash = key.find('/');
  if (slash != std::string::npos) key = key.substr(0, slash);
  if (key == "index.docker.io" || key == "registry-1.docker.io") key = "docker.io";
  return key;
}

}  // namespace

ImageRef ParseImageRef(const std::string& text) {
  ImageRef ref;
  std::string name = text;
  size_t at = name.find('@');
  if (at != std::string::npos) {
    ref.digest = name.substr(at + 1);
    name = name.substr(0, at);
  }
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  ref.repository = name;
  size_t first_slash = name.find('/');
  ref.registry = first_slash != std::string::npos && LooksLikeRegistry(name.substr(0, first_slash))
                     ? name.substr(0, first_slash)
                     : "docker.io";
  return ref;
}

std::string Base64Encode(const std::string& bytes, bool url_safe) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(length));
  if (url_safe) {
    for (char& c : out) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
  }
  return out;
}

std::string Base64Decode(const std::string& text) {
  std::string clean;
  for (char c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
    if (c != '\n' && c != '\r' && c != ' ') clean += c;
  }
  while (clean.size() % 4 != 0) clean += '=';
  std::string out(3 * clean.size() / 4 + 1, '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(clean.data()),
                               static_cast<int>(clean.size()));
  if (length < 0) return "";
  size_t padding = 0;
  for (size_t i = clean.size(); i > 0 && clean[i - 1] == '='; --i) ++padding;
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

std::string RegistryAuthFromConfig(const std::string& config_json, const std::string& registry) {
  auto config = nlohmann::json::parse(config_json, nullptr, false);
  if (!config.is_object() || !config.contains("auths") || !config["auths"].is_object()) return "";
  for (const auto& [key, entry] : config["auths"].items()) {
    if (NormalizeRegistry(key) != NormalizeRegistry(registry) || !entry.is_object()) continue;
    nlohmann::json auth = {{"serveraddress", key}};
    if (entry.contains("identitytoken") && entry["identitytoken"].is_string()) {
      auth["identitytoken"] = entry["identitytoken"];
    } else if (entry.contains("auth") && entry["auth"].is_string()) {
      std::string pair = Base64Decode(entry["auth"].get<std::string>());
      size_t colon = pair.find(':');
      if (colon == std::string::npos) continue;
      auth["username"] = pair.substr(0, colon);
      auth["password"] = pair.substr(colon + 1);
    } else if (entry.contains("username") && entry.contains("password")) {
      auth["username"] = entry["username"];
      auth["password"] = entry["password"];
    } else {
      continue;
    }
    return Base64Encode(auth.dump(), /*url_safe=*/true);
  }
  return "";
}

std::string RegistryAuthFor(const std::string& registry) {
  std::string dir;
  if (const char* env = std::getenv("DOCKER_CONFIG"); env != nullptr && *env != '\0') {
    dir = env;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    dir = std::string(home) + "/.docker";
  } else {
    return "";
  }
  std::ifstream file(dir + "/config.json");
  if (!file) return "";
  std::stringstream text;
  text << file.rdbuf();
  return RegistryAuthFromConfig(text.str(), registry);
}

}  // namespace upgrade::docker
