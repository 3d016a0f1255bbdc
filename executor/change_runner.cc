// The real change runner: each call routed to the provider owning the type's namespace.
#include "executor/change_runner.h"

#include "providers/registry.h"

namespace upgrade {

ProviderChangeRunner::ProviderChangeRunner(const ProviderRegistry& providers,
                                           ProviderContext context,
                                           SensitiveAttributes sensitive)
    : providers_(providers), context_(std::move(context)), sensitive_(std::move(sensitive)) {}

Provider* ProviderChangeRunner::Find(const std::string& type, std::string* error) const {
  Provider* provider = providers_.For(type);
  if (!provider) *error = "no provider for " + type;
  return provider;
}

ReadResult ProviderChangeRunner::Read(const ResourceConfig& resource) {
  ReadResult result;
  Provider* provider = Find(resource.type, &result.error);
  if (provider) result = provider->Read(resource, context_);
  MarkSensitive(sensitive_, resource.name, &result.state);
  return result;
}

PrepareResult ProviderChangeRunner::Prepare(const Operation& operation) {
  PrepareResult result;
  Provider* provider = Find(operation.resource.type, &result.error);
  return provider ? provider->Prepare(operation, context_) : result;
}

ApplyResult ProviderChangeRunner::Apply(const Operation& operation, const Value& undo) {
  ApplyResult result;
  Provider* provider = Find(operation.resource.type, &result.error);
  if (provider) result = provider->Apply(operation, undo, context_);
  MarkSensitive(sensitive_, operation.resource.name, &result.state);
  return result;
}

ReverseResult ProviderChangeRunner::Reverse(const ReverseRequest& request) {
  ReverseResult result;
  Provider* provider = Find(request.resource.type, &result.error);
  if (provider) result = provider->Reverse(request, context_);
  MarkSensitive(sensitive_, request.resource.name, &result.state);
  return result;
}

std::string ProviderChangeRunner::Release(const ReverseRequest& request) {
  std::string error;
  Provider* provider = Find(request.resource.type, &error);
  return provider ? provider->Release(request, context_) : error;
}

SnapshotResult ProviderChangeRunner::Snapshot(const ResourceConfig& resource,
                                              const Value::Map& options) {
  SnapshotResult result;
  Provider* provider = Find(resource.type, &result.error);
  return provider ? provider->Snapshot(resource, options, false, context_) : result;
}

std::string ProviderChangeRunner::Restore(const ResourceConfig& resource, const Value& record) {
  std::string error;
  Provider* provider = Find(resource.type, &error);
  return provider ? provider->Restore(resource, record, context_) : error;
}

}  // namespace upgrade
