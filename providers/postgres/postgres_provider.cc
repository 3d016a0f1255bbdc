// The PostgreSQL provider: dispatch to resource types, the action, snapshots and functions.
// Every verb catches what libpqxx throws: nothing crosses the provider interface.
#include "providers/postgres/postgres_provider.h"

#include <exception>

#include "providers/postgres/database_resource.h"
#include "providers/postgres/extension_resource.h"
#include "providers/postgres/functions.h"
#include "providers/postgres/migrations_resource.h"
#include "providers/postgres/role_resource.h"
#include "providers/postgres/setting_resource.h"
#include "providers/postgres/snapshot.h"
#include "providers/postgres/sql_action.h"

namespace upgrade::postgres {
namespace {

// Runs `body`, turning anything thrown into the result's error.
template <typename Result, typename Body>
Result Guard(Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    Result result;
    result.error = std::string("postgres: ") + e.what();
    return result;
  }
}

std::string UnknownType(const std::string& type) { return "unknown resource type " + type; }

}  // namespace

PostgresProvider::PostgresProvider() {
  kinds_.push_back(std::make_unique<MigrationsResource>());
  kinds_.push_back(std::make_unique<DatabaseResource>());
  kinds_.push_back(std::make_unique<RoleResource>());
  kinds_.push_back(std::make_unique<SettingResource>());
  kinds_.push_back(std::make_unique<ExtensionResource>());
}

ResourceKind* PostgresProvider::Find(const std::string& type) const {
  for (const auto& kind : kinds_)
    if (kind->Type() == type) return kind.get();
  return nullptr;
}

void PostgresProvider::Describe(SchemaRegistry& registry) const {
  for (const auto& kind : kinds_) kind->Describe(registry);
  SqlAction::Describe(registry);
  DescribeFunctions(registry);
}

ReadResult PostgresProvider::Read(const ResourceConfig& resource, ProviderContext& context) {
  return Guard<ReadResult>([&] {
    ResourceKind* kind = Find(resource.type);
    return kind ? kind->Read(resource, context) : ReadResult{{}, UnknownType(resource.type)};
  });
}

DiffResult PostgresProvider::Diff(const DiffRequest& request) const {
  return Guard<DiffResult>([&] {
    ResourceKind* kind = Find(request.resource.type);
    DiffResult unknown;
    unknown.error = UnknownType(request.resource.type);
    return kind ? kind->Diff(request) : unknown;
  });
}

PrepareResult PostgresProvider::Prepare(const Operation& operation, ProviderContext& context) {
  return Guard<PrepareResult>([&] {
    if (operation.kind == Operation::Kind::kAction) return SqlAction::Prepare(operation);
    ResourceKind* kind = Find(operation.resource.type);
    PrepareResult unknown;
    unknown.error = UnknownType(operation.resource.type);
    return kind ? kind->Prepare(operation, context) : unknown;
  });
}

ApplyResult PostgresProvider::Apply(const Operation& operation, const Value& undo,
                                    ProviderContext& context) {
  return Guard<ApplyResult>([&] {
    if (operation.kind == Operation::Kind::kAction) return SqlAction::Apply(operation, undo);
    ResourceKind* kind = Find(operation.resource.type);
    ApplyResult unknown;
    unknown.error = UnknownType(operation.resource.type);
    return kind ? kind->Apply(operation, undo, context) : unknown;
  });
}

ReverseResult PostgresProvider::Reverse(const ReverseRequest& request, ProviderContext& context) {
  return Guard<ReverseResult>([&] {
    if (request.kind == Operation::Kind::kAction) return SqlAction::Reverse(request);
    ResourceKind* kind = Find(request.resource.type);
    return kind ? kind->Reverse(request, context)
                : ReverseResult{{}, UnknownType(request.resource.type)};
  });
}

SnapshotResult PostgresProvider::Snapshot(const ResourceConfig& resource,
                                          const Value::Map& options, bool estimate_only,
                                          ProviderContext& context) {
  return Guard<SnapshotResult>(
      [&] { return TakeSnapshot(resource, options, estimate_only, context); });
}

std::string PostgresProvider::Restore(const ResourceConfig& resource, const Value& record,
                                      ProviderContext& context) {
  try {
    return RestoreSnapshot(resource, record, context);
  } catch (const std::exception& e) {
    return std::string("postgres: ") + e.what();
  }
}

CallResult PostgresProvider::Call(const std::string& name, const std::vector<Value>& args,
                                  ProviderContext& context) {
  return Guard<CallResult>([&] { return CallFunction(name, args, context); });
}

}  // namespace upgrade::postgres
