// The provider's read-only functions for `require` and `verify`: postgres.reachable(db),
// postgres.query(db, sql, args...), postgres.version(db) and postgres.migration_version(db).
// `db` is a resource (postgres.database or postgres.migrations) or a DSN string.
#pragma once

#include <string>
#include <vector>

#include "providers/postgres/common.h"

namespace upgrade::postgres {

void DescribeFunctions(SchemaRegistry& registry);

/// Runs function `name` ("postgres.query"); errors name the DSN masked.
CallResult CallFunction(const std::string& name, const std::vector<Value>& args,
                        ProviderContext& context);

}  // namespace upgrade::postgres
