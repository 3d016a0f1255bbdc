// `postgres.extension`: an extension installed in one database at a version
// (CREATE EXTENSION / ALTER EXTENSION ... UPDATE TO / DROP EXTENSION).
#pragma once

#include "providers/postgres/common.h"

namespace upgrade::postgres {

/// The postgres.extension resource type.
class ExtensionResource : public ResourceKind {
 public:
  std::string Type() const override { return "postgres.extension"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
};

}  // namespace upgrade::postgres
