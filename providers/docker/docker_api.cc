// The Engine API transport: host parsing, version agreement and JSON requests over libcurl.
#include "providers/docker/docker_api.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

namespace upgrade::docker {

std::optional<DockerHost> ParseDockerHost(const std::string& text, std::string* error) {
  DockerHost host;
  host.text = text;
  if (text.rfind("unix://", 0) == 0) {
    host.unix_socket = text.substr(7);
    host.base_url = "http://localhost";
    if (host.unix_socket.empty() || host.unix_socket[0] != '/') {
      *error = "docker host " + text + " must name an absolute socket path (unix:///path)";
      return std::nullopt;
    }
    return host;
  }
  if (text.rfind("tcp://", 0) == 0 || text.rfind("http://", 0) == 0) {
    std::string address = text.substr(text.find("://") + 3);
    while (!address.empty() && address.back() == '/') address.pop_back();
    if (address.empty()) {
      *error = "docker host " + text + " names no address (tcp://HOST:PORT)";
      return std::nullopt;
    }
    host.base_url = "http://" + address;
    return host;
  }
  *error = "docker host " + text + " is not supported (use unix:///path or tcp://HOST:PORT)";
  return std::nullopt;
}

std::string ChooseHost(const std::string& explicit_host, const std::string& provider_host) {
  if (!explicit_host.empty()) return explicit_host;
  if (!provider_host.empty()) return provider_host;
  const char* env = std::getenv("DOCKER_HOST");
  if (env != nullptr && *env != '\0') return env;
  return "unix:///var/run/docker.sock";
}

int CompareApiVersions(const std::string& a, const std::string& b) {
  std::istringstream left(a), right(b);
  while (left.good() || right.good()) {
    int x = 0, y = 0;
    char dot;
    if (left.good()) left >> x;
    if (right.good()) right >> y;
    if (x != y) return x < y ? -1 : 1;
    if (left.good()) left >> dot;
    if (right.good()) right >> dot;
  }
  return 0;
}

std::string ApiResponse::Message() const {
  if (!transport_error.empty()) return transport_error;
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    return parsed["message"].get<std::string>();
  }
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return "HTTP status " + std::to_string(status);
  return text;
}

void StreamDemuxer::Feed(const char* data, size_t size) {
  pending_.append(data, size);
  // Each frame: 1 byte stream (1 stdout, 2 stderr), 3 zero bytes, 4 bytes big-endian length.
  while (pending_.size() >= 8) {
    size_t length = (static_cast<unsigned char>(pending_[4]) << 24) |
                    (static_cast<unsigned char>(pending_[5]) << 16) |
                    (static_cast<unsigned char>(pending_[6]) << 8) |
                    static_cast<unsigned char>(pending_[7]);
    if (pending_.size() < 8 + length) return;
    (pending_[0] == 2 ? err : out).append(pending_, 8, length);
    pending_.erase(0, 8 + length);
  }
}

std::optional<std::string> VersionCache::Find(const std::string& host) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = versions_.find(host);
  if (it == versions_.end()) return std::nullopt;
  return it->second;
}

void VersionCache::Store(const std::string& host, const std::string& version) {
  std::lock_guard<std::mutex> lock(mutex_);
  versions_[host] = version;
}

DockerApi::DockerApi(DockerHost host, VersionCache* versions)
    : host_(std::move(host)), versions_(versions) {}

std::string DockerApi::Connect() {
  if (auto known = versions_->Find(host_.text)) {
    version_ = *known;
    return "";
  }
  HttpRequest request;
  request.url = host_.base_url + "/version";
  request.timeout = std::chrono::seconds(10);
  ApiResponse response = Send(request);
  if (!response.ok()) return DescribeFailure(*this, "cannot ask the docker daemon its version",
                                             response);
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  std::string server = parsed.is_object() ? parsed.value("ApiVersion", "") : "";
  if (server.empty()) {
    return "the docker daemon at " + host_.text + " did not say which API version it speaks";
  }
  if (CompareApiVersions(server, kMinApiVersion) < 0) {
    return "the docker daemon at " + host_.text + " speaks API " + server + "; upgrade needs " +
           kMinApiVersion + " or later";
  }
  version_ = CompareApiVersions(server, kMaxApiVersion) < 0 ? server : kMaxApiVersion;
  versions_->Store(host_.text, version_);
  return "";
}

std::string DockerApi::Url(const std::string& path) const {
  return host_.base_url + "/v" + version_ + path;
}

ApiResponse DockerApi::Send(HttpRequest request) {
  request.unix_socket = host_.unix_socket;
  HttpResponse http = client_.Send(request);
  ApiResponse response;
  response.status = http.status;
  response.body = std::move(http.body);
  response.transport_error = http.status == 0 ? http.error : "";
  if (http.status == 0 && response.transport_error.empty()) {
    response.transport_error = "no answer";
  }
  return response;
}

ApiResponse DockerApi::Get(const std::string& path) {
  HttpRequest request;
  request.url = Url(path);
  return Send(request);
}

ApiResponse DockerApi::Post(const std::string& path, const std::string& json_body) {
  HttpRequest request;
  request.method = "POST";
  request.url = Url(path);
  request.body = json_body;
  if (!json_body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  // Stopping waits for the container's grace period; the daemon answers only afterwards.
  request.timeout = std::chrono::minutes(5);
  return Send(request);
}

ApiResponse DockerApi::Delete(const std::string& path) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = Url(path);
  request.timeout = std::chrono::minutes(2);
  return Send(request);
}

ApiResponse DockerApi::Stream(const std::string& method, const std::string& path,
                              const std::string& json_body,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::function<bool(const char*, size_t)>& on_chunk,
                              std::chrono::milliseconds timeout) {
  HttpRequest request;
  request.method = method;
  request.url = Url(path);
  request.body = json_body;
  request.headers = headers;
  if (!json_body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  // Error answers are short JSON documents: keep them whole so Message() can read them.
  auto error_body = std::make_shared<std::string>();
  request.on_body_chunk = [on_chunk, error_body](const char* data, size_t size) {
    if (error_body->size() < 65536) {
      error_body->append(data, std::min<size_t>(size, 65536 - error_body->size()));
    }
    return on_chunk(data, size);
  };
  request.timeout = timeout;
  ApiResponse response = Send(request);
  if (!response.ok() && response.body.empty()) response.body = *error_body;
  return response;
}

bool DockerApi::GetJson(const std::string& path, nlohmann::json* out, int* status,
                        std::string* error) {
  ApiResponse response = Get(path);
  *status = response.status;
  if (!response.ok()) {
    *error = response.Message();
    return false;
  }
  *out = nlohmann::json::parse(response.body, nullptr, false);
  if (out->is_discarded()) {
    *error = "the docker daemon answered " + path + " with invalid JSON";
    return false;
  }
  return true;
}

std::unique_ptr<DockerApi> OpenDockerApi(const std::string& host_text, VersionCache* versions,
                                         std::string* error) {
  auto host = ParseDockerHost(host_text, error);
  if (!host) return nullptr;
  auto api = std::make_unique<DockerApi>(*host, versions);
  *error = api->Connect();
  if (!error->empty()) return nullptr;
  return api;
}

std::string DescribeFailure(const DockerApi& api, const std::string& what,
                            const ApiResponse& response) {
  if (!response.transport_error.empty()) {
    return "cannot reach the docker daemon at " + api.host().text + ": " +
           response.transport_error;
  }
  return what + ": " + response.Message();
}

}  // namespace upgrade::docker
