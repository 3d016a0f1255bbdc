// Applies a directory of migrations up to its latest version and reverses them, through the
// PostgreSQL provider exactly as the executor drives it (Read, Diff, Prepare, Apply; then
// Reverse of the undo record), and prints the seconds each direction took.
//
// Usage: postgres_migrations_bench DSN MIGRATIONS_DIR BLOB_DIR
// Output: `up <seconds>` and `down <seconds>` lines.
#include <chrono>
#include <cstdio>
#include <string>

#include "providers/postgres/postgres_provider.h"
#include "state/blob_store.h"

namespace {

using upgrade::ChangeAction;
using upgrade::Operation;
using upgrade::ResourceConfig;
using upgrade::Value;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int Fail(const std::string& what, const std::string& error) {
  std::fprintf(stderr, "postgres_migrations_bench: %s: %s\n", what.c_str(), error.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: postgres_migrations_bench DSN MIGRATIONS_DIR BLOB_DIR\n");
    return 2;
  }
  upgrade::postgres::PostgresProvider provider;
  upgrade::FileBlobStore blobs(argv[3]);
  upgrade::ProviderContext context;
  context.blobs = &blobs;
  ResourceConfig resource{"postgres.migrations", "schema",
                          {{"database", Value::Map{{"url", argv[1]}}}, {"dir", argv[2]}}};

  auto start = std::chrono::steady_clock::now();
  upgrade::ReadResult read = provider.Read(resource, context);
  if (!read.error.empty()) return Fail("read", read.error);
  upgrade::DiffResult diff = provider.Diff({resource, read.state, {{"version", "latest"}}});
  if (!diff.error.empty()) return Fail("diff", diff.error);
  if (diff.change.action == ChangeAction::kNone) return Fail("diff", "nothing to apply");
  Operation operation{Operation::Kind::kChange, resource, diff.change};
  upgrade::PrepareResult prepare = provider.Prepare(operation, context);
  if (!prepare.error.empty()) return Fail("prepare", prepare.error);
  upgrade::ApplyResult apply = provider.Apply(operation, prepare.undo, context);
  if (!apply.error.empty()) return Fail("apply", apply.error);
  std::printf("up %.3f\n", Seconds(start));

  start = std::chrono::steady_clock::now();
  upgrade::ReverseResult reverse =
      provider.Reverse({Operation::Kind::kChange, resource, prepare.undo}, context);
  if (!reverse.error.empty()) return Fail("reverse", reverse.error);
  std::printf("down %.3f\n", Seconds(start));
  return 0;
}
