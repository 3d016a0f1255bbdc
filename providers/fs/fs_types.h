// The resource types of the fs provider. Each knows how to read, diff and apply its kind of
// path; capturing and restoring (Prepare, Reverse, snapshots) is shared (path_state.h).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lang/schema.h"
#include "providers/provider.h"

namespace upgrade::fs {

/// One fs resource type ("fs.file"...). Implementations may throw; FsProvider catches.
class FsType {
 public:
  virtual ~FsType() = default;
  virtual ResourceTypeSchema Schema() const = 0;
  /// Schema(), built once: Diff consults it for every resource it plans.
  const ResourceTypeSchema& CachedSchema() const {
    std::call_once(schema_once_, [this] { schema_ = Schema(); });
    return schema_;
  }
  /// The state of the resource `config` names, found at `path` (its `path` attribute made
  /// absolute); the state's own `path` attribute is written as the plan gives it.
  virtual ReadResult Read(const Value::Map& config, const std::string& path) const = 0;
  /// Pure: the change from `request.prior` to the desired attributes.
  virtual DiffResult Diff(const DiffRequest& request) const = 0;
  /// Whether Prepare must keep a whole directory tree (the change deletes one).
  virtual bool KeepsTree(const Change& change) const {
    (void)change;
    return false;
  }
  /// Performs `change` on `path`; returns an error text, empty on success.
  virtual std::string Apply(const std::string& path, const Change& change,
                            ProviderContext& context) const = 0;
  /// Whether Apply calls PassWriteAhead before its first change (Provider::DefersWriteAhead).
  virtual bool DefersWriteAhead() const { return false; }
  /// Whether a successful Apply of `change` leaves the path exactly as `change.after` says, so
  /// that it need not be read back. Default: no, it is read back.
  virtual bool LeavesExactly(const Change& change) const {
    (void)change;
    return false;
  }

 private:
  mutable std::once_flag schema_once_;
  mutable ResourceTypeSchema schema_;
};

/// Before an Apply's first change: the context's `write_ahead`, when there is one (without an
/// executor there is none). Empty when the change may go ahead; the journal's error otherwise.
inline std::string PassWriteAhead(ProviderContext& context) {
  return context.write_ahead ? context.write_ahead() : "";
}

std::unique_ptr<FsType> MakeFileType();
std::unique_ptr<FsType> MakeDirectoryType();
std::unique_ptr<FsType> MakeSymlinkType();
std::unique_ptr<FsType> MakeYamlType();

// Helpers the types share.

/// The `path` attribute of a resource's configuration ("" when missing), where it is.
const std::string& PathOf(const Value::Map& config);
/// `path` made absolute against `base_dir` (the plan's directory; empty: the working one).
std::string ResolvePath(const std::string& path, const std::string& base_dir);
/// The resource block's attributes (identity left out) overlaid with the step's.
Value::Map Wanted(const DiffRequest& request);
/// True when `wanted` asks for the path to be gone (`absent = true`).
bool WantsAbsent(const Value::Map& wanted);
/// The attribute changes from `before` to `after` (both attribute maps), sorted by name;
/// `sensitive` names attributes that are always shown hidden.
std::vector<AttributeChange> CompareAttributes(const Value::Map& before, const Value::Map& after,
                                               const ResourceTypeSchema& schema);
/// A change deleting what `prior` describes, or none when it is already absent.
Change DeleteChange(const State& prior, const ResourceTypeSchema& schema);
/// The mode the change should leave: `wanted` mode, else the prior one, else `fallback`.
/// Sets `*error` when the wanted mode is not 3 or 4 octal digits.
std::string WantedMode(const Value::Map& wanted, const State& prior, const std::string& fallback,
                       std::string* error);

}  // namespace upgrade::fs
