// `s3.bucket`: a bucket that exists or not, with versioning where the server supports it.
//
// State: {bucket, versioning} where `versioning` (true when "Enabled") is left out when the
// server does not implement versioning, so Diff can refuse `versioning = true` at plan time.
// Undo record: {existed, versioning_status} ("Enabled", "Suspended" or "" for never set).
#include "providers/s3/s3_config.h"
#include "providers/s3/s3_resources.h"

namespace upgrade::s3 {
namespace {

std::string BucketOf(const Value::Map& config) { return StringAttribute(config, "bucket"); }

std::string UnsupportedVersioning(const Endpoint& endpoint) {
  return "s3: bucket versioning is not supported by the server at " + endpoint.url +
         " (its answer to GET ?versioning has no VersioningConfiguration)";
}

/// Reads the bucket; `*status` gets its versioning status, `*supported` whether the server
/// has versioning at all. Returns an error text, empty on success.
std::string Observe(Client& client, const std::string& bucket, State* state, std::string* status,
                    bool* supported) {
  *state = State{};
  *supported = false;
  status->clear();
  bool exists = false;
  if (!client.HeadBucket(bucket, &exists)) return client.error().ToString();
  if (!exists) return "";
  state->exists = true;
  state->attributes["bucket"] = bucket;
  if (!client.GetVersioning(bucket, status, supported)) return client.error().ToString();
  if (*supported) state->attributes["versioning"] = *status == "Enabled";
  return "";
}

/// Puts versioning to `enabled` when it differs; an error text, empty on success.
std::string EnsureVersioning(Client& client, const std::string& bucket, bool enabled) {
  std::string status;
  bool supported = false;
  if (!client.GetVersioning(bucket, &status, &supported)) return client.error().ToString();
  if (!supported) return UnsupportedVersioning(client.endpoint());
  if ((status == "Enabled") == enabled) return "";
  if (!client.PutVersioning(bucket, enabled)) return client.error().ToString();
  return "";
}

std::string EnsureExists(Client& client, const std::string& bucket) {
  bool exists = false;
  if (!client.HeadBucket(bucket, &exists)) return client.error().ToString();
  if (exists) return "";
  if (!client.CreateBucket(bucket) && client.error().code != "BucketAlreadyOwnedByYou")
    return client.error().ToString();
  return "";
}

std::string EnsureAbsent(Client& client, const std::string& bucket) {
  bool exists = false;
  if (!client.HeadBucket(bucket, &exists)) return client.error().ToString();
  if (!exists) return "";
  if (!client.DeleteBucket(bucket) && client.error().code != "NoSuchBucket")
    return client.error().ToString();
  return "";
}

}  // namespace

ReadResult ReadBucket(const ResourceConfig& resource) {
  ReadResult result;
  Client client(EndpointFromConfig(resource.config));
  std::string status;
  bool supported = false;
  result.error = Observe(client, BucketOf(resource.config), &result.state, &status, &supported);
  return result;
}

DiffResult DiffBucket(const DiffRequest& request) {
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  const std::string bucket = BucketOf(request.resource.config);
  if (BoolAttribute(request.desired, "absent", false)) {
    change.action = request.prior.exists ? ChangeAction::kDelete : ChangeAction::kNone;
    if (request.prior.exists) change.attributes.push_back({"bucket", bucket, Value()});
    return result;
  }
  change.after.exists = true;
  change.after.attributes = request.prior.attributes;
  change.after.attributes["bucket"] = bucket;
  if (!request.prior.exists) change.attributes.push_back({"bucket", Value(), bucket});
  auto versioning = request.desired.find("versioning");
  if (versioning != request.desired.end() && versioning->second.is_bool()) {
    auto before = request.prior.attributes.find("versioning");
    bool known = before != request.prior.attributes.end();
    if (request.prior.exists && !known && versioning->second.as_bool()) {
      result.error = UnsupportedVersioning(EndpointFromConfig(request.resource.config));
      return result;
    }
    Value before_value = known ? before->second : Value();
    bool now = known && before->second.IsTrue();
    if (!request.prior.exists || now != versioning->second.as_bool()) {
      change.attributes.push_back({"versioning", before_value, versioning->second});
    }
    change.after.attributes["versioning"] = versioning->second;
  }
  if (!request.prior.exists) change.action = ChangeAction::kCreate;
  else change.action = change.attributes.empty() ? ChangeAction::kNone : ChangeAction::kUpdate;
  return result;
}

PrepareResult PrepareBucket(const Operation& operation) {
  PrepareResult result;
  Client client(EndpointFromConfig(operation.resource.config));
  State state;
  std::string status;
  bool supported = false;
  result.error =
      Observe(client, BucketOf(operation.resource.config), &state, &status, &supported);
  result.undo = Value(Value::Map{{"existed", state.exists}, {"versioning_status", status}});
  return result;
}

ApplyResult ApplyBucket(const Operation& operation) {
  ApplyResult result;
  Client client(EndpointFromConfig(operation.resource.config));
  const std::string bucket = BucketOf(operation.resource.config);
  const State& after = operation.change.after;
  if (!after.exists) {
    result.error = EnsureAbsent(client, bucket);
    return result;
  }
  result.error = EnsureExists(client, bucket);
  auto versioning = after.attributes.find("versioning");
  if (result.error.empty() && versioning != after.attributes.end() &&
      versioning->second.is_bool()) {
    result.error = EnsureVersioning(client, bucket, versioning->second.as_bool());
  }
  if (!result.error.empty()) return result;
  std::string status;
  bool supported = false;
  result.error = Observe(client, bucket, &result.state, &status, &supported);
  return result;
}

ReverseResult ReverseBucket(const ReverseRequest& request) {
  ReverseResult result;
  Client client(EndpointFromConfig(request.resource.config));
  const std::string bucket = BucketOf(request.resource.config);
  if (!request.undo.Get("existed").IsTrue()) {
    result.error = EnsureAbsent(client, bucket);
    return result;
  }
  result.error = EnsureExists(client, bucket);
  std::string previous = request.undo.GetString("versioning_status");
  std::string status;
  bool supported = false;
  if (result.error.empty() && !client.GetVersioning(bucket, &status, &supported))
    result.error = client.error().ToString();
  // Versioning never goes back to "never set": a bucket once versioned can only be suspended.
  if (result.error.empty() && supported && status != previous &&
      !(previous.empty() && status == "Suspended")) {
    if (!client.PutVersioning(bucket, previous == "Enabled"))
      result.error = client.error().ToString();
  }
  if (!result.error.empty()) return result;
  result.error = Observe(client, bucket, &result.state, &status, &supported);
  return result;
}

}  // namespace upgrade::s3
