// The s3 provider: schemas, dispatch of the verbs to the bucket, object and migration code,
// and the read-only functions (see s3_provider.h).
#include "providers/s3/s3_provider.h"

#include "providers/s3/s3_client.h"
#include "providers/s3/s3_config.h"
#include "providers/s3/s3_migrate.h"
#include "providers/s3/s3_resources.h"

namespace upgrade {
namespace {

using s3::ConnectionAttributes;

ResourceTypeSchema BucketSchema() {
  ResourceTypeSchema schema;
  schema.type = "s3.bucket";
  schema.description = "an S3 bucket, present or absent, with its versioning";
  schema.attributes = {
      {"bucket", AttrType::kString, true, true, false, true, false, "the bucket's name"},
      {"versioning", AttrType::kBool, false, false, false, false, false,
       "keep every version of objects (an error where the server has no versioning)"},
      {"absent", AttrType::kBool, false, false, false, false, false,
       "true: delete the bucket (it must be empty)"},
  };
  for (AttributeSchema& attribute : ConnectionAttributes()) schema.attributes.push_back(attribute);
  return schema;
}

ResourceTypeSchema ObjectSchema() {
  ResourceTypeSchema schema;
  schema.type = "s3.object";
  schema.description = "one object in a bucket; rollback restores the previous bytes exactly";
  schema.attributes = {
      {"bucket", AttrType::kString, true, true, false, true, false, "the bucket"},
      {"key", AttrType::kString, true, true, false, true, false, "the object's key"},
      {"content", AttrType::kString, false, false, false, false, false, "the bytes, inline"},
      {"source", AttrType::kString, false, false, false, false, false,
       "a local file to upload (multipart when big, streamed, never held whole in memory)"},
      {"content_type", AttrType::kString, false, false, false, false, false,
       "Content-Type (default: application/octet-stream, or the object's current one)"},
      {"metadata", AttrType::kMap, false, false, false, false, false, "x-amz-meta-* pairs"},
      {"absent", AttrType::kBool, false, false, false, false, false, "true: delete it"},
      {"size", AttrType::kNumber, false, false, false, false, true, "bytes"},
      {"etag", AttrType::kString, false, false, false, false, true, "S3's ETag, no quotes"},
      {"sha256", AttrType::kString, false, false, false, false, true, "hex SHA-256 of the bytes"},
  };
  for (AttributeSchema& attribute : ConnectionAttributes()) schema.attributes.push_back(attribute);
  return schema;
}

FunctionSchema Function(const char* name, int min_args, int max_args, const char* description) {
  FunctionSchema schema;
  schema.name = name;
  schema.min_args = min_args;
  schema.max_args = max_args;
  schema.reads_systems = true;
  schema.description = description;
  return schema;
}

/// What a function's first argument names: an s3.bucket or s3.object resource (the map of its
/// attributes), a map of connection attributes with `bucket` (and `key`), or "s3://b/k".
struct Where {
  Value::Map config;
  std::string bucket;
  std::string key;
};

bool WhereOf(const std::string& function, const Value& arg, Where* where, std::string* error) {
  if (arg.is_string()) {
    if (!s3::ParseS3Url(arg.as_string(), &where->bucket, &where->key)) {
      *error = function + ": expected s3://bucket/key, got \"" + arg.as_string() + "\"";
      return false;
    }
    return true;
  }
  if (!arg.is_map()) {
    *error = function + ": the first argument must be an s3 resource, a map or s3://bucket/key";
    return false;
  }
  where->config = arg.as_map();
  where->bucket = s3::StringAttribute(where->config, "bucket");
  where->key = s3::StringAttribute(where->config, "key");
  return true;
}

CallResult CallObject(const Where& where, const std::vector<Value>& args) {
  CallResult result;
  std::string key = args.size() > 1 && args[1].is_string() ? args[1].as_string() : where.key;
  if (where.bucket.empty() || key.empty()) {
    result.error = "s3.object: needs a bucket and a key";
    return result;
  }
  s3::Client client(s3::EndpointFromConfig(where.config));
  s3::ObjectHead head;
  if (!client.HeadObject(where.bucket, key, &head) && client.error().code != "NoSuchBucket") {
    result.error = client.error().ToString();
    return result;
  }
  result.value = Value(Value::Map{{"exists", head.exists},
                                  {"size", Value(static_cast<double>(head.size))},
                                  {"etag", head.etag}});
  return result;
}

CallResult CallList(const Where& where, const std::vector<Value>& args) {
  CallResult result;
  std::string prefix = args.size() > 1 && args[1].is_string() ? args[1].as_string() : where.key;
  s3::Client client(s3::EndpointFromConfig(where.config));
  std::vector<s3::ListedObject> objects;
  if (!client.ListObjects(where.bucket, prefix, &objects)) {
    result.error = client.error().ToString();
    return result;
  }
  Value::List keys;
  for (const s3::ListedObject& object : objects) keys.emplace_back(object.key);
  result.value = Value(std::move(keys));
  return result;
}

CallResult CallReachable(const Where& where) {
  CallResult result;
  s3::RetryPolicy once;
  once.max_attempts = 2;
  s3::Client client(s3::EndpointFromConfig(where.config), once);
  if (where.bucket.empty()) {
    std::vector<std::string> names;
    result.value = client.ListBuckets(&names);
  } else {
    bool exists = false;
    result.value = client.HeadBucket(where.bucket, &exists) && exists;
  }
  return result;
}

}  // namespace

void S3Provider::Describe(SchemaRegistry& registry) const {
  registry.AddResource(BucketSchema());
  registry.AddResource(ObjectSchema());
  registry.AddAction(s3::MigrateSchema());
  registry.AddFunction(Function("s3.object", 1, 2,
                                "{exists, size, etag} of object KEY: s3.object(bucket, key)"));
  registry.AddFunction(
      Function("s3.list", 1, 2, "the keys under PREFIX: s3.list(bucket, prefix)"));
  registry.AddFunction(Function(
      "s3.reachable", 1, 1, "true when the bucket (or, without one, the service) answers"));
}

ReadResult S3Provider::Read(const ResourceConfig& resource, ProviderContext&) {
  if (resource.type == "s3.bucket") return s3::ReadBucket(resource);
  if (resource.type == "s3.object") return s3::ReadObject(resource);
  return {{}, "s3: unknown resource type " + resource.type};
}

DiffResult S3Provider::Diff(const DiffRequest& request) const {
  if (request.resource.type == "s3.bucket") return s3::DiffBucket(request);
  if (request.resource.type == "s3.object") return s3::DiffObject(request);
  return {{}, "s3: unknown resource type " + request.resource.type};
}

PrepareResult S3Provider::Prepare(const Operation& operation, ProviderContext& context) {
  const std::string& type = operation.resource.type;
  if (operation.kind == Operation::Kind::kAction) {
    if (type == "s3.migrate") return s3::PrepareMigration(operation, context);
  } else if (type == "s3.bucket") {
    return s3::PrepareBucket(operation);
  } else if (type == "s3.object") {
    return s3::PrepareObject(operation, context);
  }
  PrepareResult result;
  result.error = "s3: unknown type " + type;
  return result;
}

ApplyResult S3Provider::Apply(const Operation& operation, const Value& undo,
                              ProviderContext& context) {
  const std::string& type = operation.resource.type;
  if (operation.kind == Operation::Kind::kAction) {
    if (type == "s3.migrate") return s3::ApplyMigration(operation, undo, context);
  } else if (type == "s3.bucket") {
    return s3::ApplyBucket(operation);
  } else if (type == "s3.object") {
    return s3::ApplyObject(operation);
  }
  ApplyResult result;
  result.error = "s3: unknown type " + type;
  return result;
}

ReverseResult S3Provider::Reverse(const ReverseRequest& request, ProviderContext& context) {
  const std::string& type = request.resource.type;
  if (request.kind == Operation::Kind::kAction) {
    if (type == "s3.migrate") return s3::ReverseMigration(request, context);
  } else if (type == "s3.bucket") {
    return s3::ReverseBucket(request);
  } else if (type == "s3.object") {
    return s3::ReverseObject(request, context);
  }
  return {{}, "s3: unknown type " + type};
}

CallResult S3Provider::Call(const std::string& name, const std::vector<Value>& args,
                            ProviderContext&) {
  CallResult result;
  Where where;
  if (args.empty()) {
    result.error = name + ": needs a bucket (an s3 resource, a map or s3://bucket)";
    return result;
  }
  if (!WhereOf(name, args[0], &where, &result.error)) return result;
  if (name == "s3.object") return CallObject(where, args);
  if (name == "s3.list") return CallList(where, args);
  if (name == "s3.reachable") return CallReachable(where);
  result.error = "unknown function " + name;
  return result;
}

}  // namespace upgrade
