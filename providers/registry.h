// The providers one run uses, found by the namespace of a type or function name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace upgrade {

/// Owns providers and finds the one for "docker.container" or "http.get" by its namespace.
class ProviderRegistry {
 public:
  void Add(std::unique_ptr<Provider> provider);
  /// The provider owning `qualified_name` (the part before the first '.'), or nullptr.
  Provider* For(const std::string& qualified_name) const;
  /// Every provider's schemas, plus the language's built-in functions.
  SchemaRegistry Schemas() const;
  const std::vector<std::unique_ptr<Provider>>& providers() const { return providers_; }

 private:
  std::vector<std::unique_ptr<Provider>> providers_;
};

/// A registry with every provider upgrade ships: fs, http, exec, postgres, docker, s3.
std::unique_ptr<ProviderRegistry> MakeDefaultProviders();

}  // namespace upgrade
