// The entry point of upgrade-network-providers.so: the http, postgres, docker and s3 providers,
// which alone link libcurl, libpq and libpqxx. The `upgrade` binary opens it on first use
// (providers/provider_module.h).
#include "providers/docker/docker_provider.h"
#include "providers/http/http_provider.h"
#include "providers/postgres/postgres_provider.h"
#include "providers/provider_module.h"
#include "providers/s3/s3_provider.h"

extern "C" __attribute__((visibility("default"))) bool upgrade_provider_module_entry(
    int abi, std::vector<std::unique_ptr<upgrade::Provider>>* out) {
  if (abi != upgrade::kProviderModuleAbi) return false;
  out->push_back(std::make_unique<upgrade::HttpProvider>());
  out->push_back(std::make_unique<upgrade::postgres::PostgresProvider>());
  out->push_back(std::make_unique<upgrade::docker::DockerProvider>());
  out->push_back(std::make_unique<upgrade::S3Provider>());
  return true;
}
