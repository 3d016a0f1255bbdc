// Runs `run s3.migrate { from = DIR, to = s3://BUCKET/PREFIX }` through the s3 provider as the
// executor drives it (Prepare, then Apply), then the same migration again (everything verified
// already), and prints the seconds of each:
//   migrate SECONDS DOCUMENTS BYTES
//   rerun   SECONDS SKIPPED
// Usage: s3_migrate_bench ENDPOINT DIR s3://BUCKET/PREFIX STATE_DIR [PARALLEL=8] [VERIFY=1]
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "providers/s3/s3_provider.h"
#include "state/blob_store.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: s3_migrate_bench ENDPOINT DIR s3://BUCKET/PREFIX STATE_DIR "
                 "[PARALLEL] [VERIFY]\n");
    return 2;
  }
  upgrade::FileBlobStore blobs(std::string(argv[4]) + "/blobs");
  upgrade::ProviderContext context;
  context.blobs = &blobs;
  context.run_id = "bench";
  upgrade::Operation migrate;
  migrate.kind = upgrade::Operation::Kind::kAction;
  migrate.resource.type = "s3.migrate";
  migrate.resource.name = "bench";
  migrate.resource.config = {
      {"endpoint", argv[1]},
      {"from", argv[2]},
      {"to", argv[3]},
      {"parallel", argc > 5 ? std::atoi(argv[5]) : 8},
      {"verify", argc > 6 ? std::atoi(argv[6]) != 0 : true},
  };
  upgrade::S3Provider provider;
  auto start = std::chrono::steady_clock::now();
  upgrade::PrepareResult prepared = provider.Prepare(migrate, context);
  upgrade::ApplyResult applied =
      prepared.error.empty() ? provider.Apply(migrate, prepared.undo, context)
                             : upgrade::ApplyResult{};
  if (!prepared.error.empty() || !applied.error.empty()) {
    std::fprintf(stderr, "%s\n", (prepared.error + applied.error).c_str());
    return 1;
  }
  double seconds = Seconds(start);
  std::printf("migrate %.3f %.0f %.0f\n", seconds, applied.output.Get("documents").as_number(),
              applied.output.Get("bytes").as_number());
  start = std::chrono::steady_clock::now();
  upgrade::ApplyResult again = provider.Apply(migrate, prepared.undo, context);
  if (!again.error.empty()) {
    std::fprintf(stderr, "%s\n", again.error.c_str());
    return 1;
  }
  std::printf("rerun %.3f %.0f\n", Seconds(start), again.output.Get("skipped").as_number());
  return 0;
}
