// The set of providers upgrade ships.
#include "providers/registry.h"

#include "providers/docker/docker_provider.h"
#include "providers/exec/exec_provider.h"
#include "providers/fs/fs_provider.h"
#include "providers/http/http_provider.h"
#include "providers/postgres/postgres_provider.h"
#include "providers/s3/s3_provider.h"

namespace upgrade {

std::unique_ptr<ProviderRegistry> MakeDefaultProviders() {
  auto registry = std::make_unique<ProviderRegistry>();
  registry->Add(std::make_unique<FsProvider>());
  registry->Add(std::make_unique<HttpProvider>());
  registry->Add(std::make_unique<ExecProvider>());
  registry->Add(std::make_unique<postgres::PostgresProvider>());
  registry->Add(std::make_unique<docker::DockerProvider>());
  registry->Add(std::make_unique<S3Provider>());
  return registry;
}

}  // namespace upgrade
