// Lookup of providers by namespace, and the providers loaded on first use.
#include "providers/registry.h"

#include <atomic>
#include <mutex>
#include <string_view>

#include "lang/eval.h"
#include "lang/schema.h"

namespace upgrade {
namespace {

/// Stands in for a deferred provider whose loading failed: every verb answers with that error.
class UnavailableProvider : public Provider {
 public:
  UnavailableProvider(std::string name, std::string error)
      : name_(std::move(name)), error_(std::move(error)) {}

  std::string Name() const override { return name_; }
  void Describe(SchemaRegistry&) const override {}
  ReadResult Read(const ResourceConfig&, ProviderContext&) override { return {{}, error_}; }
  DiffResult Diff(const DiffRequest&) const override { return {{}, error_}; }
  PrepareResult Prepare(const Operation&, ProviderContext&) override {
    PrepareResult result;
    result.error = error_;
    return result;
  }
  ApplyResult Apply(const Operation&, const Value&, ProviderContext&) override {
    ApplyResult result;
    result.error = error_;
    return result;
  }
  ReverseResult Reverse(const ReverseRequest&, ProviderContext&) override {
    return {{}, error_};
  }
  std::string CheckReverse(const ReverseRequest&, ProviderContext&) override { return error_; }
  bool KeepsAside(const ReverseRequest&) const override { return true; }  // to tell its error
  std::string Release(const ReverseRequest&, ProviderContext&) override { return error_; }
  SnapshotResult Snapshot(const ResourceConfig&, const Value::Map&, bool,
                          ProviderContext&) override {
    SnapshotResult result;
    result.error = error_;
    return result;
  }
  std::string Restore(const ResourceConfig&, const Value&, ProviderContext&) override {
    return error_;
  }
  CallResult Call(const std::string&, const std::vector<Value>&, ProviderContext&) override {
    return {{}, error_, /*lasting=*/true};
  }

 private:
  std::string name_;
  std::string error_;
};

}  // namespace

/// Namespaces whose providers one loader makes, once, on first use. Shared with the schema
/// registries handed out, which may outlive the ProviderRegistry (`MakeDefaultProviders()->
/// Schemas()`).
struct ProviderRegistry::DeferredGroup {
  std::vector<std::string> namespaces;
  ProviderLoader loader;
  std::once_flag once;
  std::atomic<bool> loaded{false};
  std::vector<std::unique_ptr<Provider>> providers;  ///< written once under `once`
  std::string error;  ///< the same: why the loader made none

  bool Owns(std::string_view ns) const {
    for (const auto& name : namespaces)
      if (name == ns) return true;
    return false;
  }

  // Loads on the first call (the others wait for it); the provider named `ns`, or nullptr
  // when the loader made none by that name.
  Provider* Load(std::string_view ns) {
    std::call_once(once, [&] { Fill(std::string(ns)); });
    for (const auto& provider : providers)
      if (provider->Name() == ns) return provider.get();
    return nullptr;
  }

  void Fill(const std::string& first_needed) {
    providers = loader(first_needed, &error);
    if (providers.empty()) {
      for (const auto& name : namespaces)
        providers.push_back(std::make_unique<UnavailableProvider>(name, error));
    }
    loaded.store(true, std::memory_order_release);
  }
};

ProviderRegistry::ProviderRegistry() = default;
ProviderRegistry::~ProviderRegistry() = default;

void ProviderRegistry::Add(std::unique_ptr<Provider> provider) {
  providers_.push_back(std::move(provider));
}

void ProviderRegistry::AddDeferred(std::vector<std::string> namespaces, ProviderLoader loader) {
  auto group = std::make_shared<DeferredGroup>();
  group->namespaces = std::move(namespaces);
  group->loader = std::move(loader);
  deferred_.push_back(std::move(group));
}

Provider* ProviderRegistry::For(const std::string& qualified_name) const {
  std::string_view prefix = NamespaceOf(qualified_name);
  for (const auto& provider : providers_)
    if (provider->Name() == prefix) return provider.get();
  for (const auto& group : deferred_)
    if (group->Owns(prefix)) return group->Load(prefix);
  return nullptr;
}

SchemaRegistry ProviderRegistry::Schemas() const {
  SchemaRegistry registry;
  RegisterBuiltinFunctions(registry);
  for (const auto& provider : providers_) provider->Describe(registry);
  for (const auto& group : deferred_) {
    if (group->loaded.load(std::memory_order_acquire)) {
      for (const auto& provider : group->providers) provider->Describe(registry);
      continue;
    }
    for (const auto& ns : group->namespaces) {
      // Holds the group, not this registry: the schemas may outlive it.
      registry.AddDeferredNamespace(ns, [group, ns](SchemaRegistry& into) {
        if (Provider* provider = group->Load(ns)) provider->Describe(into);
        return group->error;
      });
    }
  }
  return registry;
}

}  // namespace upgrade
