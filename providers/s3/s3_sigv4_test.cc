// SigV4 as this provider sends it, proven against AWS's published example signatures
// ("Signature Calculations for the Authorization Header: Transferring Payload in a Single
// Chunk", credentials AKIAIOSFODNN7EXAMPLE, 20130524T000000Z), since s3rver checks none.
// The requests go through the shipped path (s3::Client, HttpClient, libcurl's SigV4) to a
// loopback server that records the Authorization header; only the date and the Host header
// are fixed, as the examples have them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/http/http_client.h"
#include "providers/s3/s3_client.h"
#include "providers/s3/s3_test_server.h"

namespace upgrade::s3 {
namespace {

using ::testing::HasSubstr;

constexpr const char* kAccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kDate = "20130524T000000Z";
constexpr const char* kHost = "examplebucket.s3.amazonaws.com";

std::string AuthorizationOf(const testing::ScriptedServer& server) {
  auto requests = server.requests();
  if (requests.empty()) return "(no request)";
  auto it = requests.back().headers.find("authorization");
  return it == requests.back().headers.end() ? "(no authorization)" : it->second;
}

Endpoint ExampleEndpoint(const testing::ScriptedServer& server) {
  Endpoint endpoint;
  endpoint.url = server.url();
  endpoint.region = "us-east-1";
  endpoint.path_style = true;
  endpoint.access_key = kAccessKey;
  endpoint.secret_key = kSecretKey;
  return endpoint;
}

/// A GET of the example bucket's root with a query, signed like the examples.
std::string SignedBucketGet(const std::string& query) {
  testing::ScriptedServer server;
  HttpClient http;
  HttpRequest request;
  request.url = server.url() + "/?" + query;
  request.headers = {{"Host", kHost},
                     {"x-amz-date", kDate},
                     {"x-amz-content-sha256", kEmptySha256}};
  request.sigv4 = {"us-east-1", "s3", kAccessKey, kSecretKey};
  http.Send(request);
  return AuthorizationOf(server);
}

TEST(SigV4Test, GetObjectExampleThroughTheS3Client) {
  testing::ScriptedServer server;
  server.Script({206, "0123456789", {}});
  Client client(ExampleEndpoint(server));
  client.AddHeader("Host", kHost);
  client.AddHeader("x-amz-date", kDate);
  std::string bytes;
  // Path style with no bucket: the path is /test.txt, as in the virtual-hosted example.
  ASSERT_TRUE(client.GetObjectRange("", "test.txt", 0, 10, &bytes)) << client.error().ToString();
  EXPECT_EQ(AuthorizationOf(server),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
            "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(server.requests().back().target, "/test.txt");
}

TEST(SigV4Test, GetBucketLifecycleExample) {
  EXPECT_THAT(SignedBucketGet("lifecycle="),
              HasSubstr("SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="
                        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
}

TEST(SigV4Test, ListObjectsExampleWithQueryWrittenUnsorted) {
  // The client sorts the query as SigV4's canonical form wants, whatever order it is given in.
  EXPECT_THAT(SignedBucketGet("prefix=J&max-keys=2"),
              HasSubstr("Signature="
                        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
}

TEST(SigV4Test, AWrongSecretGivesAnotherSignature) {
  testing::ScriptedServer server;
  server.Script({206, "0123456789", {}});
  Endpoint endpoint = ExampleEndpoint(server);
  endpoint.secret_key = "not-the-example-secret";
  Client client(endpoint);
  client.AddHeader("Host", kHost);
  client.AddHeader("x-amz-date", kDate);
  std::string bytes;
  ASSERT_TRUE(client.GetObjectRange("", "test.txt", 0, 10, &bytes));
  EXPECT_THAT(AuthorizationOf(server), HasSubstr("Credential=AKIAIOSFODNN7EXAMPLE/"));
  EXPECT_THAT(AuthorizationOf(server),
              ::testing::Not(HasSubstr(
                  "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")));
}

TEST(SigV4Test, SessionTokenIsSentAndSigned) {
  testing::ScriptedServer server;
  Endpoint endpoint = ExampleEndpoint(server);
  endpoint.session_token = "FwoGZXIvYXdzEXAMPLETOKEN";
  Client client(endpoint);
  bool exists = false;
  ASSERT_TRUE(client.HeadBucket("examplebucket", &exists));
  std::vector<testing::ReceivedRequest> requests = server.requests();
  const testing::ReceivedRequest& request = requests.back();
  auto token = request.headers.find("x-amz-security-token");
  ASSERT_NE(token, request.headers.end());
  EXPECT_EQ(token->second, "FwoGZXIvYXdzEXAMPLETOKEN");
  EXPECT_THAT(AuthorizationOf(server), HasSubstr("x-amz-security-token"));
}

TEST(SigV4Test, AnonymousWithoutCredentials) {
  testing::ScriptedServer server;
  Endpoint endpoint = ExampleEndpoint(server);
  endpoint.access_key.clear();
  endpoint.secret_key.clear();
  Client client(endpoint);
  bool exists = false;
  ASSERT_TRUE(client.HeadBucket("examplebucket", &exists));
  EXPECT_EQ(server.requests().back().headers.count("authorization"), 0u);
}

}  // namespace
}  // namespace upgrade::s3
