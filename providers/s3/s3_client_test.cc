// The S3 client against scripted answers: S3's XML errors become "code: message" with the
// HTTP status, transient failures (503 SlowDown, 500, no connection) are retried with backoff
// and others are not, and listings follow continuation tokens. Also the XML and digest helpers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/s3/s3_client.h"
#include "providers/s3/s3_digest.h"
#include "providers/s3/s3_test_server.h"
#include "providers/s3/s3_transfer.h"
#include "providers/s3/s3_xml.h"

namespace upgrade::s3 {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSlowDown =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
    "<Message>Please reduce your request rate.</Message></Error>";

Client FastRetryingClient(const testing::ScriptedServer& server) {
  Endpoint endpoint;
  endpoint.url = server.url();
  endpoint.access_key = "AKID";
  endpoint.secret_key = "secret";
  RetryPolicy retry;
  retry.max_attempts = 4;
  retry.first_delay = std::chrono::milliseconds(5);
  return Client(endpoint, retry);
}

TEST(S3ClientTest, RetriesSlowDownThenSucceeds) {
  testing::ScriptedServer server;
  server.Script({503, kSlowDown, {}});
  server.Script({503, kSlowDown, {}});
  server.Script({200, "hello", {}});
  Client client = FastRetryingClient(server);
  std::string bytes;
  ASSERT_TRUE(client.GetObject("bucket", "key", &bytes)) << client.error().ToString();
  EXPECT_EQ(bytes, "hello");
  EXPECT_EQ(client.retries(), 2);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(S3ClientTest, GivesUpAfterTheLastAttemptWithTheS3Code) {
  testing::ScriptedServer server;
  for (int i = 0; i < 4; ++i) server.Script({503, kSlowDown, {}});
  Client client = FastRetryingClient(server);
  std::string bytes;
  EXPECT_FALSE(client.GetObject("bucket", "a key", &bytes));
  EXPECT_EQ(client.error().ToString(),
            "s3: GET s3://bucket/a key: SlowDown: Please reduce your request rate. (HTTP 503)");
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(S3ClientTest, RetriesInternalErrors) {
  testing::ScriptedServer server;
  server.Script({500, "<Error><Code>InternalError</Code><Message>oops</Message></Error>", {}});
  server.Script({200, "", {{"ETag", "\"abc\""}}});
  Client client = FastRetryingClient(server);
  std::string etag;
  std::string body = "x";
  ASSERT_TRUE(client.PutObject("b", "k", &body, "", Md5Raw(body), Sha256HexOf(body), "text/plain",
                               {{"owner", "ops"}}, &etag));
  EXPECT_EQ(etag, "abc");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].body, "x");
  EXPECT_EQ(requests[1].headers.find("x-amz-meta-owner")->second, "ops");
  EXPECT_EQ(requests[1].headers.find("content-type")->second, "text/plain");
  EXPECT_EQ(requests[1].headers.find("content-md5")->second, Base64Of(Md5Raw("x")));
}

TEST(S3ClientTest, DoesNotRetryAccessDenied) {
  testing::ScriptedServer server;
  server.Script({403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                 {}});
  Client client = FastRetryingClient(server);
  std::vector<std::string> names;
  EXPECT_FALSE(client.ListBuckets(&names));
  EXPECT_EQ(client.error().code, "AccessDenied");
  EXPECT_EQ(client.error().http_status, 403);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(S3ClientTest, CompleteMultipartErrorInsideA200IsAFailure) {
  testing::ScriptedServer server;
  server.Script({200, "<Error><Code>InvalidPart</Code><Message>part 2 is missing</Message></Error>",
                 {}});
  Client client = FastRetryingClient(server);
  std::string etag;
  EXPECT_FALSE(client.CompleteMultipartUpload("b", "k", "id", {"e1", "e2"}, &etag));
  EXPECT_EQ(client.error().code, "InvalidPart");
  EXPECT_THAT(server.requests().back().body,
              HasSubstr("<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part>"));
}

TEST(S3ClientTest, ListingFollowsContinuationTokens) {
  testing::ScriptedServer server;
  server.Script({200,
                 "<ListBucketResult><IsTruncated>true</IsTruncated>"
                 "<NextContinuationToken>t/1+</NextContinuationToken>"
                 "<Contents><Key>p/a&amp;b</Key><Size>3</Size><ETag>&quot;e1&quot;</ETag>"
                 "</Contents></ListBucketResult>",
                 {}});
  server.Script({200,
                 "<ListBucketResult><IsTruncated>false</IsTruncated>"
                 "<Contents><Key>p/c</Key><Size>4</Size><ETag>\"e2\"</ETag></Contents>"
                 "</ListBucketResult>",
                 {}});
  Client client = FastRetryingClient(server);
  std::vector<ListedObject> objects;
  ASSERT_TRUE(client.ListObjects("bucket", "p/", &objects));
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].key, "p/a&b");
  EXPECT_EQ(objects[0].etag, "e1");
  EXPECT_EQ(objects[1].size, 4);
  auto requests = server.requests();
  EXPECT_EQ(requests[0].target, "/bucket?list-type=2&prefix=p%2F");
  EXPECT_EQ(requests[1].target, "/bucket?continuation-token=t%2F1%2B&list-type=2&prefix=p%2F");
}

TEST(S3ClientTest, NetworkErrorsAreRetriedAndNamed) {
  int port = 0;
  {
    testing::ScriptedServer closed;
    port = closed.port();
  }
  Endpoint endpoint;
  endpoint.url = "http://127.0.0.1:" + std::to_string(port);
  RetryPolicy retry;
  retry.max_attempts = 3;
  retry.first_delay = std::chrono::milliseconds(5);
  Client client(endpoint, retry);
  bool exists = false;
  EXPECT_FALSE(client.HeadBucket("bucket", &exists));
  EXPECT_EQ(client.retries(), 2);
  EXPECT_THAT(client.error().ToString(),
              HasSubstr("s3: HEAD s3://bucket: cannot reach " + endpoint.url + ": "));
}

TEST(S3ClientTest, VirtualHostedAndPathStyleUrls) {
  Endpoint endpoint;
  endpoint.url = "https://s3.eu-west-1.amazonaws.com/";
  endpoint.path_style = false;
  EXPECT_EQ(Client(endpoint).UrlOf("logs", "2024/a b+c.txt"),
            "https://logs.s3.eu-west-1.amazonaws.com/2024/a%20b%2Bc.txt");
  endpoint.path_style = true;
  EXPECT_EQ(Client(endpoint).UrlOf("logs", "k", "versioning="),
            "https://s3.eu-west-1.amazonaws.com/logs/k?versioning=");
}

TEST(S3TransferTest, BigUploadsGoInPartsOfTheGivenSize) {
  testing::ScriptedServer server;
  server.Script({200, "<InitiateMultipartUploadResult><UploadId>u-1</UploadId>"
                      "</InitiateMultipartUploadResult>", {}});
  for (int part = 1; part <= 3; ++part)
    server.Script({200, "", {{"ETag", "\"p" + std::to_string(part) + "\""}}});
  server.Script({200, "<CompleteMultipartUploadResult><ETag>\"all-3\"</ETag>"
                      "</CompleteMultipartUploadResult>", {}});
  Client client = FastRetryingClient(server);
  std::string content(12 << 20, 'x');
  content[5 << 20] = 'y';
  UploadOptions options;
  options.part_size = 5 << 20;
  options.multipart_threshold = 5 << 20;
  options.content_type = "text/plain";
  long long largest_read = 0;
  RangeReader reader = [&](long long offset, long long length, std::string* bytes,
                           std::string*) {
    largest_read = std::max(largest_read, length);
    *bytes = content.substr(offset, length);
    return true;
  };
  UploadResult result;
  std::string error;
  ASSERT_TRUE(Upload(client, "b", "big", static_cast<long long>(content.size()), reader,
                     options, &result, &error)) << error;
  EXPECT_EQ(largest_read, 5 << 20);  // never more than one part in memory
  EXPECT_EQ(result.parts, 3);
  EXPECT_EQ(result.etag, "all-3");
  EXPECT_EQ(result.expected_etag,
            MultipartEtag({Md5Raw(content.substr(0, 5 << 20)),
                           Md5Raw(content.substr(5 << 20, 5 << 20)),
                           Md5Raw(content.substr(10 << 20))}));
  EXPECT_EQ(result.md5, Md5Hex(content));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].method + " " + requests[0].target, "POST /b/big?uploads=");
  EXPECT_EQ(requests[1].method + " " + requests[1].target, "PUT /b/big?partNumber=1&uploadId=u-1");
  EXPECT_EQ(requests[3].method + " " + requests[3].target, "PUT /b/big?partNumber=3&uploadId=u-1");
  EXPECT_EQ(requests[1].body.size(), 5u << 20);
  EXPECT_EQ(requests[3].body.size(), 2u << 20);
  EXPECT_EQ(requests[4].method + " " + requests[4].target, "POST /b/big?uploadId=u-1");
  EXPECT_THAT(requests[4].body, HasSubstr("<Part><PartNumber>3</PartNumber><ETag>\"p3\"</ETag>"));
}

TEST(S3TransferTest, AFailedPartAbortsTheUpload) {
  testing::ScriptedServer server;
  server.Script({200, "<UploadId>u-2</UploadId>", {}});
  server.Script({400, "<Error><Code>InvalidDigest</Code><Message>bad md5</Message></Error>", {}});
  server.Script({204, "", {}});
  Client client = FastRetryingClient(server);
  std::string content(6 << 20, 'z');
  UploadOptions options;
  options.part_size = 5 << 20;
  options.multipart_threshold = 5 << 20;
  RangeReader reader = [&](long long offset, long long length, std::string* bytes,
                           std::string*) {
    *bytes = content.substr(offset, length);
    return true;
  };
  UploadResult result;
  std::string error;
  EXPECT_FALSE(Upload(client, "b", "k", static_cast<long long>(content.size()), reader, options,
                      &result, &error));
  EXPECT_EQ(error, "s3: PUT s3://b/k (part 1): InvalidDigest: bad md5 (HTTP 400)");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].method + " " + requests[2].target, "DELETE /b/k?uploadId=u-2");
}

TEST(S3XmlTest, FindsAndUnescapesElements) {
  std::string xml = "<R><Code>A&lt;B</Code><Item x=\"1\">one</Item><Item>two &#233;</Item>"
                    "<Empty/></R>";
  EXPECT_EQ(XmlText(xml, "Code"), "A<B");
  EXPECT_THAT(XmlElements(xml, "Item"), ::testing::ElementsAre("one", "two &#233;"));
  EXPECT_EQ(XmlUnescape("two &#233;"), "two \xC3\xA9");
  EXPECT_TRUE(XmlHas(xml, "Empty"));
  EXPECT_FALSE(XmlHas(xml, "Emp"));
  EXPECT_EQ(XmlEscape("a&b<\"'>"), "a&amp;b&lt;&quot;&apos;&gt;");
}

TEST(S3DigestTest, EtagsOfPlainAndMultipartUploads) {
  EXPECT_EQ(Md5Hex("hello"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(MultipartEtag({Md5Raw("hello")}), "5d41402abc4b2a76b9719d911017c592");
  // md5(md5("a") + md5("b")) with the part count, as S3 computes it.
  EXPECT_EQ(MultipartEtag({Md5Raw("a"), Md5Raw("b")}),
            Md5Hex(Md5Raw("a") + Md5Raw("b")) + "-2");
  EXPECT_EQ(Base64Of(Md5Raw("")), "1B2M2Y8AsgTpgAmY7PhCfg==");
}

}  // namespace
}  // namespace upgrade::s3
