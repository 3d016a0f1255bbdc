// A client of the S3 REST API over the shared HttpClient: buckets, objects, listings and
// multipart uploads, signed with SigV4 by libcurl, answers' XML errors parsed, transient
// failures (network, 5xx, 503 SlowDown, 429) retried with exponential backoff.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "providers/http/http_client.h"

namespace upgrade::s3 {

/// Where and how to reach an S3 service, and the credentials that sign requests (sensitive:
/// never in messages, logs or state).
struct Endpoint {
  std::string url = "https://s3.us-east-1.amazonaws.com";  ///< scheme://host[:port], no path
  std::string region = "us-east-1";
  bool path_style = true;  ///< true: URL/bucket/key; false: bucket.host/key (virtual-hosted)
  std::string access_key;     ///< empty: unsigned (anonymous) requests
  std::string secret_key;
  std::string session_token;  ///< temporary credentials' token, sent as x-amz-security-token
};

/// Why a request failed: the HTTP status (0: no answer) and S3's error code and message from
/// the XML body (for HEAD, which has no body, a code named after the status).
struct Error {
  int http_status = 0;
  std::string code;     ///< "NoSuchBucket", "AccessDenied", "SlowDown"; "" for network errors
  std::string message;  ///< S3's message, or the network error
  std::string what;     ///< the request: "PUT s3://bucket/key"

  /// "s3: PUT s3://b/k: NoSuchBucket: The specified bucket does not exist (HTTP 404)".
  std::string ToString() const;
};

/// An object's metadata from a HEAD: exists false when S3 answered 404.
struct ObjectHead {
  bool exists = false;
  long long size = 0;
  std::string etag;  ///< without quotes
  std::string content_type;
  std::string version_id;
  std::map<std::string, std::string> metadata;  ///< x-amz-meta-* without the prefix
};

/// One entry of a listing.
struct ListedObject {
  std::string key;
  long long size = 0;
  std::string etag;  ///< without quotes
};

/// How hard to retry transient failures.
struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds first_delay{100};
  std::chrono::milliseconds max_delay{3000};
};

/// Talks to one endpoint over one kept-alive connection. Not thread-safe: one per thread.
class Client {
 public:
  explicit Client(Endpoint endpoint, RetryPolicy retry = {});

  const Endpoint& endpoint() const { return endpoint_; }
  /// The last failure of any method that returned false.
  const Error& error() const { return error_; }
  /// How many requests were retried since this client was made (for tests and progress).
  int retries() const { return retries_; }
  /// Adds a header to every request; tests fix `x-amz-date` and `Host` to sign AWS's examples.
  void AddHeader(std::string name, std::string value) {
    extra_headers_.emplace_back(std::move(name), std::move(value));
  }

  bool ListBuckets(std::vector<std::string>* names);
  /// `*exists` false when the bucket is missing (404); false on other failures.
  bool HeadBucket(const std::string& bucket, bool* exists);
  bool CreateBucket(const std::string& bucket);
  bool DeleteBucket(const std::string& bucket);
  /// The bucket's versioning status ("Enabled", "Suspended", "" when never set); `*supported`
  /// false when the server does not implement versioning (s3rver answers with a listing).
  bool GetVersioning(const std::string& bucket, std::string* status, bool* supported);
  bool PutVersioning(const std::string& bucket, bool enabled);

  bool HeadObject(const std::string& bucket, const std::string& key, ObjectHead* head);
  bool GetObject(const std::string& bucket, const std::string& key, std::string* bytes);
  /// Streams the object into `path` (created or truncated).
  bool GetObjectToFile(const std::string& bucket, const std::string& key,
                       const std::string& path);
  /// Passes the object's `size` bytes through `on_chunk` in bounded ranges (hashing it
  /// without holding it whole).
  bool GetObjectStream(const std::string& bucket, const std::string& key, long long size,
                       const std::function<void(const char*, size_t)>& on_chunk);
  /// Bytes [offset, offset + length) of the object.
  bool GetObjectRange(const std::string& bucket, const std::string& key, long long offset,
                      long long length, std::string* bytes);
  /// One PUT of `bytes` (from memory) or of the file at `path` when `bytes` is null. `md5_raw`
  /// and `sha256_hex` describe the body; `*etag` receives S3's ETag.
  bool PutObject(const std::string& bucket, const std::string& key, const std::string* bytes,
                 const std::string& path, const std::string& md5_raw,
                 const std::string& sha256_hex, const std::string& content_type,
                 const std::map<std::string, std::string>& metadata, std::string* etag);
  /// DELETE; a missing object is success (S3 answers 204 either way).
  bool DeleteObject(const std::string& bucket, const std::string& key);
  /// Every object under `prefix`, following continuation tokens.
  bool ListObjects(const std::string& bucket, const std::string& prefix,
                   std::vector<ListedObject>* objects);

  bool CreateMultipartUpload(const std::string& bucket, const std::string& key,
                             const std::string& content_type,
                             const std::map<std::string, std::string>& metadata,
                             std::string* upload_id);
  bool UploadPart(const std::string& bucket, const std::string& key,
                  const std::string& upload_id, int part_number, const std::string& bytes,
                  const std::string& md5_raw, std::string* etag);
  /// `part_etags[i]` is part i+1's ETag; `*etag` receives the object's.
  bool CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                               const std::string& upload_id,
                               const std::vector<std::string>& part_etags, std::string* etag);
  bool AbortMultipartUpload(const std::string& bucket, const std::string& key,
                            const std::string& upload_id);

  /// The URL of `bucket`/`key` (either may be empty) with `query` ("a=1&b=2", sorted).
  std::string UrlOf(const std::string& bucket, const std::string& key,
                    const std::string& query = "") const;

 private:
  /// Signs and sends `request`, retrying transient failures; fills error_ and returns false
  /// when the final answer is not 2xx (or is in `accepted`).
  bool Send(HttpRequest& request, const std::string& what, HttpResponse* response,
            const std::vector<int>& accepted = {});
  void Sign(HttpRequest& request, const std::string& payload_sha256) const;
  bool Fail(const HttpResponse& response, const std::string& what);

  Endpoint endpoint_;
  RetryPolicy retry_;
  HttpClient http_;
  Error error_;
  int retries_ = 0;
  std::vector<std::pair<std::string, std::string>> extra_headers_;
};

/// SHA-256 of the empty payload, the x-amz-content-sha256 of requests without a body.
inline constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Builds "a=1&b=2" from pairs, sorted by name, values encoded as SigV4 wants.
std::string QueryString(std::vector<std::pair<std::string, std::string>> pairs);

}  // namespace upgrade::s3
