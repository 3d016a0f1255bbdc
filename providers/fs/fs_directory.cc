// fs.directory (existence and mode; deleting one keeps its whole tree for rollback) and
// fs.symlink (its target; replaced atomically).
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "providers/exec/process.h"
#include "providers/fs/fs_types.h"
#include "providers/fs/path_state.h"
#include "providers/fs/path_sync.h"
#include "state/atomic_file.h"

namespace upgrade::fs {
namespace {

ReadResult ReadKind(const Value::Map& config, const std::string& path, PathKind kind,
                    const char* kind_name, PathInfo* info) {
  ReadResult result;
  *info = Inspect(path);
  if (!info->error.empty()) {
    result.error = info->error;
  } else if (info->kind != PathKind::kAbsent && info->kind != kind) {
    result.error = path + " is a " + PathKindName(info->kind) + ", not a " + kind_name;
  } else if (info->kind == kind) {
    result.state.exists = true;
    result.state.attributes["path"] = PathOf(config);
  }
  return result;
}

// Fills in the action of a change whose before and after states are set.
void SetAction(Change& change, const ResourceTypeSchema& schema) {
  change.attributes = CompareAttributes(
      change.before.exists ? change.before.attributes : Value::Map{}, change.after.attributes,
      schema);
  if (!change.before.exists) change.action = ChangeAction::kCreate;
  else if (!change.attributes.empty()) change.action = ChangeAction::kUpdate;
}

/// fs.directory.
class DirectoryType : public FsType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema schema;
    schema.type = "fs.directory";
    schema.description = "a directory: its existence and mode; `snapshot` archives its tree";
    schema.snapshot = true;
    schema.attributes = {
        {"path", AttrType::kString, true, true, false, false, false, "where the directory is"},
        {"mode", AttrType::kString, false, false, false, false, false,
         "permission bits as octal text, like \"0755\" (new directories: 0755)"},
        {"absent", AttrType::kBool, false, false, false, false, false,
         "true: the directory must not exist (deleted with all it holds)"},
    };
    return schema;
  }

  ReadResult Read(const Value::Map& config, const std::string& path) const override {
    PathInfo info;
    ReadResult result = ReadKind(config, path, PathKind::kDirectory, "directory", &info);
    if (result.state.exists) result.state.attributes["mode"] = FormatMode(info.mode);
    return result;
  }

  DiffResult Diff(const DiffRequest& request) const override {
    DiffResult result;
    Value::Map wanted = Wanted(request);
    if (WantsAbsent(wanted)) {
      result.change = DeleteChange(request.prior, CachedSchema());
      if (result.change.action == ChangeAction::kDelete) {
        result.change.notes.push_back("everything in it is deleted; rollback restores it");
      }
      return result;
    }
    Change& change = result.change;
    change.before = request.prior;
    change.after.exists = true;
    change.after.attributes["path"] = PathOf(request.resource.config);
    change.after.attributes["mode"] = WantedMode(wanted, request.prior, "0755", &result.error);
    SetAction(change, CachedSchema());
    return result;
  }

  bool KeepsTree(const Change& change) const override {
    return change.action == ChangeAction::kDelete;
  }

  std::string Apply(const std::string& path, const Change& change,
                    ProviderContext&) const override {
    std::string error;
    if (change.action == ChangeAction::kDelete) {
      if (RemovePath(path, &error)) SyncRemoval(path, &error);
      return error;
    }
    mode_t mode = static_cast<mode_t>(ParseMode(change.after.attributes.at("mode").as_string()));
    bool create = Inspect(path).kind == PathKind::kAbsent;
    if (create) {
      if (!MakeParents(path, &error)) return error;
      if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
        return "cannot create directory " + path + ": " + ErrnoText(errno);
      }
    }
    // chmod as well after mkdir: the umask may have taken bits away.
    if (chmod(path.c_str(), mode) != 0) {
      return "cannot change the mode of " + path + ": " + ErrnoText(errno);
    }
    if (SyncInode(path, &error) && create) SyncParentDirectory(path, &error);
    return error;
  }
};

/// fs.symlink.
class SymlinkType : public FsType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema schema;
    schema.type = "fs.symlink";
    schema.description = "a symbolic link and its target";
    schema.attributes = {
        {"path", AttrType::kString, true, true, false, false, false, "where the link is"},
        {"target", AttrType::kString, false, false, false, false, false,
         "what the link points to, written as given"},
        {"absent", AttrType::kBool, false, false, false, false, false,
         "true: the link must not exist (it is deleted; its target is left alone)"},
    };
    return schema;
  }

  ReadResult Read(const Value::Map& config, const std::string& path) const override {
    PathInfo info;
    ReadResult result = ReadKind(config, path, PathKind::kSymlink, "symlink", &info);
    if (result.state.exists) {
      std::error_code code;
      result.state.attributes["target"] = std::filesystem::read_symlink(path, code).string();
    }
    return result;
  }

  DiffResult Diff(const DiffRequest& request) const override {
    DiffResult result;
    Value::Map wanted = Wanted(request);
    std::string path = PathOf(request.resource.config);
    if (WantsAbsent(wanted)) {
      result.change = DeleteChange(request.prior, CachedSchema());
      return result;
    }
    Change& change = result.change;
    change.before = request.prior;
    change.after = request.prior;
    change.after.exists = true;
    change.after.attributes["path"] = path;
    auto target = wanted.find("target");
    if (target != wanted.end() && target->second.is_string()) {
      change.after.attributes["target"] = target->second;
    } else if (!request.prior.exists) {
      result.error = "fs.symlink " + path + " does not exist: give a target to create it";
      return result;
    }
    SetAction(change, CachedSchema());
    return result;
  }

  std::string Apply(const std::string& path, const Change& change,
                    ProviderContext&) const override {
    std::string error;
    if (change.action == ChangeAction::kDelete) {
      if (unlink(path.c_str()) != 0 && errno != ENOENT) {
        return "cannot delete " + path + ": " + ErrnoText(errno);
      }
      SyncRemoval(path, &error);
      return error;
    }
    // A new link beside the old, renamed over it: the path always resolves to one of the two.
    std::string temp = TempSibling(path);
    unlink(temp.c_str());
    if (!MakeParents(path, &error)) return error;
    std::string target = change.after.attributes.at("target").as_string();
    if (symlink(target.c_str(), temp.c_str()) != 0) {
      return "cannot create symlink " + path + ": " + ErrnoText(errno);
    }
    if (rename(temp.c_str(), path.c_str()) != 0) {
      int saved = errno;
      unlink(temp.c_str());
      return "cannot create symlink " + path + ": " + ErrnoText(saved);
    }
    SyncParentDirectory(path, &error);
    return error;
  }
};

}  // namespace

std::unique_ptr<FsType> MakeDirectoryType() { return std::make_unique<DirectoryType>(); }
std::unique_ptr<FsType> MakeSymlinkType() { return std::make_unique<SymlinkType>(); }

}  // namespace upgrade::fs
