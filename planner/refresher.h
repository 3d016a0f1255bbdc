// Refresh: reads the actual state of every resource through its provider, in parallel, with at
// most `parallelism` reads in flight, so planning 10,000 resources does not take 10,000 round
// trips one after another nor open 10,000 connections at once.
#pragma once

#include <map>
#include <string>

#include "lang/diagnostic.h"
#include "providers/provider.h"

namespace upgrade {

class ProviderRegistry;

/// Reads resources through their providers on a bounded pool of threads.
class Refresher {
 public:
  Refresher(const ProviderRegistry& providers, int parallelism);

  /// The state of each resource (by instance name). A read that fails, or a resource type no
  /// provider owns, is an error in `errors` (instance name -> message) and gets no state.
  std::map<std::string, State> Refresh(const std::map<std::string, ResourceConfig>& resources,
                                       ProviderContext& context,
                                       std::map<std::string, std::string>& errors) const;

 private:
  const ProviderRegistry& providers_;
  int parallelism_;
};

}  // namespace upgrade
