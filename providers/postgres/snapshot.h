// Snapshots of a database: `pg_dump -Fc` into the blob store, and a restore that ends the
// database's other connections, sets the database aside (rename), recreates it from the dump
// (pg_restore --create) so tables made after the snapshot go too, and then drops the old copy
// (or renames it back when the restore fails). A role that may not create databases gets
// `pg_restore --clean --if-exists --single-transaction` into the database instead. The
// password reaches pg_dump and pg_restore through a private passfile, never their argv.
#pragma once

#include <string>

#include "providers/postgres/common.h"

namespace upgrade::postgres {

/// Snapshot verb: with `estimate_only`, pg_database_size; otherwise a dump adopted into the
/// blob store. The record is {blob, database, bytes}.
SnapshotResult TakeSnapshot(const ResourceConfig& resource, const Value::Map& options,
                            bool estimate_only, ProviderContext& context);

/// Restore verb: brings the database back to what `record` holds.
std::string RestoreSnapshot(const ResourceConfig& resource, const Value& record,
                            ProviderContext& context);

/// Dumps the database `dsn` names into the blob store; returns the blob name, or empty and
/// sets `*error`.
std::string DumpDatabase(const std::string& dsn, ProviderContext& context, std::string* error);

/// Replaces the database `dsn` names with the dump at `dump_path`. Returns an error text.
std::string RestoreDatabase(const std::string& dsn, const std::string& dump_path);

}  // namespace upgrade::postgres
