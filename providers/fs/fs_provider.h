// The `fs` provider: files, directories, symlinks and YAML values on the local file system,
// and snapshots of directories. Every change keeps the path's previous bytes, mode and
// existence in the state store first, so rollback puts them back exactly.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "providers/fs/fs_types.h"
#include "providers/provider.h"

namespace upgrade {

/// Resource types fs.file, fs.directory, fs.symlink and fs.yaml; `snapshot` of fs.directory.
class FsProvider : public Provider {
 public:
  FsProvider();
  ~FsProvider() override;

  std::string Name() const override { return "fs"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  bool DefersWriteAhead(const Operation& operation) const override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
  SnapshotResult Snapshot(const ResourceConfig& resource, const Value::Map& options,
                          bool estimate_only, ProviderContext& context) override;
  std::string Restore(const ResourceConfig& resource, const Value& record,
                      ProviderContext& context) override;

 private:
  /// The type named `type`, or nullptr and `*error` set.
  const fs::FsType* TypeOf(const std::string& type, std::string* error) const;

  std::map<std::string, std::unique_ptr<fs::FsType>> types_;
};

}  // namespace upgrade
