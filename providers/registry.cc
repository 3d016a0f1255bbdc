// Lookup of providers by namespace.
#include "providers/registry.h"

#include "lang/eval.h"

namespace upgrade {

void ProviderRegistry::Add(std::unique_ptr<Provider> provider) {
  providers_.push_back(std::move(provider));
}

Provider* ProviderRegistry::For(const std::string& qualified_name) const {
  std::string prefix = qualified_name.substr(0, qualified_name.find('.'));
  for (const auto& provider : providers_)
    if (provider->Name() == prefix) return provider.get();
  return nullptr;
}

SchemaRegistry ProviderRegistry::Schemas() const {
  SchemaRegistry registry;
  RegisterBuiltinFunctions(registry);
  for (const auto& provider : providers_) provider->Describe(registry);
  return registry;
}

}  // namespace upgrade
