// Defaults for the optional provider verbs.
#include "providers/provider.h"

namespace upgrade {

ReadResult Provider::Read(const ResourceConfig& resource, ProviderContext&) {
  ReadResult result;
  result.error = "the " + Name() + " provider has no resource type " + resource.type;
  return result;
}

DiffResult Provider::Diff(const DiffRequest& request) const {
  DiffResult result;
  result.error = "the " + Name() + " provider has no resource type " + request.resource.type;
  return result;
}

std::string Provider::CheckReverse(const ReverseRequest&, ProviderContext&) { return ""; }

std::string Provider::Release(const ReverseRequest&, ProviderContext&) { return ""; }

SnapshotResult Provider::Snapshot(const ResourceConfig& resource, const Value::Map&, bool,
                                  ProviderContext&) {
  SnapshotResult result;
  result.error = "resource type " + resource.type + " does not support snapshots";
  return result;
}

std::string Provider::Restore(const ResourceConfig& resource, const Value&, ProviderContext&) {
  return "resource type " + resource.type + " does not support snapshots";
}

CallResult Provider::Call(const std::string& name, const std::vector<Value>&, ProviderContext&) {
  CallResult result;
  result.error = "unknown function " + name;
  return result;
}

const char* ChangeActionName(ChangeAction action) {
  switch (action) {
    case ChangeAction::kNone: return "no-op";
    case ChangeAction::kCreate: return "create";
    case ChangeAction::kUpdate: return "update";
    case ChangeAction::kReplace: return "replace";
    case ChangeAction::kDelete: return "delete";
  }
  return "?";
}

}  // namespace upgrade
