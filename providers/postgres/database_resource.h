// `postgres.database`: a database on a server — present or absent, its owner and encoding.
// Dropping one dumps it first (so rollback restores it) unless `allow_destroy = true` says the
// drop may be irreversible.
#pragma once

#include "providers/postgres/common.h"

namespace upgrade::postgres {

/// The postgres.database resource type. `url` is the database's own DSN; `name` (default:
/// the DSN's database) is the one managed; the server is reached through `maintenance_db`
/// (default "postgres") to create or drop it.
class DatabaseResource : public ResourceKind {
 public:
  std::string Type() const override { return "postgres.database"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
};

}  // namespace upgrade::postgres
