// Shared support of the PostgreSQL provider's integration tests; see pg_test_support.h.
#include "providers/postgres/pg_test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <sstream>

namespace upgrade::postgres::testing {
namespace {

using upgrade::testing::RequireEnv;
using upgrade::testing::RunCommand;

std::string WithDatabase(const std::string& dsn, const std::string& db) {
  // The test DSN is a URI ending in the database name, possibly followed by a query.
  size_t query = dsn.find('?');
  std::string base = dsn.substr(0, query);
  std::string rest = query == std::string::npos ? "" : dsn.substr(query);
  size_t slash = base.find('/', base.find("://") + 3);
  return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + db + rest;
}

std::string RunPsql(const std::string& dsn, const std::string& sql) {
  auto result = RunCommand({"/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-d", dsn, "-c", sql});
  EXPECT_EQ(result.exit_code, 0) << "psql failed: " << result.err << "\nSQL: " << sql;
  return result.out;
}

}  // namespace

TestDatabase::TestDatabase() : admin_dsn_(RequireEnv("UPGRADE_TEST_PG_DSN")) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  name_ = "pgprov_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(now % 1000000);
  dsn_ = WithDatabase(admin_dsn_, name_);
  RunPsql(admin_dsn_, "CREATE DATABASE " + name_);
}

TestDatabase::~TestDatabase() {
  RunPsql(admin_dsn_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

std::string TestDatabase::Psql(const std::string& sql) const { return RunPsql(dsn_, sql); }

std::string TestDatabase::SchemaDump() const {
  auto result = RunCommand({"/usr/bin/pg_dump", "--schema-only", "-d", dsn_});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::istringstream in(result.out);
  std::string line, out;
  while (std::getline(in, line))
    // Comments and the random key of pg_dump's \restrict guard differ between two dumps.
    if (line.rfind("--", 0) != 0 && line.rfind("\\restrict", 0) != 0 &&
        line.rfind("\\unrestrict", 0) != 0 && !line.empty())
      out += line + "\n";
  return out;
}

std::map<std::string, std::string> TestDatabase::RowChecksums() const {
  std::map<std::string, std::string> sums;
  std::istringstream tables(
      Psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"));
  std::string table;
  while (std::getline(tables, table)) {
    if (table.empty()) continue;
    std::string sum = Psql("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY "
                           "t::text)), '') FROM \"" + table + "\" t");
    sums[table] = sum;
  }
  return sums;
}

TestContext::TestContext() : blobs(std::make_unique<FileBlobStore>(dir.Join("blobs"))) {
  context.blobs = blobs.get();
  context.run_id = "test";
}

ResourceConfig MigrationsConfig(const std::string& dsn, const std::string& dir) {
  ResourceConfig resource;
  resource.type = "postgres.migrations";
  resource.name = "schema";
  resource.config = {{"database", Value::Map{{"url", dsn}}}, {"dir", dir}};
  return resource;
}

ApplyResult ReadDiffApply(PostgresProvider& provider, const ResourceConfig& resource,
                          const Value::Map& desired, ProviderContext& context, Value* undo,
                          Change* change_out) {
  ReadResult read = provider.Read(resource, context);
  EXPECT_EQ(read.error, "");
  DiffResult diff = provider.Diff({resource, read.state, desired});
  EXPECT_EQ(diff.error, "");
  Operation operation;
  operation.resource = resource;
  operation.change = diff.change;
  PrepareResult prepare = provider.Prepare(operation, context);
  EXPECT_EQ(prepare.error, "");
  *undo = prepare.undo;
  if (change_out != nullptr) *change_out = diff.change;
  ApplyResult apply = provider.Apply(operation, prepare.undo, context);
  if (!apply.undo.is_null()) *undo = apply.undo;
  return apply;
}

}  // namespace upgrade::postgres::testing
