// The `s3` provider: buckets and objects as resources, verified migration between object
// stores as an action, and read-only functions, over any S3-compatible service.
//
//   resource s3.bucket NAME { bucket, versioning, absent } + connection attributes
//   resource s3.object NAME { bucket, key, content | source, content_type, metadata, absent }
//   run s3.migrate { from, to, delete_source = false, verify = true, ... }
//   s3.object(where, key) -> {exists, size, etag}   s3.list(where, prefix) -> [keys]
//   s3.reachable(where) -> bool
//
// Connection attributes (s3_config.h): endpoint, region, path_style, access_key, secret_key,
// session_token, with AWS_* environment variables as fallbacks; credentials are sensitive and
// never appear in messages, logs, state or undo records. See docs/providers/s3.md.
#pragma once

#include "providers/provider.h"

namespace upgrade {

/// The provider of "s3.*" types, the s3.migrate action and the s3 functions.
class S3Provider : public Provider {
 public:
  std::string Name() const override { return "s3"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
  CallResult Call(const std::string& name, const std::vector<Value>& args,
                  ProviderContext& context) override;
};

}  // namespace upgrade
