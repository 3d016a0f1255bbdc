// The shared HTTP client over libcurl: one easy handle per client, reset between requests so
// its live connection (TCP or unix socket) is reused; bodies from memory or streamed from a
// file; responses into memory, a file or a chunk callback; optional SigV4 signing.
#include "providers/http/http_client.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>

#include "lang/value_json.h"

namespace upgrade {
namespace {

// curl_global_init is not thread-safe in libcurl 7.88; do it once for the whole process.
void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// SigV4 signs the query string as curl sends it, and AWS compares it with its canonical form:
// parameters sorted by name, each written `key=value`, values percent-encoded (FACTS.md).
std::string CanonicalQueryUrl(const std::string& url) {
  size_t question = url.find('?');
  if (question == std::string::npos) return url;
  size_t hash = url.find('#', question);
  std::string query = url.substr(question + 1, hash == std::string::npos ? std::string::npos
                                                                         : hash - question - 1);
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string part = query.substr(start, amp == std::string::npos ? std::string::npos
                                                                    : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = PercentDecode(part.substr(0, eq));
      std::string value = eq == std::string::npos ? "" : PercentDecode(part.substr(eq + 1));
      params.emplace_back(UrlEncode(key), UrlEncode(value));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out = url.substr(0, question);
  for (size_t i = 0; i < params.size(); ++i) {
    out += (i == 0 ? "?" : "&") + params[i].first + "=" + params[i].second;
  }
  return out;
}

bool HasHeader(const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& lower_name) {
  for (const auto& [name, value] : headers) {
    if (Lower(name) == lower_name) return true;
  }
  return false;
}

/// What the libcurl callbacks of one transfer share.
struct Transfer {
  CURL* easy = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  FILE* upload = nullptr;
  FILE* download = nullptr;
  std::string download_error;
  bool aborted_by_receiver = false;

  // Only successful bodies stream to the file or callback; an error body (an S3 or Docker
  // error document) stays in `body`, where the caller can read the message.
  bool StreamsBody() const {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    return code >= 200 && code < 300 &&
           (!request->response_file.empty() || request->on_body_chunk);
  }
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string line(data, size * count);
  // A new status line (after `100 Continue`, say) starts a new set of headers.
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->response->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string value = Trim(line.substr(colon + 1));
    auto [it, inserted] = transfer->response->headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (!transfer->StreamsBody()) {
    transfer->response->body.append(data, bytes);
    return bytes;
  }
  if (transfer->request->on_body_chunk) {
    if (!transfer->request->on_body_chunk(data, bytes)) {
      transfer->aborted_by_receiver = true;
      return 0;
    }
    return bytes;
  }
  if (transfer->download == nullptr) {
    transfer->download = std::fopen(transfer->request->response_file.c_str(), "wb");
    if (transfer->download == nullptr) {
      transfer->download_error = "cannot write " + transfer->request->response_file;
      return 0;
    }
  }
  if (std::fwrite(data, 1, bytes, transfer->download) != bytes) {
    transfer->download_error = "cannot write " + transfer->request->response_file;
    return 0;
  }
  return bytes;
}

size_t OnUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t read = std::fread(buffer, 1, size * count, transfer->upload);
  if (read == 0 && std::ferror(transfer->upload)) return CURL_READFUNC_ABORT;
  return read;
}

}  // namespace

struct HttpClient::Impl {
  CURL* easy = nullptr;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {
  GlobalInitOnce();
  impl_->easy = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (impl_->easy != nullptr) curl_easy_cleanup(impl_->easy);
}

namespace {

// Without an empty `Expect:` curl waits for `100 Continue` before large bodies. Not when
// signing: curl 7.88 would sign the removed header, and the signature would not match.
void SkipExpectContinue(const HttpRequest& request, curl_slist** headers) {
  if (request.sigv4.access_key.empty()) *headers = curl_slist_append(*headers, "Expect:");
}

// Sets the request body: streamed from a file with a known length, or from memory.
// Returns an error text, empty on success.
std::string SetBody(CURL* easy, const HttpRequest& request, Transfer& transfer,
                    curl_slist** headers) {
  if (!request.body_file.empty()) {
    struct stat info {};
    transfer.upload = std::fopen(request.body_file.c_str(), "rb");
    if (transfer.upload == nullptr || fstat(fileno(transfer.upload), &info) != 0) {
      return "cannot read " + request.body_file;
    }
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(info.st_size));
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, OnUpload);
    curl_easy_setopt(easy, CURLOPT_READDATA, &transfer);
    SkipExpectContinue(request, headers);
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    SkipExpectContinue(request, headers);
  }
  return "";
}

// Adds the caller's headers, plus what SigV4 signing and bodies need (FACTS.md's rules):
// an explicit Content-Type on every body, and x-amz-content-sha256 when signing.
curl_slist* BuildHeaders(const HttpRequest& request) {
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  bool has_body = !request.body_file.empty() || !request.body.empty() ||
                  request.method == "POST" || request.method == "PUT";
  if (has_body && !HasHeader(request.headers, "content-type")) {
    headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  }
  if (!request.sigv4.access_key.empty() &&
      !HasHeader(request.headers, "x-amz-content-sha256")) {
    std::string hash = request.body_file.empty() ? Sha256Hex(request.body) : "UNSIGNED-PAYLOAD";
    headers = curl_slist_append(headers, ("x-amz-content-sha256: " + hash).c_str());
  }
  return headers;
}

void SetMethod(CURL* easy, const HttpRequest& request) {
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || !request.body.empty() || !request.body_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

void SetSigning(CURL* easy, const SigV4& sigv4) {
  if (sigv4.access_key.empty()) return;
  std::string provider = "aws:amz:" + sigv4.region + ":" + sigv4.service;
  curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, provider.c_str());
  curl_easy_setopt(easy, CURLOPT_USERNAME, sigv4.access_key.c_str());
  curl_easy_setopt(easy, CURLOPT_PASSWORD, sigv4.secret_key.c_str());
}

// The error text of a failed transfer; never includes credentials (curl's messages do not).
std::string TransferError(CURLcode code, const char* detail, const Transfer& transfer) {
  if (transfer.aborted_by_receiver) return "transfer aborted by the receiver";
  if (!transfer.download_error.empty()) return transfer.download_error;
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return "timed out after " + std::to_string(transfer.request->timeout.count()) + "ms";
  }
  std::string text = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  return Lower(text.substr(0, 1)) + text.substr(1);
}

}  // namespace

HttpResponse HttpClient::Send(const HttpRequest& request) {
  HttpResponse response;
  CURL* easy = impl_->easy;
  if (easy == nullptr) {
    response.error = "cannot initialize libcurl";
    return response;
  }
  // Reset keeps the handle's live connections, so the next request to the same host reuses one.
  curl_easy_reset(easy);
  Transfer transfer;
  transfer.easy = easy;
  transfer.request = &request;
  transfer.response = &response;
  char detail[CURL_ERROR_SIZE] = {0};

  std::string url = request.sigv4.access_key.empty() ? request.url : CanonicalQueryUrl(request.url);
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  if (request.timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  }
  if (!request.unix_socket.empty()) {
    curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  SetMethod(easy, request);
  SetSigning(easy, request.sigv4);

  curl_slist* headers = BuildHeaders(request);
  std::string body_error = SetBody(easy, request, transfer, &headers);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);

  if (body_error.empty()) {
    CURLcode code = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK) {
      response.error = TransferError(code, detail, transfer);
    } else {
      response.status = static_cast<int>(status);
    }
  } else {
    response.error = body_error;
  }
  if (transfer.download != nullptr && std::fclose(transfer.download) != 0 &&
      response.error.empty()) {
    response.error = "cannot write " + request.response_file;
  }
  // A successful empty body still leaves the file the caller asked for.
  if (response.error.empty() && transfer.download == nullptr && response.ok() &&
      !request.response_file.empty() && !request.on_body_chunk) {
    FILE* empty = std::fopen(request.response_file.c_str(), "wb");
    if (empty == nullptr) response.error = "cannot write " + request.response_file;
    else std::fclose(empty);
  }
  if (transfer.upload != nullptr) std::fclose(transfer.upload);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  if (!response.error.empty()) response.status = 0;
  return response;
}

std::string UrlEncode(const std::string& text, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace upgrade
