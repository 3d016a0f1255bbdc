// The connection attributes every s3 resource type, action and function takes (endpoint,
// region, addressing, credentials), with the AWS environment variables as fallbacks, and the
// `s3://bucket/prefix` addresses of migrations.
#pragma once

#include <string>
#include <vector>

#include "lang/schema.h"
#include "lang/value.h"
#include "providers/s3/s3_client.h"

namespace upgrade::s3 {

/// endpoint, region, path_style, access_key, secret_key, session_token (the last three
/// sensitive).
std::vector<AttributeSchema> ConnectionAttributes();
bool IsConnectionAttribute(const std::string& name);

/// The endpoint described by `config`, each attribute missing there taken from the
/// environment: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_REGION / AWS_DEFAULT_REGION,
/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN. Without an endpoint: AWS's
/// regional one. path_style defaults to true except on amazonaws.com.
Endpoint EndpointFromConfig(const Value::Map& config);

/// Splits "s3://bucket/some/prefix" into bucket and prefix; false when not an s3 URL.
bool ParseS3Url(const std::string& url, std::string* bucket, std::string* prefix);

/// The string attribute `name` of `config`, or `fallback`.
std::string StringAttribute(const Value::Map& config, const std::string& name,
                            const std::string& fallback = "");
/// The bool attribute `name` of `config`, or `fallback`.
bool BoolAttribute(const Value::Map& config, const std::string& name, bool fallback);

}  // namespace upgrade::s3
