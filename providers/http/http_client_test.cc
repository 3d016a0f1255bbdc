// Tests of the shared HTTP client against a local server (testdata/test_server.py): status,
// headers, keep-alive reuse, unix sockets, streaming both ways, timeouts, SigV4 signing.
#include "providers/http/http_client.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "providers/http/test_server.h"
#include "tests/support/test_support.h"

namespace upgrade {
namespace {

using testing::LocalHttpServer;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

nlohmann::json Echo(const HttpResponse& response) {
  EXPECT_EQ(response.status, 200) << response.error << response.body;
  return nlohmann::json::parse(response.body);
}

// A request built field by field (designated initializers warn about the fields left out).
HttpRequest Request(const std::string& method, const std::string& url) {
  HttpRequest request;
  request.method = method;
  request.url = url;
  return request;
}

HttpRequest Get(const std::string& url) { return Request("GET", url); }

HttpRequest WithBody(HttpRequest request, const std::string& body) {
  request.body = body;
  return request;
}

HttpRequest ToFile(HttpRequest request, const std::string& path) {
  request.response_file = path;
  return request;
}

HttpRequest Signed(HttpRequest request, const SigV4& credentials) {
  request.sigv4 = credentials;
  return request;
}

std::string Pattern(size_t count) {
  std::string bytes;
  for (size_t i = 0; i < count; ++i) bytes += static_cast<char>(i % 256);
  return bytes;
}

TEST(HttpClientTest, GivesStatusBodyAndLowerCasedHeaders) {
  LocalHttpServer server;
  HttpClient client;
  HttpResponse response = client.Send(Get(server.Url("/status/404")));
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, "status 404");
  EXPECT_EQ(response.headers["x-test-server"], "Yes");
  EXPECT_EQ(response.headers["content-length"], "10");
  EXPECT_FALSE(response.ok());
}

TEST(HttpClientTest, KeepsOneConnectionAliveAcrossRequests) {
  LocalHttpServer server;
  HttpClient client;
  int first = Echo(client.Send(Get(server.Url("/echo"))))["connection"];
  int second = Echo(client.Send(WithBody(Request("PUT", server.Url("/echo")), "x")))
      ["connection"];
  int third = Echo(client.Send(Get(server.Url("/echo"))))["connection"];
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, third);
  HttpClient other;
  int separate = Echo(other.Send(Get(server.Url("/echo"))))["connection"];
  EXPECT_NE(separate, first);
}

TEST(HttpClientTest, SendsMethodHeadersAndBody) {
  LocalHttpServer server;
  HttpClient client;
  HttpRequest request = WithBody(Request("POST", server.Url("/echo?a=1")), "{\"k\": 1}");
  request.headers = {{"X-Custom", "42"}};
  nlohmann::json echo = Echo(client.Send(request));
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["query"], "a=1");
  EXPECT_EQ(echo["body"], "{\"k\": 1}");
  EXPECT_EQ(echo["headers"]["x-custom"], "42");
  EXPECT_EQ(echo["headers"]["content-type"], "application/octet-stream");
  EXPECT_FALSE(echo["headers"].contains("authorization"));

  nlohmann::json deleted = Echo(client.Send(Request("DELETE", server.Url("/echo"))));
  EXPECT_EQ(deleted["method"], "DELETE");
  HttpResponse head = client.Send(Request("HEAD", server.Url("/json")));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

TEST(HttpClientTest, StreamsResponseBodyToFile) {
  LocalHttpServer server;
  TempDir dir;
  HttpClient client;
  HttpRequest request = Get(server.Url("/bytes?n=3000000"));
  request.response_file = dir.Join("out");
  HttpResponse response = client.Send(request);
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(ReadFile(dir.Join("out")), Pattern(3000000));
}

TEST(HttpClientTest, KeepsErrorBodyInMemoryWhenStreaming) {
  LocalHttpServer server;
  TempDir dir;
  HttpClient client;
  HttpResponse response =
      client.Send(ToFile(Get(server.Url("/status/404")), dir.Join("out")));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, "status 404");
  EXPECT_FALSE(std::filesystem::exists(dir.Join("out")));
}

TEST(HttpClientTest, StreamsEmptySuccessfulBodyToEmptyFile) {
  LocalHttpServer server;
  TempDir dir;
  HttpClient client;
  HttpResponse response =
      client.Send(ToFile(Get(server.Url("/bytes?n=0")), dir.Join("out")));
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_TRUE(std::filesystem::exists(dir.Join("out")));
  EXPECT_EQ(ReadFile(dir.Join("out")), "");
}

TEST(HttpClientTest, GivesChunksToCallbackAndStopsWhenItSaysSo) {
  LocalHttpServer server;
  HttpClient client;
  std::string received;
  HttpRequest all = Get(server.Url("/bytes?n=500000"));
  all.on_body_chunk = [&](const char* data, size_t size) {
    received.append(data, size);
    return true;
  };
  EXPECT_EQ(client.Send(all).status, 200);
  EXPECT_EQ(received, Pattern(500000));

  int calls = 0;
  HttpRequest stop = Get(server.Url("/bytes?n=5000000"));
  stop.on_body_chunk = [&](const char*, size_t) { return ++calls < 2; };
  HttpResponse response = client.Send(stop);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "transfer aborted by the receiver");
  EXPECT_EQ(calls, 2);
  // The handle still works after an aborted transfer.
  EXPECT_EQ(client.Send(Get(server.Url("/json"))).status, 200);
}

TEST(HttpClientTest, StreamsRequestBodyFromFile) {
  LocalHttpServer server;
  TempDir dir;
  std::string content(200000, 'z');
  content += "end";
  WriteFile(dir.Join("in"), content);
  HttpClient client;
  HttpRequest request = Request("PUT", server.Url("/echo"));
  request.body_file = dir.Join("in");
  nlohmann::json echo = Echo(client.Send(request));
  EXPECT_EQ(echo["method"], "PUT");
  EXPECT_EQ(echo["headers"]["content-length"], std::to_string(content.size()));
  EXPECT_EQ(echo["body"], content);

  request.body_file = dir.Join("nope");
  HttpResponse missing = client.Send(request);
  EXPECT_EQ(missing.status, 0);
  EXPECT_EQ(missing.error, "cannot read " + dir.Join("nope"));
}

TEST(HttpClientTest, TimesOut) {
  LocalHttpServer server;
  HttpClient client;
  auto start = std::chrono::steady_clock::now();
  HttpRequest request = Get(server.Url("/slow?ms=3000"));
  request.timeout = std::chrono::milliseconds(300);
  HttpResponse response = client.Send(request);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "timed out after 300ms");
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(HttpClientTest, ReportsConnectionRefused) {
  HttpClient client;
  int port = testing::UnusedPort();
  HttpResponse response =
      client.Send(Get("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(response.status, 0);
  EXPECT_NE(response.error.find("ailed to connect to 127.0.0.1 port " + std::to_string(port)),
            std::string::npos)
      << response.error;
  EXPECT_EQ(response.error.substr(0, 1), "f");
}

TEST(HttpClientTest, TalksThroughUnixSocketWithKeepAlive) {
  TempDir dir;
  std::string socket = dir.Join("http.sock");
  LocalHttpServer server(socket);
  HttpClient client;
  HttpRequest request = Get("http://localhost/echo");
  request.unix_socket = socket;
  nlohmann::json first = Echo(client.Send(request));
  nlohmann::json second = Echo(client.Send(request));
  EXPECT_EQ(first["headers"]["host"], "localhost");
  EXPECT_EQ(first["connection"], second["connection"]);
}

// The server checks each signature with botocore, an independent SigV4 implementation.
TEST(HttpClientTest, SignsWithSigV4AsBotocoreExpects) {
  LocalHttpServer server;
  TempDir dir;
  WriteFile(dir.Join("object"), std::string(2 << 20, 'b'));  // big enough for 100-continue
  SigV4 credentials;
  credentials.region = "us-east-1";
  credentials.access_key = "AKIDEXAMPLE";
  credentials.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  HttpClient client;
  HttpRequest from_file = Request("PUT", server.Url("/sigv4/bucket/big"));
  from_file.headers = {{"Content-Type", "text/plain"}};
  from_file.body_file = dir.Join("object");
  std::vector<HttpRequest> requests = {
      Get(server.Url("/sigv4/bucket?prefix=dir%2F&list-type=2")),
      Get(server.Url("/sigv4/bucket?versioning")),
      WithBody(Request("PUT", server.Url("/sigv4/bucket/a%20key")), "hello"),
      from_file,
      Request("DELETE", server.Url("/sigv4/bucket/k")),
  };
  for (HttpRequest& request : requests) {
    request.sigv4 = credentials;
    HttpResponse response = client.Send(request);
    EXPECT_EQ(response.status, 200) << request.method << " " << request.url << ": "
                                    << response.body << response.error;
    EXPECT_EQ(response.body, "signature ok");
  }
  nlohmann::json echo = Echo(client.Send(Signed(Get(server.Url("/echo")), credentials)));
  std::string authorization = echo["headers"]["authorization"];
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u);
  EXPECT_EQ(echo["headers"]["x-amz-content-sha256"],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(authorization.find("wJalr"), std::string::npos);

  credentials.secret_key = "wrong";
  HttpResponse wrong = client.Send(Signed(Get(server.Url("/sigv4/bucket")), credentials));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.body.rfind("signature mismatch", 0), 0u);
}

TEST(HttpClientTest, UrlEncodeKeepsUnreservedCharacters) {
  EXPECT_EQ(UrlEncode("a b/c~d_e.f-g+h"), "a%20b%2Fc~d_e.f-g%2Bh");
  EXPECT_EQ(UrlEncode("dir/sub file", true), "dir/sub%20file");
  EXPECT_EQ(UrlEncode("\xc3\xa9"), "%C3%A9");
}

}  // namespace
}  // namespace upgrade
