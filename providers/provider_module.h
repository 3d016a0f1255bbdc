// Providers built as a shared module that the `upgrade` binary opens with dlopen() only when a
// plan (or a saved plan, or a journal) names one of its namespaces: the network providers
// link libcurl, libpq and libpqxx, whose start-up cost a plan of files should not pay.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "providers/registry.h"

namespace upgrade {

/// The version of the C++ interface between `upgrade` and a provider module (Provider, Value,
/// ProviderContext...). A module built for another version is refused instead of crashing.
inline constexpr int kProviderModuleAbi = 1;

/// The C function every provider module exports: when `abi` is its own version, it appends its
/// providers to `out` and returns true; otherwise it returns false and appends nothing.
using ProviderModuleEntry = bool (*)(int abi, std::vector<std::unique_ptr<Provider>>* out);
inline constexpr const char* kProviderModuleEntry = "upgrade_provider_module_entry";

/// The file of the network providers module (http, docker, s3, postgres).
inline constexpr const char* kNetworkProvidersModule = "upgrade-network-providers.so";

/// `file_name` in the directory of the running binary (found from /proc/self/exe).
std::string BesideBinary(const std::string& file_name);

/// Opens the module at `path` and returns its providers; on failure returns none and sets
/// `*error` to "cannot load the NS provider: PATH: WHY", naming the namespace `ns` that needed
/// it. The module stays open for the life of the process.
std::vector<std::unique_ptr<Provider>> LoadProviderModule(const std::string& path,
                                                          const std::string& ns,
                                                          std::string* error);

/// A ProviderLoader that loads the module `file_name` from beside the binary.
ProviderLoader ModuleBesideBinaryLoader(const std::string& file_name);

}  // namespace upgrade
