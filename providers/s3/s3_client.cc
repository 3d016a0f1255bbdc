// The S3 REST client (see s3_client.h). Every request goes through Send: it signs with SigV4
// (libcurl computes the signature from the SigV4 credentials; we set the payload hash and the
// session token ourselves, and write query strings sorted and encoded), retries transient
// failures, and turns S3's XML errors into Error.
#include "providers/s3/s3_client.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <random>
#include <thread>

#include "providers/s3/s3_digest.h"
#include "providers/s3/s3_xml.h"

namespace upgrade::s3 {
namespace {

bool IsTransient(const HttpResponse& response, const std::string& code) {
  if (response.status == 0) return true;
  if (response.status == 429 || response.status >= 500) return true;
  return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" ||
         code == "ServiceUnavailable";
}

/// What a body-less answer (HEAD) means, since it carries no XML code.
std::string CodeOfStatus(int status) {
  switch (status) {
    case 301: return "PermanentRedirect";
    case 400: return "BadRequest";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 503: return "SlowDown";
    default: return "HTTP" + std::to_string(status);
  }
}

std::string Unquote(const std::string& etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    return etag.substr(1, etag.size() - 2);
  return etag;
}

std::string HeaderOf(const HttpResponse& response, const std::string& name) {
  auto it = response.headers.find(name);
  return it == response.headers.end() ? "" : it->second;
}

std::string S3Path(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + (key.empty() ? "" : "/" + key);
}

void AddMetadataHeaders(const std::map<std::string, std::string>& metadata,
                        HttpRequest* request) {
  for (const auto& [name, value] : metadata)
    request->headers.emplace_back("x-amz-meta-" + name, value);
}

}  // namespace

std::string Error::ToString() const {
  std::string text = "s3: " + what + ": ";
  if (http_status == 0) return text + message;
  text += code.empty() ? "HTTP " + std::to_string(http_status) : code;
  if (!message.empty()) text += ": " + message;
  return text + " (HTTP " + std::to_string(http_status) + ")";
}

std::string QueryString(std::vector<std::pair<std::string, std::string>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  std::string query;
  for (const auto& [name, value] : pairs) {
    if (!query.empty()) query += "&";
    query += UrlEncode(name, false) + "=" + UrlEncode(value, false);
  }
  return query;
}

Client::Client(Endpoint endpoint, RetryPolicy retry)
    : endpoint_(std::move(endpoint)), retry_(retry) {}

std::string Client::UrlOf(const std::string& bucket, const std::string& key,
                          const std::string& query) const {
  std::string url = endpoint_.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::string path;
  if (!bucket.empty() && !endpoint_.path_style) {
    size_t scheme_end = url.find("://");
    size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    url.insert(host_start, bucket + ".");
  } else if (!bucket.empty()) {
    path = "/" + bucket;
  }
  if (!key.empty()) path += "/" + UrlEncode(key, true);
  if (path.empty()) path = "/";
  return url + path + (query.empty() ? "" : "?" + query);
}

void Client::Sign(HttpRequest& request, const std::string& payload_sha256) const {
  for (const auto& header : extra_headers_) request.headers.push_back(header);
  request.headers.emplace_back("x-amz-content-sha256", payload_sha256);
  if (endpoint_.access_key.empty()) return;
  if (!endpoint_.session_token.empty())
    request.headers.emplace_back("x-amz-security-token", endpoint_.session_token);
  request.sigv4.region = endpoint_.region;
  request.sigv4.service = "s3";
  request.sigv4.access_key = endpoint_.access_key;
  request.sigv4.secret_key = endpoint_.secret_key;
}

bool Client::Fail(const HttpResponse& response, const std::string& what) {
  error_ = Error{};
  error_.what = what;
  error_.http_status = response.status;
  if (response.status == 0) {
    error_.message = "cannot reach " + endpoint_.url + ": " + response.error;
    return false;
  }
  error_.code = XmlText(response.body, "Code");
  error_.message = XmlText(response.body, "Message");
  if (error_.code.empty()) error_.code = CodeOfStatus(response.status);
  return false;
}

bool Client::Send(HttpRequest& request, const std::string& what, HttpResponse* response,
                  const std::vector<int>& accepted) {
  std::mt19937 jitter(std::random_device{}());
  std::chrono::milliseconds delay = retry_.first_delay;
  for (int attempt = 1;; ++attempt) {
    *response = http_.Send(request);
    bool is_accepted =
        std::find(accepted.begin(), accepted.end(), response->status) != accepted.end();
    if (response->ok() || (response->error.empty() && is_accepted)) {
      // CompleteMultipartUpload may answer 200 with an error in the body.
      if (!XmlHas(response->body, "Error")) return true;
    }
    std::string code = response->status == 0 ? "" : XmlText(response->body, "Code");
    if (attempt >= retry_.max_attempts || !IsTransient(*response, code)) {
      return Fail(*response, what);
    }
    ++retries_;
    std::uniform_int_distribution<long> spread(0, delay.count() / 2);
    std::this_thread::sleep_for(delay + std::chrono::milliseconds(spread(jitter)));
    delay = std::min(delay * 2, retry_.max_delay);
  }
}

bool Client::ListBuckets(std::vector<std::string>* names) {
  HttpRequest request;
  request.url = UrlOf("", "");
  Sign(request, kEmptySha256);
  HttpResponse response;
  if (!Send(request, "GET " + endpoint_.url, &response)) return false;
  names->clear();
  for (const std::string& bucket : XmlElements(response.body, "Bucket"))
    names->push_back(XmlText(bucket, "Name"));
  return true;
}

bool Client::HeadBucket(const std::string& bucket, bool* exists) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = UrlOf(bucket, "");
  Sign(request, kEmptySha256);
  HttpResponse response;
  *exists = false;
  if (Send(request, "HEAD " + S3Path(bucket, ""), &response, {404})) {
    *exists = response.status != 404;
    return true;
  }
  return false;
}

bool Client::CreateBucket(const std::string& bucket) {
  HttpRequest request;
  request.method = "PUT";
  request.url = UrlOf(bucket, "");
  if (endpoint_.region != "us-east-1") {
    request.body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" + XmlEscape(endpoint_.region) +
        "</LocationConstraint></CreateBucketConfiguration>";
    request.headers.emplace_back("Content-Type", "application/xml");
  }
  Sign(request, Sha256HexOf(request.body));
  HttpResponse response;
  return Send(request, "PUT " + S3Path(bucket, ""), &response);
}

bool Client::DeleteBucket(const std::string& bucket) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = UrlOf(bucket, "");
  Sign(request, kEmptySha256);
  HttpResponse response;
  return Send(request, "DELETE " + S3Path(bucket, ""), &response);
}

bool Client::GetVersioning(const std::string& bucket, std::string* status, bool* supported) {
  HttpRequest request;
  request.url = UrlOf(bucket, "", "versioning=");
  Sign(request, kEmptySha256);
  HttpResponse response;
  if (!Send(request, "GET " + S3Path(bucket, "") + "?versioning", &response)) {
    *supported = error_.code != "NotImplemented";
    return !*supported;
  }
  // A server without versioning may ignore the subresource and answer with a listing.
  *supported = XmlHas(response.body, "VersioningConfiguration");
  *status = *supported ? XmlText(response.body, "Status") : "";
  return true;
}

bool Client::PutVersioning(const std::string& bucket, bool enabled) {
  HttpRequest request;
  request.method = "PUT";
  request.url = UrlOf(bucket, "", "versioning=");
  request.body = std::string(
                     "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                     "<Status>") +
                 (enabled ? "Enabled" : "Suspended") + "</Status></VersioningConfiguration>";
  request.headers.emplace_back("Content-Type", "application/xml");
  request.headers.emplace_back("Content-MD5", Base64Of(Md5Raw(request.body)));
  Sign(request, Sha256HexOf(request.body));
  HttpResponse response;
  return Send(request, "PUT " + S3Path(bucket, "") + "?versioning", &response);
}

bool Client::HeadObject(const std::string& bucket, const std::string& key, ObjectHead* head) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = UrlOf(bucket, key);
  Sign(request, kEmptySha256);
  HttpResponse response;
  *head = ObjectHead{};
  if (!Send(request, "HEAD " + S3Path(bucket, key), &response, {404})) return false;
  if (response.status == 404) return true;
  head->exists = true;
  head->size = std::atoll(HeaderOf(response, "content-length").c_str());
  head->etag = Unquote(HeaderOf(response, "etag"));
  head->content_type = HeaderOf(response, "content-type");
  head->version_id = HeaderOf(response, "x-amz-version-id");
  const std::string prefix = "x-amz-meta-";
  for (const auto& [name, value] : response.headers) {
    if (name.compare(0, prefix.size(), prefix) == 0)
      head->metadata[name.substr(prefix.size())] = value;
  }
  return true;
}

bool Client::GetObject(const std::string& bucket, const std::string& key, std::string* bytes) {
  HttpRequest request;
  request.url = UrlOf(bucket, key);
  Sign(request, kEmptySha256);
  HttpResponse response;
  if (!Send(request, "GET " + S3Path(bucket, key), &response)) return false;
  *bytes = std::move(response.body);
  return true;
}

bool Client::GetObjectToFile(const std::string& bucket, const std::string& key,
                             const std::string& path) {
  HttpRequest request;
  request.url = UrlOf(bucket, key);
  request.response_file = path;
  request.timeout = std::chrono::milliseconds(30 * 60 * 1000);
  Sign(request, kEmptySha256);
  HttpResponse response;
  return Send(request, "GET " + S3Path(bucket, key), &response);
}

bool Client::GetObjectStream(const std::string& bucket, const std::string& key, long long size,
                             const std::function<void(const char*, size_t)>& on_chunk) {
  // Ranged GETs of a bounded size: memory stays bounded, and each range retries on its own.
  const long long kChunk = 8LL << 20;
  std::string bytes;
  for (long long offset = 0; offset < size; offset += kChunk) {
    if (!GetObjectRange(bucket, key, offset, std::min(kChunk, size - offset), &bytes))
      return false;
    on_chunk(bytes.data(), bytes.size());
  }
  return true;
}

bool Client::GetObjectRange(const std::string& bucket, const std::string& key, long long offset,
                            long long length, std::string* bytes) {
  HttpRequest request;
  request.url = UrlOf(bucket, key);
  request.headers.emplace_back(
      "Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
  request.timeout = std::chrono::milliseconds(10 * 60 * 1000);
  Sign(request, kEmptySha256);
  HttpResponse response;
  if (!Send(request, "GET " + S3Path(bucket, key), &response)) return false;
  if (static_cast<long long>(response.body.size()) != length) {
    error_ = Error{response.status, "IncompleteBody",
                   "expected " + std::to_string(length) + " bytes, got " +
                       std::to_string(response.body.size()),
                   "GET " + S3Path(bucket, key)};
    return false;
  }
  *bytes = std::move(response.body);
  return true;
}

bool Client::PutObject(const std::string& bucket, const std::string& key,
                       const std::string* bytes, const std::string& path,
                       const std::string& md5_raw, const std::string& sha256_hex,
                       const std::string& content_type,
                       const std::map<std::string, std::string>& metadata, std::string* etag) {
  HttpRequest request;
  request.method = "PUT";
  request.url = UrlOf(bucket, key);
  if (bytes) {
    request.body = *bytes;
  } else {
    request.body_file = path;
    request.timeout = std::chrono::milliseconds(30 * 60 * 1000);
  }
  request.headers.emplace_back("Content-Type",
                               content_type.empty() ? "application/octet-stream" : content_type);
  request.headers.emplace_back("Content-MD5", Base64Of(md5_raw));
  AddMetadataHeaders(metadata, &request);
  Sign(request, sha256_hex);
  HttpResponse response;
  if (!Send(request, "PUT " + S3Path(bucket, key), &response)) return false;
  *etag = Unquote(HeaderOf(response, "etag"));
  return true;
}

bool Client::DeleteObject(const std::string& bucket, const std::string& key) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = UrlOf(bucket, key);
  Sign(request, kEmptySha256);
  HttpResponse response;
  return Send(request, "DELETE " + S3Path(bucket, key), &response, {404});
}

bool Client::ListObjects(const std::string& bucket, const std::string& prefix,
                         std::vector<ListedObject>* objects) {
  objects->clear();
  std::string token;
  do {
    std::vector<std::pair<std::string, std::string>> query = {{"list-type", "2"}};
    if (!prefix.empty()) query.emplace_back("prefix", prefix);
    if (!token.empty()) query.emplace_back("continuation-token", token);
    HttpRequest request;
    request.url = UrlOf(bucket, "", QueryString(query));
    Sign(request, kEmptySha256);
    HttpResponse response;
    if (!Send(request, "GET " + S3Path(bucket, prefix) + " (list)", &response)) return false;
    for (const std::string& entry : XmlElements(response.body, "Contents")) {
      ListedObject object;
      object.key = XmlText(entry, "Key");
      object.size = std::atoll(XmlText(entry, "Size").c_str());
      object.etag = Unquote(XmlText(entry, "ETag"));
      objects->push_back(std::move(object));
    }
    token = XmlText(response.body, "IsTruncated") == "true"
                ? XmlText(response.body, "NextContinuationToken")
                : "";
  } while (!token.empty());
  return true;
}

bool Client::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                   const std::string& content_type,
                                   const std::map<std::string, std::string>& metadata,
                                   std::string* upload_id) {
  HttpRequest request;
  request.method = "POST";
  request.url = UrlOf(bucket, key, "uploads=");
  request.headers.emplace_back("Content-Type",
                               content_type.empty() ? "application/octet-stream" : content_type);
  AddMetadataHeaders(metadata, &request);
  Sign(request, kEmptySha256);
  HttpResponse response;
  if (!Send(request, "POST " + S3Path(bucket, key) + "?uploads", &response)) return false;
  *upload_id = XmlText(response.body, "UploadId");
  if (upload_id->empty()) {
    error_ = Error{response.status, "MalformedResponse", "no UploadId in the answer",
                   "POST " + S3Path(bucket, key) + "?uploads"};
    return false;
  }
  return true;
}

bool Client::UploadPart(const std::string& bucket, const std::string& key,
                        const std::string& upload_id, int part_number, const std::string& bytes,
                        const std::string& md5_raw, std::string* etag) {
  HttpRequest request;
  request.method = "PUT";
  request.url = UrlOf(bucket, key,
                      QueryString({{"partNumber", std::to_string(part_number)},
                                   {"uploadId", upload_id}}));
  request.body = bytes;
  request.timeout = std::chrono::milliseconds(10 * 60 * 1000);
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  request.headers.emplace_back("Content-MD5", Base64Of(md5_raw));
  Sign(request, Sha256HexOf(bytes));
  HttpResponse response;
  std::string what = "PUT " + S3Path(bucket, key) + " (part " + std::to_string(part_number) + ")";
  if (!Send(request, what, &response)) return false;
  *etag = Unquote(HeaderOf(response, "etag"));
  return true;
}

bool Client::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                     const std::string& upload_id,
                                     const std::vector<std::string>& part_etags,
                                     std::string* etag) {
  HttpRequest request;
  request.method = "POST";
  request.url = UrlOf(bucket, key, QueryString({{"uploadId", upload_id}}));
  request.body = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < part_etags.size(); ++i) {
    request.body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>\"" +
                    part_etags[i] + "\"</ETag></Part>";
  }
  request.body += "</CompleteMultipartUpload>";
  request.headers.emplace_back("Content-Type", "application/xml");
  request.timeout = std::chrono::milliseconds(10 * 60 * 1000);
  Sign(request, Sha256HexOf(request.body));
  HttpResponse response;
  if (!Send(request, "POST " + S3Path(bucket, key) + "?uploadId", &response)) return false;
  *etag = Unquote(XmlText(response.body, "ETag"));
  return true;
}

bool Client::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = UrlOf(bucket, key, QueryString({{"uploadId", upload_id}}));
  Sign(request, kEmptySha256);
  HttpResponse response;
  return Send(request, "DELETE " + S3Path(bucket, key) + "?uploadId", &response, {404});
}

}  // namespace upgrade::s3
