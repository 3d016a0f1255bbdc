// A small HTTP client over libcurl, shared by the http, docker (Engine API over a unix socket)
// and s3 (SigV4-signed) providers. One client keeps its connection alive between requests.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace upgrade {

/// AWS Signature Version 4 credentials for a request; empty `access_key` means unsigned.
struct SigV4 {
  std::string region;
  std::string service = "s3";
  std::string access_key;
  std::string secret_key;  ///< sensitive: never logged
};

/// One HTTP request. The body comes from `body`, or streams from `body_file` when set; the
/// response body goes to `HttpResponse::body`, or streams to `response_file`, or to
/// `on_body_chunk` (return false to abort) when set.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string body_file;
  std::string response_file;
  std::function<bool(const char* data, size_t size)> on_body_chunk;
  std::string unix_socket;  ///< connect through this socket (the Docker Engine API)
  std::chrono::milliseconds timeout{30000};
  SigV4 sigv4;
};

/// The answer: `status` 0 with `error` set when no HTTP answer came (refused, timed out, DNS).
struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  std::string error;

  bool ok() const { return error.empty() && status >= 200 && status < 300; }
};

/// Sends requests with libcurl, reusing one connection. Not thread-safe: one per thread.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Send(const HttpRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Percent-encodes `text` for a URL path segment or query value (RFC 3986 unreserved kept;
/// with `keep_slash`, '/' is kept too, for object keys in paths).
std::string UrlEncode(const std::string& text, bool keep_slash = false);

}  // namespace upgrade
