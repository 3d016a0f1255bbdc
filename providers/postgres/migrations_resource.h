// `postgres.migrations`: a directory of versioned up/down SQL files applied to one database,
// the applied ones recorded (with checksums) in a table, all changes made under an advisory
// lock, each migration in its own transaction unless its file says otherwise.
#pragma once

#include "providers/postgres/common.h"

namespace upgrade::postgres {

/// The postgres.migrations resource type.
class MigrationsResource : public ResourceKind {
 public:
  std::string Type() const override { return "postgres.migrations"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
};

/// The table a migrations resource records into (`table`, default "upgrade_migrations").
std::string MigrationsTable(const Value::Map& config);

}  // namespace upgrade::postgres
