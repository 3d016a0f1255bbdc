// The fs provider: routes each verb to its resource type, keeps undo records through the
// shared capture/restore of paths, and turns every exception into an error.
#include "providers/fs/fs_provider.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <vector>

#include "providers/fs/path_state.h"

namespace upgrade {
namespace {

// Runs `body`, turning an exception (yaml-cpp, std::filesystem, a malformed record) into an
// error in the result, so nothing is thrown across the provider interface.
template <typename Result, typename Body>
Result Guarded(const std::string& what, Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    Result result;
    result.error = what + ": " + e.what();
    return result;
  }
}

// The same, with the error's subject made only when there is an error (Diff runs once per
// resource of a plan, and almost never fails).
template <typename Result, typename What, typename Body>
Result GuardedLazy(What what, Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    Result result;
    result.error = what() + ": " + e.what();
    return result;
  }
}

void Log(ProviderContext& context, const std::string& line) {
  if (context.log != nullptr) context.log->info("{}", line);
}

}  // namespace

FsProvider::FsProvider() {
  std::vector<std::unique_ptr<fs::FsType>> types;
  types.push_back(fs::MakeFileType());
  types.push_back(fs::MakeDirectoryType());
  types.push_back(fs::MakeSymlinkType());
  types.push_back(fs::MakeYamlType());
  for (auto& type : types) {
    std::string name = type->Schema().type;
    types_[name] = std::move(type);
  }
}

FsProvider::~FsProvider() = default;

const fs::FsType* FsProvider::TypeOf(const std::string& type, std::string* error) const {
  auto it = types_.find(type);
  if (it != types_.end()) return it->second.get();
  *error = "the fs provider has no resource type " + type;
  return nullptr;
}

void FsProvider::Describe(SchemaRegistry& registry) const {
  for (const auto& [name, type] : types_) registry.AddResource(type->Schema());
}

ReadResult FsProvider::Read(const ResourceConfig& resource, ProviderContext& context) {
  std::string path = fs::ResolvePath(fs::PathOf(resource.config), context.base_dir);
  return GuardedLazy<ReadResult>([&] { return "cannot read " + path; }, [&] {
    ReadResult result;
    const fs::FsType* type = TypeOf(resource.type, &result.error);
    if (type == nullptr) return result;
    if (path.empty()) {
      result.error = resource.type + " " + resource.name + " has no path";
      return result;
    }
    return type->Read(resource.config, path);
  });
}

DiffResult FsProvider::Diff(const DiffRequest& request) const {
  auto what = [&] { return "cannot plan " + fs::PathOf(request.resource.config); };
  return GuardedLazy<DiffResult>(what, [&] {
    DiffResult result;
    const fs::FsType* type = TypeOf(request.resource.type, &result.error);
    if (type == nullptr) return result;
    return type->Diff(request);
  });
}

PrepareResult FsProvider::Prepare(const Operation& operation, ProviderContext& context) {
  std::string path = fs::ResolvePath(fs::PathOf(operation.resource.config), context.base_dir);
  return Guarded<PrepareResult>("cannot back up " + path, [&] {
    PrepareResult result;
    const fs::FsType* type = TypeOf(operation.resource.type, &result.error);
    if (type == nullptr) return result;
    if (context.blobs == nullptr) {
      result.error = "no state store to keep the previous state of " + path + " in";
      return result;
    }
    fs::CapturePath(path, type->KeepsTree(operation.change), *context.blobs, &result.undo,
                    &result.error);
    return result;
  });
}

ApplyResult FsProvider::Apply(const Operation& operation, const Value&,
                              ProviderContext& context) {
  std::string path = fs::ResolvePath(fs::PathOf(operation.resource.config), context.base_dir);
  return Guarded<ApplyResult>("cannot change " + path, [&] {
    ApplyResult result;
    const fs::FsType* type = TypeOf(operation.resource.type, &result.error);
    if (type == nullptr) return result;
    result.error = type->Apply(path, operation.change, context);
    if (!result.error.empty()) return result;
    Log(context, operation.resource.type + " " + path + ": " +
                     ChangeActionName(operation.change.action) + "d");
    if (type->LeavesExactly(operation.change)) {
      result.state = operation.change.after;
      return result;
    }
    ReadResult read = type->Read(operation.resource.config, path);
    result.state = std::move(read.state);
    result.error = read.error;
    return result;
  });
}

bool FsProvider::DefersWriteAhead(const Operation& operation) const {
  std::string unknown;
  const fs::FsType* type = TypeOf(operation.resource.type, &unknown);
  return type != nullptr && type->DefersWriteAhead();
}

ReverseResult FsProvider::Reverse(const ReverseRequest& request, ProviderContext& context) {
  std::string path = request.undo.GetString("path");
  return Guarded<ReverseResult>("cannot restore " + path, [&] {
    ReverseResult result;
    const fs::FsType* type = TypeOf(request.resource.type, &result.error);
    if (type == nullptr) return result;
    if (context.blobs == nullptr) {
      result.error = "no state store to restore " + path + " from";
      return result;
    }
    if (!fs::RestorePath(request.undo, *context.blobs, &result.error)) return result;
    Log(context, request.resource.type + " " + path + ": restored");
    ReadResult read = type->Read(
        request.resource.config,
        fs::ResolvePath(fs::PathOf(request.resource.config), context.base_dir));
    result.state = std::move(read.state);
    result.error = read.error;
    return result;
  });
}

SnapshotResult FsProvider::Snapshot(const ResourceConfig& resource, const Value::Map&,
                                    bool estimate_only, ProviderContext& context) {
  std::string path = fs::ResolvePath(fs::PathOf(resource.config), context.base_dir);
  return Guarded<SnapshotResult>("cannot snapshot " + path, [&] {
    SnapshotResult result;
    if (resource.type != "fs.directory") {
      result.error = "resource type " + resource.type + " does not support snapshots";
      return result;
    }
    result.estimated_bytes = fs::TreeSize(path);
    if (estimate_only) return result;
    if (context.blobs == nullptr) {
      result.error = "no state store to keep the snapshot of " + path + " in";
      return result;
    }
    if (fs::CapturePath(path, true, *context.blobs, &result.record, &result.error)) {
      Log(context, "fs.directory " + path + ": archived into " +
                       result.record.GetString("blob", "(absent)"));
    }
    return result;
  });
}

std::string FsProvider::Restore(const ResourceConfig& resource, const Value& record,
                                ProviderContext& context) {
  std::string path = record.GetString("path");
  if (resource.type != "fs.directory") {
    return "resource type " + resource.type + " does not support snapshots";
  }
  if (context.blobs == nullptr) return "no state store to restore " + path + " from";
  try {
    std::string error;
    if (!fs::RestorePath(record, *context.blobs, &error)) return error;
    Log(context, "fs.directory " + path + ": restored from its snapshot");
    return "";
  } catch (const std::exception& e) {
    return "cannot restore " + path + ": " + e.what();
  }
}

}  // namespace upgrade
