// A bounded pool of reader threads taking resources from a shared cursor.
#include "planner/refresher.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "providers/registry.h"

namespace upgrade {

Refresher::Refresher(const ProviderRegistry& providers, int parallelism)
    : providers_(providers), parallelism_(std::max(1, parallelism)) {}

std::map<std::string, State> Refresher::Refresh(
    const std::map<std::string, ResourceConfig>& resources, ProviderContext& context,
    std::map<std::string, std::string>& errors) const {
  std::vector<const ResourceConfig*> work;
  work.reserve(resources.size());
  for (const auto& [name, resource] : resources) work.push_back(&resource);
  std::vector<ReadResult> results(work.size());
  std::vector<char> owned(work.size(), 1);  // not vector<bool>: written from threads

  std::atomic<size_t> next{0};
  auto reader = [&] {
    for (size_t i = next++; i < work.size(); i = next++) {
      Provider* provider = providers_.For(work[i]->type);
      if (provider == nullptr) {
        owned[i] = 0;
        continue;
      }
      results[i] = provider->Read(*work[i], context);
    }
  };
  size_t threads = std::min<size_t>(static_cast<size_t>(parallelism_), work.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(reader);
  if (threads > 0) reader();  // this thread reads too
  for (auto& thread : pool) thread.join();

  std::map<std::string, State> states;
  for (size_t i = 0; i < work.size(); ++i) {
    const std::string& name = work[i]->name;
    if (!owned[i]) {
      errors[name] = "no provider for resource type " + work[i]->type;
    } else if (!results[i].error.empty()) {
      errors[name] = results[i].error;
    } else {
      states.emplace_hint(states.end(), name, std::move(results[i].state));  // names come sorted
    }
  }
  return states;
}

}  // namespace upgrade
