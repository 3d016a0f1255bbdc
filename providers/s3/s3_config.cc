// Connection attributes and s3:// addresses (see s3_config.h).
#include "providers/s3/s3_config.h"

#include <cstdlib>

namespace upgrade::s3 {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string FirstNonEmpty(std::initializer_list<std::string> candidates) {
  for (const std::string& candidate : candidates)
    if (!candidate.empty()) return candidate;
  return "";
}

}  // namespace

std::vector<AttributeSchema> ConnectionAttributes() {
  return {
      {"endpoint", AttrType::kString, false, false, false, false, false,
       "URL of the S3 service (default: AWS_ENDPOINT_URL, else AWS's regional endpoint)"},
      {"region", AttrType::kString, false, false, false, false, false,
       "region signed into requests (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1)"},
      {"path_style", AttrType::kBool, false, false, false, false, false,
       "true: ENDPOINT/bucket/key; false: bucket.ENDPOINT/key (default: true but on AWS)"},
      {"access_key", AttrType::kString, false, false, true, false, false,
       "access key id (default: AWS_ACCESS_KEY_ID)"},
      {"secret_key", AttrType::kString, false, false, true, false, false,
       "secret access key (default: AWS_SECRET_ACCESS_KEY)"},
      {"session_token", AttrType::kString, false, false, true, false, false,
       "session token of temporary credentials (default: AWS_SESSION_TOKEN)"},
  };
}

bool IsConnectionAttribute(const std::string& name) {
  for (const AttributeSchema& attribute : ConnectionAttributes())
    if (attribute.name == name) return true;
  return false;
}

std::string StringAttribute(const Value::Map& config, const std::string& name,
                            const std::string& fallback) {
  auto it = config.find(name);
  if (it == config.end() || !it->second.is_string()) return fallback;
  return it->second.as_string();
}

bool BoolAttribute(const Value::Map& config, const std::string& name, bool fallback) {
  auto it = config.find(name);
  if (it == config.end() || !it->second.is_bool()) return fallback;
  return it->second.as_bool();
}

Endpoint EndpointFromConfig(const Value::Map& config) {
  Endpoint endpoint;
  endpoint.region = FirstNonEmpty(
      {StringAttribute(config, "region"), Env("AWS_REGION"), Env("AWS_DEFAULT_REGION"),
       "us-east-1"});
  endpoint.url = FirstNonEmpty({StringAttribute(config, "endpoint"), Env("AWS_ENDPOINT_URL_S3"),
                                Env("AWS_ENDPOINT_URL"),
                                "https://s3." + endpoint.region + ".amazonaws.com"});
  while (!endpoint.url.empty() && endpoint.url.back() == '/') endpoint.url.pop_back();
  bool on_aws = endpoint.url.find("amazonaws.com") != std::string::npos;
  endpoint.path_style = BoolAttribute(config, "path_style", !on_aws);
  endpoint.access_key =
      FirstNonEmpty({StringAttribute(config, "access_key"), Env("AWS_ACCESS_KEY_ID")});
  endpoint.secret_key =
      FirstNonEmpty({StringAttribute(config, "secret_key"), Env("AWS_SECRET_ACCESS_KEY")});
  endpoint.session_token =
      FirstNonEmpty({StringAttribute(config, "session_token"), Env("AWS_SESSION_TOKEN")});
  return endpoint;
}

bool ParseS3Url(const std::string& url, std::string* bucket, std::string* prefix) {
  const std::string scheme = "s3://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  *bucket = rest.substr(0, slash);
  *prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  return !bucket->empty();
}

}  // namespace upgrade::s3
