// http.get against a local server: status, body, parsed JSON, headers, timeouts, refused
// connections (with the url's password masked) and bad arguments.
#include "providers/http/http_provider.h"

#include <gtest/gtest.h>

#include "providers/http/test_server.h"

namespace upgrade {
namespace {

using testing::LocalHttpServer;

class HttpProviderTest : public ::testing::Test {
 protected:
  CallResult Get(std::vector<Value> args) { return provider_.Call("http.get", args, context_); }

  LocalHttpServer server_;
  HttpProvider provider_;
  ProviderContext context_;
};

TEST_F(HttpProviderTest, GivesStatusBodyJsonAndHeaders) {
  CallResult result = Get({server_.Url("/json")});
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.value.Get("status"), Value(200));
  EXPECT_EQ(result.value.GetString("body"), R"({"ok": true, "version": "v2", "items": [1, 2]})");
  EXPECT_EQ(result.value.Get("json").Get("ok"), Value(true));
  EXPECT_EQ(result.value.Get("json").Get("version"), Value("v2"));
  EXPECT_EQ(result.value.Get("json").Get("items"), Value(Value::List{1, 2}));
  EXPECT_EQ(result.value.Get("headers").GetString("content-type"), "application/json");
}

TEST_F(HttpProviderTest, GivesErrorStatusesAsValuesAndNullJsonForText) {
  CallResult result = Get({server_.Url("/status/503")});
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.value.Get("status"), Value(503));
  EXPECT_EQ(result.value.GetString("body"), "status 503");
  EXPECT_TRUE(result.value.Get("json").is_null());
}

TEST_F(HttpProviderTest, SendsHeaders) {
  CallResult result =
      Get({server_.Url("/echo"), Value::Map{{"headers", Value::Map{{"X-Token", "abc"}}}}});
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.value.Get("json").Get("headers").Get("x-token"), Value("abc"));
  EXPECT_EQ(result.value.Get("json").Get("method"), Value("GET"));
}

TEST_F(HttpProviderTest, TimesOut) {
  std::string url = server_.Url("/slow?ms=3000");
  CallResult result = Get({url, Value::Map{{"timeout", Duration(300)}}});
  EXPECT_EQ(result.error, "http.get " + url + ": timed out after 300ms");
}

TEST_F(HttpProviderTest, NamesTheUrlOfARefusedConnectionWithoutItsPassword) {
  std::string port = std::to_string(testing::UnusedPort());
  CallResult result = Get({"http://admin:hunter2@127.0.0.1:" + port + "/health"});
  EXPECT_EQ(result.error.rfind("http.get http://admin:***@127.0.0.1:" + port +
                                   "/health: failed to connect to 127.0.0.1 port " + port,
                               0),
            0u)
      << result.error;
  EXPECT_EQ(result.error.find("hunter2"), std::string::npos);
  CallResult hidden = Get({Value("http://127.0.0.1:" + port + "/").MarkSensitive()});
  EXPECT_EQ(hidden.error.rfind("http.get (sensitive value): ", 0), 0u) << hidden.error;
}

TEST_F(HttpProviderTest, RefusesBadArguments) {
  EXPECT_EQ(Get({}).error, "http.get takes a url and an optional map of options");
  EXPECT_EQ(Get({42}).error, "http.get: the url must be a string");
  EXPECT_EQ(Get({"ftp://127.0.0.1/"}).error,
            "http.get ftp://127.0.0.1/: only http:// and https:// urls are supported");
  EXPECT_EQ(Get({server_.Url("/"), Value::Map{{"retries", 3}}}).error,
            "http.get: unknown option retries (known: headers, timeout)");
  EXPECT_EQ(provider_.Call("http.post", {}, context_).error, "unknown function http.post");
}

TEST(HttpProviderSchemaTest, DescribesHttpGet) {
  HttpProvider provider;
  SchemaRegistry registry;
  provider.Describe(registry);
  const FunctionSchema* get = registry.FindFunction("http.get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->min_args, 1);
  EXPECT_EQ(get->max_args, 2);
  EXPECT_TRUE(get->reads_systems);
  EXPECT_EQ(MaskUrlPassword("https://u:p@h:1/x@y"), "https://u:***@h:1/x@y");
  EXPECT_EQ(MaskUrlPassword("https://u@h/"), "https://u@h/");
  EXPECT_EQ(MaskUrlPassword("http://h/a:b@c"), "http://h/a:b@c");
}

}  // namespace
}  // namespace upgrade
