// `s3.object`: one object with content (inline or from a local file), content type and
// metadata, or absent.
//
// State: {bucket, key, size, etag, sha256, content_type, metadata}. `sha256` is what plans
// compare: objects written here carry it as x-amz-meta-upgrade-sha256 (kept out of `metadata`);
// for others Read hashes the body, streamed in bounded ranges.
// Diff's private data: {content} or {source}, plus the planned sha256, relayed to Apply.
// Undo record: {existed, blob, content_type, metadata, size}: Prepare streams the previous body
// into the state store's BlobStore, so Reverse puts back the same bytes, type and metadata.
#include <sys/stat.h>

#include "providers/s3/s3_config.h"
#include "providers/s3/s3_digest.h"
#include "providers/s3/s3_resources.h"
#include "providers/s3/s3_transfer.h"

namespace upgrade::s3 {
namespace {

constexpr const char* kShaMetadata = "upgrade-sha256";

struct ObjectId {
  std::string bucket;
  std::string key;
};

ObjectId IdOf(const Value::Map& config) {
  return {StringAttribute(config, "bucket"), StringAttribute(config, "key")};
}

Value MetadataValue(const std::map<std::string, std::string>& metadata) {
  Value::Map map;
  for (const auto& [name, value] : metadata)
    if (name != kShaMetadata) map[name] = value;
  return Value(map);
}

std::map<std::string, std::string> MetadataOf(const Value& value) {
  std::map<std::string, std::string> metadata;
  if (!value.is_map()) return metadata;
  for (const auto& [name, entry] : value.as_map())
    metadata[name] = entry.is_string() ? entry.as_string() : entry.ToInterpolation();
  return metadata;
}

/// The state of an object from its HEAD, hashing its body when it carries no sha256.
std::string StateOf(Client& client, const ObjectId& id, const ObjectHead& head, State* state) {
  *state = State{};
  if (!head.exists) return "";
  auto sha = head.metadata.find(kShaMetadata);
  std::string sha256;
  if (sha != head.metadata.end()) {
    sha256 = sha->second;
  } else {
    Digest digest(Digest::Kind::kSha256);
    if (!client.GetObjectStream(id.bucket, id.key, head.size,
                                [&](const char* data, size_t size) { digest.Update(data, size); }))
      return client.error().ToString();
    sha256 = digest.HexDigest();
  }
  state->exists = true;
  state->attributes = {
      {"bucket", id.bucket},       {"key", id.key},
      {"size", Value(static_cast<double>(head.size))},
      {"etag", head.etag},         {"sha256", sha256},
      {"content_type", head.content_type}, {"metadata", MetadataValue(head.metadata)},
  };
  return "";
}

std::string Observe(Client& client, const ObjectId& id, State* state) {
  ObjectHead head;
  if (!client.HeadObject(id.bucket, id.key, &head)) return client.error().ToString();
  return StateOf(client, id, head, state);
}

/// The digest and size of what `desired` asks for; an error text when a source is unreadable.
std::string DesiredBody(const Value::Map& desired, std::string* sha256, long long* size,
                        bool* sensitive) {
  auto content = desired.find("content");
  auto source = desired.find("source");
  if (content != desired.end() && content->second.is_string()) {
    *sha256 = Sha256HexOf(content->second.as_string());
    *size = static_cast<long long>(content->second.as_string().size());
    *sensitive = content->second.sensitive();
    return "";
  }
  if (source != desired.end() && source->second.is_string()) {
    const std::string& path = source->second.as_string();
    struct stat info {};
    std::string error;
    if (::stat(path.c_str(), &info) != 0 || !HashFile(path, nullptr, sha256, &error))
      return "s3.object: cannot read source " + path;
    *size = info.st_size;
    *sensitive = false;
    return "";
  }
  return "s3.object needs `content` or `source` (or `absent = true`)";
}

void AddIfChanged(const std::string& name, const Value::Map& before, const Value& after,
                  bool sensitive, Change* change) {
  auto it = before.find(name);
  Value old = it == before.end() ? Value() : it->second;
  if (old != after) change->attributes.push_back({name, old, after, false, sensitive});
}

}  // namespace

ReadResult ReadObject(const ResourceConfig& resource) {
  ReadResult result;
  Client client(EndpointFromConfig(resource.config));
  result.error = Observe(client, IdOf(resource.config), &result.state);
  return result;
}

DiffResult DiffObject(const DiffRequest& request) {
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  ObjectId id = IdOf(request.resource.config);
  const Value::Map& prior = request.prior.attributes;
  if (BoolAttribute(request.desired, "absent", false)) {
    change.action = request.prior.exists ? ChangeAction::kDelete : ChangeAction::kNone;
    if (request.prior.exists) AddIfChanged("sha256", prior, Value(), false, &change);
    return result;
  }
  std::string sha256;
  long long size = 0;
  bool sensitive = false;
  result.error = DesiredBody(request.desired, &sha256, &size, &sensitive);
  if (!result.error.empty()) return result;
  std::string content_type = StringAttribute(
      request.desired, "content_type",
      StringAttribute(prior, "content_type", "application/octet-stream"));
  auto metadata_it = request.desired.find("metadata");
  Value metadata = metadata_it != request.desired.end()
                       ? MetadataValue(MetadataOf(metadata_it->second))
                       : (prior.count("metadata") ? prior.at("metadata") : Value(Value::Map{}));

  Value::Map after = {{"bucket", id.bucket},
                      {"key", id.key},
                      {"size", Value(static_cast<double>(size))},
                      {"sha256", sha256},
                      {"content_type", content_type},
                      {"metadata", metadata},
                      {"etag", Value(Unknown{})}};
  AddIfChanged("sha256", prior, after["sha256"], sensitive, &change);
  AddIfChanged("size", prior, after["size"], sensitive, &change);
  AddIfChanged("content_type", prior, after["content_type"], false, &change);
  AddIfChanged("metadata", prior, after["metadata"], false, &change);
  if (change.attributes.empty() && request.prior.exists) {
    change.action = ChangeAction::kNone;
    change.after = request.prior;
    return result;
  }
  change.action = request.prior.exists ? ChangeAction::kUpdate : ChangeAction::kCreate;
  change.after.exists = true;
  change.after.attributes = std::move(after);
  Value::Map body = {{"sha256", sha256}};
  auto content = request.desired.find("content");
  if (content != request.desired.end() && content->second.is_string()) {
    body["content"] = content->second;
  } else {
    body["source"] = request.desired.at("source");
  }
  change.private_data = Value(std::move(body));
  return result;
}

PrepareResult PrepareObject(const Operation& operation, ProviderContext& context) {
  PrepareResult result;
  ObjectId id = IdOf(operation.resource.config);
  Client client(EndpointFromConfig(operation.resource.config));
  ObjectHead head;
  if (!client.HeadObject(id.bucket, id.key, &head)) {
    // A missing bucket means no object either: creating it will fail with NoSuchBucket.
    if (client.error().code != "NoSuchBucket") {
      result.error = client.error().ToString();
      return result;
    }
  }
  if (!head.exists) {
    result.undo = Value(Value::Map{{"existed", false}});
    return result;
  }
  if (context.blobs == nullptr) {
    result.error = "s3.object: no state store to keep the previous object in";
    return result;
  }
  std::string temp = context.blobs->NewTempPath();
  if (!client.GetObjectToFile(id.bucket, id.key, temp)) {
    result.error = client.error().ToString();
    return result;
  }
  std::optional<std::string> blob = context.blobs->AdoptFile(temp, &result.error);
  if (!blob) return result;
  Value::Map metadata;
  for (const auto& [name, value] : head.metadata) metadata[name] = value;
  result.undo = Value(Value::Map{{"existed", true},
                                 {"blob", *blob},
                                 {"content_type", head.content_type},
                                 {"metadata", Value(metadata)},
                                 {"size", Value(static_cast<double>(head.size))}});
  return result;
}

ApplyResult ApplyObject(const Operation& operation) {
  ApplyResult result;
  ObjectId id = IdOf(operation.resource.config);
  Client client(EndpointFromConfig(operation.resource.config));
  const State& after = operation.change.after;
  if (!after.exists) {
    if (!client.DeleteObject(id.bucket, id.key)) result.error = client.error().ToString();
    return result;
  }
  const Value& body = operation.change.private_data;
  std::string planned_sha256 = body.GetString("sha256");
  UploadOptions options;
  options.content_type = after.attributes.at("content_type").as_string();
  options.metadata = MetadataOf(after.attributes.at("metadata"));
  options.metadata[kShaMetadata] = planned_sha256;
  UploadResult uploaded;
  if (body.Get("content").is_string()) {
    const std::string& content = body.Get("content").as_string();
    RangeReader reader = [&content](long long offset, long long length, std::string* bytes,
                                    std::string*) {
      *bytes = content.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
      return true;
    };
    Upload(client, id.bucket, id.key, static_cast<long long>(content.size()), reader, options,
           &uploaded, &result.error);
  } else {
    std::string path = body.GetString("source");
    std::string sha256;
    if (!HashFile(path, nullptr, &sha256, &result.error)) return result;
    if (sha256 != planned_sha256) {
      result.error = "s3.object: source " + path + " changed since the plan";
      return result;
    }
    UploadFile(client, id.bucket, id.key, path, options, &uploaded, &result.error);
  }
  if (!result.error.empty()) return result;
  result.error = Observe(client, id, &result.state);
  return result;
}

ReverseResult ReverseObject(const ReverseRequest& request, ProviderContext& context) {
  ReverseResult result;
  ObjectId id = IdOf(request.resource.config);
  Client client(EndpointFromConfig(request.resource.config));
  if (!request.undo.Get("existed").IsTrue()) {
    if (!client.DeleteObject(id.bucket, id.key)) result.error = client.error().ToString();
    return result;
  }
  std::string path =
      context.blobs == nullptr ? "" : context.blobs->PathOf(request.undo.GetString("blob"));
  if (path.empty()) {
    result.error = "s3.object: the previous object's blob " + request.undo.GetString("blob") +
                   " is missing from the state store";
    return result;
  }
  UploadOptions options;
  options.content_type = request.undo.GetString("content_type");
  options.metadata = MetadataOf(request.undo.Get("metadata"));
  UploadResult uploaded;
  if (!UploadFile(client, id.bucket, id.key, path, options, &uploaded, &result.error))
    return result;
  result.error = Observe(client, id, &result.state);
  return result;
}

}  // namespace upgrade::s3
