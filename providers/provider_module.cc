// Opening a provider module with dlopen() and taking its providers.
#include "providers/provider_module.h"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>

namespace upgrade {

std::string BesideBinary(const std::string& file_name) {
  std::error_code error;
  std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return file_name;  // no /proc: dlopen searches the library path instead
  return (binary.parent_path() / file_name).string();
}

std::vector<std::unique_ptr<Provider>> LoadProviderModule(const std::string& path,
                                                          const std::string& ns,
                                                          std::string* error) {
  std::vector<std::unique_ptr<Provider>> providers;
  std::string failure = "cannot load the " + ns + " provider: ";
  // RTLD_LAZY: functions are bound on first call, as the binary's own libraries are; binding
  // every one of libcurl's and libpq's dependencies at once cost 3.8M more instructions. A
  // symbol missing from the module itself cannot happen: it is linked with --no-undefined.
  // RTLD_LOCAL: its copies of upgrade's own libraries (see providers/CMakeLists.txt) stay its.
  void* module = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (module == nullptr) {
    const char* why = dlerror();
    // dlerror() already starts with the path it could not open.
    *error = failure + (why ? why : path + ": unknown error");
    return providers;
  }
  auto entry = reinterpret_cast<ProviderModuleEntry>(dlsym(module, kProviderModuleEntry));
  if (entry == nullptr) {
    *error = failure + path + ": not a provider module (no " + kProviderModuleEntry + ")";
    return providers;
  }
  if (!entry(kProviderModuleAbi, &providers) || providers.empty()) {
    providers.clear();
    *error = failure + path + ": built for another version of upgrade";
  }
  return providers;
}

ProviderLoader ModuleBesideBinaryLoader(const std::string& file_name) {
  return [file_name](const std::string& ns, std::string* error) {
    return LoadProviderModule(BesideBinary(file_name), ns, error);
  };
}

}  // namespace upgrade
