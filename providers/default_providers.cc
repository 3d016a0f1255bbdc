// The set of providers upgrade ships.
#include "providers/registry.h"

namespace upgrade {

std::unique_ptr<ProviderRegistry> MakeDefaultProviders() {
  auto registry = std::make_unique<ProviderRegistry>();
  return registry;
}

}  // namespace upgrade
