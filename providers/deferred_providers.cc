// The providers of the `upgrade` binary: fs and exec compiled in, the network providers (http,
// postgres, docker, s3) loaded from their module the first time a plan names one of them.
// Test binaries link default_providers.cc instead, with every provider compiled in.
#include "providers/exec/exec_provider.h"
#include "providers/fs/fs_provider.h"
#include "providers/provider_module.h"
#include "providers/registry.h"

namespace upgrade {

std::unique_ptr<ProviderRegistry> MakeDefaultProviders() {
  auto registry = std::make_unique<ProviderRegistry>();
  registry->Add(std::make_unique<FsProvider>());
  registry->Add(std::make_unique<ExecProvider>());
  registry->AddDeferred({"http", "postgres", "docker", "s3"},
                        ModuleBesideBinaryLoader(kNetworkProvidersModule));
  return registry;
}

}  // namespace upgrade
