// Proves the test services that scripts/test-services.sh starts are real and usable, talking to
// each one directly (libpqxx, libcurl) rather than through the project's own clients, so that a
// failure here points at the harness and not at the code under test.
#include <curl/curl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace {

using ::testing::HasSubstr;
using ::upgrade::testing::RequireEnv;
using json = nlohmann::json;

/// What one HTTP exchange returned; `status` is 0 and `error` set when no answer came.
struct Reply {
  long status = 0;
  std::string body;
  std::string error;
};

/// How to send one request: method, URL, body, headers, and optionally a unix socket or
/// SigV4 credentials.
struct Request {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;
  std::string unix_socket;
  std::string sigv4;     ///< CURLOPT_AWS_SIGV4 provider string, empty for unsigned
  std::string userpwd;   ///< access key and secret for SigV4
};

size_t AppendToString(char* data, size_t size, size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(data, size * count);
  return size * count;
}

// Sends `request` with a fresh curl handle; POST/PUT always carry a body (maybe empty) so that
// curl sends a Content-Length rather than waiting for one.
Reply Send(const Request& request) {
  Reply reply;
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  for (const auto& header : request.headers) headers = curl_slist_append(headers, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  if (!request.unix_socket.empty())
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  if (!request.sigv4.empty()) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request.sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, request.userpwd.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  } else {
    reply.error = curl_easy_strerror(code);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

// A name no other run of this test (or a parallel one) uses.
std::string UniqueName(const std::string& prefix) {
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(now % 1000000007);
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

// --- PostgreSQL ------------------------------------------------------------------------------

TEST(PostgresServiceTest, ConnectsAndRunsQueries) {
  std::string dsn = RequireEnv("UPGRADE_TEST_PG_DSN");
  ASSERT_FALSE(dsn.empty());
  pqxx::connection connection(dsn);
  pqxx::work work(connection);
  pqxx::row row = work.exec1("SELECT current_user, current_setting('server_version_num')::int");
  EXPECT_EQ(row[0].as<std::string>(), "postgres");
  EXPECT_GE(row[1].as<int>(), 150000);
  EXPECT_LT(row[1].as<int>(), 160000);

  work.exec0("CREATE TEMP TABLE harness (n int)");
  work.exec0("INSERT INTO harness SELECT generate_series(1, 10)");
  EXPECT_EQ(work.exec1("SELECT sum(n) FROM harness")[0].as<int>(), 55);
}

TEST(PostgresServiceTest, BinariesAreVersion15) {
  std::string bin = RequireEnv("UPGRADE_TEST_PG_BIN");
  ASSERT_FALSE(bin.empty());
  auto result = upgrade::testing::RunCommand({bin + "/pg_ctl", "--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("(PostgreSQL) 15."));
}

// --- Docker ----------------------------------------------------------------------------------

/// Talks to the test dockerd's Engine API over its unix socket.
class DockerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string host = RequireEnv("UPGRADE_TEST_DOCKER_HOST");
    ASSERT_EQ(host.rfind("unix://", 0), 0u) << "not a unix socket: " << host;
    socket_ = host.substr(7);
  }

  Reply Engine(const std::string& method, const std::string& path, const json& body = nullptr) {
    Request request;
    request.method = method;
    request.url = "http://localhost/v1.41" + path;
    request.unix_socket = socket_;
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers.push_back("Content-Type: application/json");
    }
    return Send(request);
  }

  std::string socket_;
};

TEST_F(DockerServiceTest, AnswersPingAndVersion) {
  Reply ping = Engine("GET", "/_ping");
  ASSERT_EQ(ping.error, "");
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.body, "OK");

  Reply version = Engine("GET", "/version");
  ASSERT_EQ(version.status, 200) << version.body;
  json info = json::parse(version.body);
  EXPECT_EQ(info["Os"], "linux");
  EXPECT_GE(std::stod(info["ApiVersion"].get<std::string>()), 1.41);
}

TEST_F(DockerServiceTest, HasNoBridgeNetwork) {
  Reply networks = Engine("GET", "/networks");
  ASSERT_EQ(networks.status, 200) << networks.body;
  std::vector<std::string> names;
  for (const auto& network : json::parse(networks.body)) names.push_back(network["Name"]);
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("bridge")));
  EXPECT_THAT(names, ::testing::Contains("none"));
}

// Splits Docker's multiplexed log stream (8-byte frame headers) into stdout text.
std::string DemultiplexStdout(const std::string& stream) {
  std::string out;
  size_t at = 0;
  while (at + 8 <= stream.size()) {
    uint32_t size = (static_cast<uint8_t>(stream[at + 4]) << 24) |
                    (static_cast<uint8_t>(stream[at + 5]) << 16) |
                    (static_cast<uint8_t>(stream[at + 6]) << 8) | static_cast<uint8_t>(stream[at + 7]);
    if (stream[at] == 1) out += stream.substr(at + 8, size);
    at += 8 + size;
  }
  return out;
}

TEST_F(DockerServiceTest, RunsBusyboxContainerWithNetworkNone) {
  std::string name = UniqueName("upgrade-harness");
  json spec = {{"Image", "upgrade-test/web:v1"},
               {"Cmd", {"sh", "-c", "echo served $(cat /www/version); ls /sys/class/net"}},
               {"HostConfig", {{"NetworkMode", "none"}}}};
  Reply created = Engine("POST", "/containers/create?name=" + name, spec);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = json::parse(created.body)["Id"];

  Reply started = Engine("POST", "/containers/" + id + "/start");
  EXPECT_EQ(started.status, 204) << started.body;
  Reply waited = Engine("POST", "/containers/" + id + "/wait");
  ASSERT_EQ(waited.status, 200) << waited.body;
  EXPECT_EQ(json::parse(waited.body)["StatusCode"], 0);

  Reply logs = Engine("GET", "/containers/" + id + "/logs?stdout=1&stderr=1");
  ASSERT_EQ(logs.status, 200);
  // With network mode none the container sees only its loopback interface.
  EXPECT_EQ(DemultiplexStdout(logs.body), "served v1\nlo\n");

  Reply removed = Engine("DELETE", "/containers/" + id + "?force=1&v=1");
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(Engine("GET", "/containers/" + id + "/json").status, 404);
}

TEST_F(DockerServiceTest, TestImagesServeTheirVersion) {
  for (const std::string tag : {"v1", "v2", "v3-unhealthy"}) {
    std::string name = UniqueName("upgrade-harness-" + tag);
    json spec = {{"Image", "upgrade-test/web:" + tag},
                 {"Cmd", {"sh", "-c", "cat /www/version; cat /www/health || echo no-health"}},
                 {"HostConfig", {{"NetworkMode", "none"}}}};
    Reply created = Engine("POST", "/containers/create?name=" + name, spec);
    ASSERT_EQ(created.status, 201) << created.body;
    std::string id = json::parse(created.body)["Id"];
    EXPECT_EQ(Engine("POST", "/containers/" + id + "/start").status, 204);
    EXPECT_EQ(Engine("POST", "/containers/" + id + "/wait").status, 200);
    std::string out = DemultiplexStdout(Engine("GET", "/containers/" + id + "/logs?stdout=1").body);
    EXPECT_EQ(out, tag + "\n" + (tag == "v3-unhealthy" ? "no-health\n" : "ok\n")) << tag;
    EXPECT_EQ(Engine("DELETE", "/containers/" + id + "?force=1&v=1").status, 204);
  }
}

// --- Registry --------------------------------------------------------------------------------

/// Pulls from the local docker-registry through the test dockerd.
class RegistryServiceTest : public DockerServiceTest {
 protected:
  void SetUp() override {
    DockerServiceTest::SetUp();
    registry_ = RequireEnv("UPGRADE_TEST_REGISTRY");
    ASSERT_FALSE(registry_.empty());
  }

  // Pulls REGISTRY/upgrade-test/web:TAG; returns the progress stream's last status line on
  // success, and "error: " with the daemon's message when the pull failed (an error before
  // the stream began comes as one {"message"} object, one during it as an {"error"} line).
  std::string Pull(const std::string& tag, long* status) {
    Reply reply = Engine("POST", "/images/create?fromImage=" + registry_ +
                                     "/upgrade-test/web&tag=" + tag);
    *status = reply.status;
    std::string last;
    size_t start = 0;
    while (start < reply.body.size()) {
      size_t end = reply.body.find('\n', start);
      if (end == std::string::npos) end = reply.body.size();
      json line = json::parse(reply.body.substr(start, end - start), nullptr, false);
      if (line.contains("error")) return "error: " + line["error"].get<std::string>();
      if (line.contains("message")) return "error: " + line["message"].get<std::string>();
      if (line.contains("status")) last = line["status"];
      start = end + 1;
    }
    if (reply.body.empty()) return "error: " + reply.error;
    return last;
  }

  std::string ImageId(const std::string& reference) {
    Reply reply = Engine("GET", "/images/" + reference + "/json");
    if (reply.status != 200) return "";
    return json::parse(reply.body)["Id"];
  }

  std::string registry_;
};

TEST_F(RegistryServiceTest, ServesThePushedTags) {
  Request request;
  request.url = "http://" + registry_ + "/v2/upgrade-test/web/tags/list";
  Reply reply = Send(request);
  ASSERT_EQ(reply.status, 200) << reply.error << reply.body;
  EXPECT_THAT(json::parse(reply.body)["tags"].get<std::vector<std::string>>(),
              ::testing::UnorderedElementsAre("v1", "v2"));
}

TEST_F(RegistryServiceTest, PullsTheSameImageThatWasPushed) {
  long status = 0;
  std::string outcome = Pull("v1", &status);
  ASSERT_EQ(status, 200) << outcome;
  // "Downloaded newer image" on a first pull, "Image is up to date" once another test pulled.
  EXPECT_THAT(outcome, ::testing::StartsWith("Status: "));
  EXPECT_THAT(outcome, HasSubstr(registry_ + "/upgrade-test/web:v1"));

  std::string pulled = ImageId(registry_ + "/upgrade-test/web:v1");
  ASSERT_FALSE(pulled.empty());
  EXPECT_EQ(pulled, ImageId("upgrade-test/web:v1"));
  EXPECT_NE(pulled, ImageId("upgrade-test/web:v2"));
}

TEST_F(RegistryServiceTest, PullOfAnUnknownTagFails) {
  long status = 0;
  std::string outcome = Pull("no-such-tag", &status);
  EXPECT_EQ(status, 404);
  EXPECT_THAT(outcome, HasSubstr("upgrade-test/web:no-such-tag not found"));
  EXPECT_EQ(ImageId(registry_ + "/upgrade-test/web:no-such-tag"), "");
}

// --- S3 --------------------------------------------------------------------------------------

/// Signs requests to s3rver with libcurl's SigV4, following FACTS.md: the payload hash header
/// set by hand, an explicit Content-Type on bodies.
class S3ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoint_ = RequireEnv("UPGRADE_TEST_S3_ENDPOINT");
    ASSERT_FALSE(endpoint_.empty());
  }

  Reply S3(const std::string& method, const std::string& path, const std::string& body = "",
           const std::string& content_type = "application/octet-stream") {
    Request request;
    request.method = method;
    request.url = endpoint_ + path;
    request.body = body;
    request.sigv4 = "aws:amz:us-east-1:s3";
    request.userpwd = credentials_;
    request.headers.push_back("x-amz-content-sha256: " + Sha256Hex(body));
    if (method == "PUT" || method == "POST") request.headers.push_back("Content-Type: " + content_type);
    return Send(request);
  }

  std::string endpoint_;
  std::string credentials_ = "S3RVER:S3RVER";
};

// s3rver does not check signatures, but it does read the access key out of the signed
// Authorization header: an unknown one shows the request really went out signed.
TEST_F(S3ServiceTest, RejectsAnUnknownAccessKey) {
  credentials_ = "NOSUCHKEY:secret";
  Reply reply = S3("PUT", "/" + UniqueName("harness"));
  EXPECT_EQ(reply.status, 403);
  EXPECT_THAT(reply.body, HasSubstr("<Code>InvalidAccessKeyId</Code>"));
}

TEST_F(S3ServiceTest, PutsAndGetsAnObject) {
  std::string bucket = UniqueName("harness");
  Reply made = S3("PUT", "/" + bucket);
  ASSERT_EQ(made.status, 200) << made.error << made.body;

  std::string content = "upgrade test object\n";
  Reply put = S3("PUT", "/" + bucket + "/dir/hello.txt", content, "text/plain");
  ASSERT_EQ(put.status, 200) << put.body;

  Reply got = S3("GET", "/" + bucket + "/dir/hello.txt");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, content);
  Reply listed = S3("GET", "/" + bucket + "?list-type=2&prefix=dir%2F");
  EXPECT_EQ(listed.status, 200);
  EXPECT_THAT(listed.body, HasSubstr("<Key>dir/hello.txt</Key>"));
  EXPECT_EQ(S3("GET", "/" + bucket + "/dir/missing.txt").status, 404);

  EXPECT_EQ(S3("DELETE", "/" + bucket + "/dir/hello.txt").status, 204);
  EXPECT_EQ(S3("GET", "/" + bucket + "/dir/hello.txt").status, 404);
  EXPECT_EQ(S3("DELETE", "/" + bucket).status, 204);
}

}  // namespace
