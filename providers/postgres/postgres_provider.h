// The PostgreSQL provider ("postgres"): databases, roles, extensions, settings and migrations
// as resources, `postgres.sql` as an action, pg_dump/pg_restore snapshots, and the functions
// `reachable`, `query`, `version` and `migration_version` for require/verify.
#pragma once

#include <memory>
#include <vector>

#include "providers/postgres/common.h"

namespace upgrade::postgres {

/// The provider; it holds no connection between calls (each verb opens its own).
class PostgresProvider : public Provider {
 public:
  PostgresProvider();
  std::string Name() const override { return "postgres"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
  SnapshotResult Snapshot(const ResourceConfig& resource, const Value::Map& options,
                          bool estimate_only, ProviderContext& context) override;
  std::string Restore(const ResourceConfig& resource, const Value& record,
                      ProviderContext& context) override;
  CallResult Call(const std::string& name, const std::vector<Value>& args,
                  ProviderContext& context) override;

 private:
  ResourceKind* Find(const std::string& type) const;

  std::vector<std::unique_ptr<ResourceKind>> kinds_;
};

}  // namespace upgrade::postgres
