// What the PostgreSQL provider's integration tests share: a database of their own on the test
// server (UPGRADE_TEST_PG_DSN), dropped afterwards; a blob store in a temp dir; and the
// independent views of a database the tests compare (pg_dump --schema-only, row checksums).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "providers/postgres/postgres_provider.h"
#include "state/blob_store.h"
#include "tests/support/test_support.h"

namespace upgrade::postgres::testing {

/// A fresh database with a unique name, dropped (connections ended) when this goes away.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  /// `postgresql://...` DSN of this database.
  const std::string& dsn() const { return dsn_; }
  /// The server's DSN (UPGRADE_TEST_PG_DSN).
  const std::string& admin_dsn() const { return admin_dsn_; }

  /// Runs SQL through psql (an independent client); fails the test on error. Returns stdout.
  std::string Psql(const std::string& sql) const;
  /// `pg_dump --schema-only` of the database, comments and version lines left out.
  std::string SchemaDump() const;
  /// Table name -> md5 of its rows (sorted), for every table of schema public.
  std::map<std::string, std::string> RowChecksums() const;

 private:
  std::string admin_dsn_;
  std::string name_;
  std::string dsn_;
};

/// A provider context with a blob store in its own temp dir.
struct TestContext {
  TestContext();
  upgrade::testing::TempDir dir;
  std::unique_ptr<FileBlobStore> blobs;
  ProviderContext context;
};

/// `postgres.migrations` over `db` with migrations in `dir`.
ResourceConfig MigrationsConfig(const std::string& dsn, const std::string& dir);

/// Reads `resource`, diffs it against `desired`, prepares and applies: what the executor does
/// for one change. Fails the test when Read, Diff or Prepare fails; returns Apply's result and
/// the undo record through `undo`.
ApplyResult ReadDiffApply(PostgresProvider& provider, const ResourceConfig& resource,
                          const Value::Map& desired, ProviderContext& context, Value* undo,
                          Change* change = nullptr);

}  // namespace upgrade::postgres::testing
