// The providers one run uses, found by the namespace of a type or function name.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace upgrade {

/// Makes the providers of a group of deferred namespaces (by loading a module); on failure
/// returns none and sets `*error` to say why.
using ProviderLoader = std::function<std::vector<std::unique_ptr<Provider>>(
    const std::string& ns, std::string* error)>;

/// Owns providers and finds the one for "docker.container" or "http.get" by its namespace.
///
/// Some namespaces can be deferred: their providers are made by a loader the first time
/// `For()` (or a schema lookup) needs one of them, so a plan that never names them never
/// pays for loading them. When the loader fails, `For()` gives a provider whose every verb
/// answers with the loader's error, so the failure reaches the user where the provider was
/// needed. `For()` and schema lookups may run on several threads at once; `Add` and
/// `AddDeferred` may not.
class ProviderRegistry {
 public:
  ProviderRegistry();
  ~ProviderRegistry();

  void Add(std::unique_ptr<Provider> provider);
  /// The providers of `namespaces` are made by `loader`, once, when one is first needed.
  void AddDeferred(std::vector<std::string> namespaces, ProviderLoader loader);
  /// The provider owning `qualified_name` (the part before the first '.'), or nullptr.
  Provider* For(const std::string& qualified_name) const;
  /// Every provider's schemas, plus the language's built-in functions. A deferred namespace
  /// not loaded yet is described when the registry first looks up one of its names.
  SchemaRegistry Schemas() const;
  /// The providers added with `Add` (deferred ones are not listed).
  const std::vector<std::unique_ptr<Provider>>& providers() const { return providers_; }

 private:
  struct DeferredGroup;
  std::vector<std::unique_ptr<Provider>> providers_;
  std::vector<std::shared_ptr<DeferredGroup>> deferred_;
};

/// A registry with every provider upgrade ships: fs, http, exec, postgres, docker, s3. The
/// `upgrade` binary's version defers http, postgres, docker and s3 to the network providers
/// module (providers/provider_module.h); test binaries link them in.
std::unique_ptr<ProviderRegistry> MakeDefaultProviders();

}  // namespace upgrade
