// The Docker Engine API as the docker provider speaks it: where the daemon listens
// (`unix://` or `tcp://`), the API version agreed through `/version`, JSON requests and the
// streamed answers (pull progress, exec and log output).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "providers/http/http_client.h"

namespace upgrade::docker {

/// The oldest Engine API the provider works with, and the newest it asks for.
inline constexpr const char* kMinApiVersion = "1.41";
inline constexpr const char* kMaxApiVersion = "1.43";

/// Where a daemon listens, parsed from `unix:///run/docker.sock` or `tcp://127.0.0.1:2375`.
struct DockerHost {
  std::string text;         ///< as written, for messages
  std::string unix_socket;  ///< the socket path; empty for tcp
  std::string base_url;     ///< "http://localhost" (unix) or "http://HOST:PORT" (tcp)
};

/// Parses a host. On failure returns nullopt and sets `*error`.
std::optional<DockerHost> ParseDockerHost(const std::string& text, std::string* error);

/// The host to talk to: `explicit_host` when set, else `provider_host`, else $DOCKER_HOST,
/// else the daemon's usual socket.
std::string ChooseHost(const std::string& explicit_host, const std::string& provider_host);

/// Compares dotted versions ("1.41" < "1.43"): negative, zero or positive.
int CompareApiVersions(const std::string& a, const std::string& b);

/// One answer of the Engine API.
struct ApiResponse {
  int status = 0;          ///< 0 when no HTTP answer came (see `transport_error`)
  std::string body;
  std::string transport_error;

  bool ok() const { return transport_error.empty() && status >= 200 && status < 300; }
  /// What went wrong, in the daemon's words (`{"message": ...}`) or the transport's.
  std::string Message() const;
};

/// Splits Docker's multiplexed stdout/stderr stream (8-byte frame headers) as it arrives.
class StreamDemuxer {
 public:
  void Feed(const char* data, size_t size);
  std::string out;
  std::string err;

 private:
  std::string pending_;
};

/// The API version each daemon agreed to, shared by all calls of one provider.
class VersionCache {
 public:
  std::optional<std::string> Find(const std::string& host) const;
  void Store(const std::string& host, const std::string& version);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> versions_;
};

/// A conversation with one daemon. Not thread-safe: make one per operation.
class DockerApi {
 public:
  DockerApi(DockerHost host, VersionCache* versions);

  /// Agrees on an API version through `/version` (once per host). Returns an error text,
  /// empty when the daemon answered with a version the provider supports.
  std::string Connect();

  ApiResponse Get(const std::string& path);
  ApiResponse Post(const std::string& path, const std::string& json_body = "");
  ApiResponse Delete(const std::string& path);
  /// A request whose answer is consumed as it streams (pull progress, exec output).
  ApiResponse Stream(const std::string& method, const std::string& path,
                     const std::string& json_body,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     const std::function<bool(const char*, size_t)>& on_chunk,
                     std::chrono::milliseconds timeout);

  /// GET and parse; on failure returns false with `*status` and `*error` set.
  bool GetJson(const std::string& path, nlohmann::json* out, int* status, std::string* error);

  const DockerHost& host() const { return host_; }
  const std::string& api_version() const { return version_; }

 private:
  ApiResponse Send(HttpRequest request);
  std::string Url(const std::string& path) const;

  DockerHost host_;
  VersionCache* versions_;
  std::string version_;
  HttpClient client_;
};

/// A conversation with the daemon at `host_text`, version agreed. On failure returns nullptr
/// and sets `*error` (an unparsable host, an unreachable daemon, an API too old).
std::unique_ptr<DockerApi> OpenDockerApi(const std::string& host_text, VersionCache* versions,
                                         std::string* error);

/// "cannot reach the docker daemon at unix:///x.sock: <why>" when `response` got no HTTP
/// answer, else "<what>: <daemon's message>".
std::string DescribeFailure(const DockerApi& api, const std::string& what,
                            const ApiResponse& response);

}  // namespace upgrade::docker
