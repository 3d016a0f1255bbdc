// fs.file: a regular file's content (given inline or copied from a source file), its mode, or
// its absence. Writes are atomic: a temp sibling renamed over the file.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "lang/value_json.h"
#include "providers/exec/process.h"
#include "providers/fs/fs_types.h"
#include "providers/fs/path_state.h"
#include "providers/fs/path_sync.h"

namespace upgrade::fs {
namespace {

// Files up to this size that are UTF-8 text show their content in plans and state.
constexpr size_t kShownContentLimit = 16 * 1024;

bool IsShownText(const std::string& bytes) {
  if (bytes.size() > kShownContentLimit) return false;
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    size_t extra = 0;
    if (c == 0) return false;
    if (c >= 0x80) {
      if ((c >> 5) == 6) extra = 1;
      else if ((c >> 4) == 14) extra = 2;
      else if ((c >> 3) == 30) extra = 3;
      else return false;
    }
    if (i + extra >= bytes.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(bytes[i + k]) >> 6) != 2) return false;
    }
    i += extra + 1;
  }
  return true;
}

bool WantsSecret(const Value::Map& config) {
  auto it = config.find("sensitive");
  return it != config.end() && it->second.IsTrue();
}

// True when `attributes` already show `bytes` as their content, with the plain digest and size
// that describing those bytes would write.
bool AlreadyDescribes(const Value::Map& attributes, const std::string& bytes) {
  auto shown = attributes.find("content");
  if (shown == attributes.end() || !shown->second.is_string() || shown->second.as_string() != bytes)
    return false;
  auto sha256 = attributes.find("sha256");
  auto size = attributes.find("size");
  return sha256 != attributes.end() && sha256->second.is_string() &&
         !sha256->second.sensitive() && size != attributes.end() &&
         size->second == Value(static_cast<double>(bytes.size())) && !size->second.sensitive() &&
         IsShownText(bytes);
}

// The content attributes a file with `bytes` has: sha256, size, and the content when shown.
void DescribeContent(const std::string& bytes, bool secret, Value::Map& attributes) {
  // The prior state's attributes, when a plan leaves the content as it is: their digest is of
  // these very bytes (a file is described only through here), so it is not computed again.
  if (AlreadyDescribes(attributes, bytes)) {
    attributes["content"].MarkSensitive(secret);
    return;
  }
  attributes["sha256"] = HashBytes(bytes);
  attributes["size"] = static_cast<double>(bytes.size());
  attributes.erase("content");
  if (IsShownText(bytes)) attributes.emplace("content", Value(bytes)).first->second.MarkSensitive(secret);
}

// The same for the file at `path`, reading a large one in pieces rather than whole.
bool DescribeFile(const std::string& path, long long size, bool secret, Value::Map& attributes,
                  std::string* error) {
  if (size > static_cast<long long>(kShownContentLimit)) {
    std::string hex;
    if (!HashFile(path, &hex, error)) return false;
    attributes["sha256"] = hex;
    attributes["size"] = static_cast<double>(size);
    attributes.erase("content");
    return true;
  }
  std::string bytes;
  if (!ReadBytes(path, &bytes, error, size)) return false;
  DescribeContent(bytes, secret, attributes);
  return true;
}

/// fs.file.
class FileType : public FsType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema schema;
    schema.type = "fs.file";
    schema.description = "a regular file: its content, mode and existence";
    schema.attributes = {
        {"path", AttrType::kString, true, true, false, false, false, "where the file is"},
        {"content", AttrType::kString, false, false, false, false, false,
         "the file's whole content (shown in plans for text up to 16 KiB)"},
        {"source", AttrType::kString, false, false, false, false, false,
         "a file whose bytes become this file's content (instead of content)"},
        {"mode", AttrType::kString, false, false, false, false, false,
         "permission bits as octal text, like \"0644\" (new files: 0644)"},
        {"absent", AttrType::kBool, false, false, false, false, false,
         "true: the file must not exist (it is deleted)"},
        {"sensitive", AttrType::kBool, false, false, false, false, false,
         "true: the content is secret, never shown or stored in plain text"},
        {"sha256", AttrType::kString, false, false, false, false, true,
         "hex SHA-256 of the content"},
        {"size", AttrType::kNumber, false, false, false, false, true, "size in bytes"},
    };
    return schema;
  }

  ReadResult Read(const Value::Map& config, const std::string& path) const override {
    ReadResult result;
    PathInfo info = Inspect(path);
    if (!info.error.empty()) {
      result.error = info.error;
      return result;
    }
    if (info.kind == PathKind::kAbsent) return result;
    if (info.kind != PathKind::kFile) {
      result.error = path + " is a " + PathKindName(info.kind) + ", not a file";
      return result;
    }
    Value::Map& attributes = result.state.attributes;
    if (!DescribeFile(path, info.size, WantsSecret(config), attributes, &result.error)) {
      attributes.clear();
      return result;
    }
    result.state.exists = true;
    attributes["path"] = PathOf(config);
    attributes["mode"] = FormatMode(info.mode);
    return result;
  }

  DiffResult Diff(const DiffRequest& request) const override {
    DiffResult result;
    Value::Map wanted = Wanted(request);
    const std::string& path = PathOf(request.resource.config);
    if (WantsAbsent(wanted)) {
      result.change = DeleteChange(request.prior, CachedSchema());
      return result;
    }
    static const Value kNone;
    auto content_it = wanted.find("content");
    auto source_it = wanted.find("source");
    const Value& content = content_it != wanted.end() ? content_it->second : kNone;
    const Value& source = source_it != wanted.end() ? source_it->second : kNone;
    if (!content.is_null() && !source.is_null()) {
      result.error = "fs.file " + path + " sets both content and source";
      return result;
    }
    Change& change = result.change;
    change.before = request.prior;
    change.after.exists = true;
    change.after.attributes = request.prior.exists ? request.prior.attributes : Value::Map{};
    change.after.attributes["path"] = path;
    std::string mode = WantedMode(wanted, request.prior, "0644", &result.error);
    if (!result.error.empty()) return result;
    change.after.attributes["mode"] = mode;
    bool secret = WantsSecret(wanted) || content.sensitive();
    if (!content.is_null()) {
      std::string bytes = content.is_string() ? content.as_string() : content.ToInterpolation();
      Value::Map data;
      data.emplace("content", Value(bytes)).first->second.MarkSensitive(secret);
      change.private_data = Value(std::move(data));
      DescribeContent(bytes, secret, change.after.attributes);
    } else if (!source.is_null()) {
      if (!source.is_string() || source.as_string().empty() || source.as_string()[0] != '/') {
        // Diff has no plan directory to resolve against, and Apply must copy the same file.
        result.error = "fs.file " + path + ": source must be an absolute path";
        return result;
      }
      PathInfo info = Inspect(source.as_string());
      if (info.kind != PathKind::kFile && info.kind != PathKind::kSymlink) {
        result.error = "fs.file " + path + ": source " + source.as_string() +
                       (info.kind == PathKind::kAbsent ? " does not exist" : " is not a file");
        return result;
      }
      if (info.kind == PathKind::kSymlink) info.size = std::filesystem::file_size(source.as_string());
      if (!DescribeFile(source.as_string(), info.size, secret, change.after.attributes,
                        &result.error)) {
        result.error = "fs.file " + path + ": " + result.error;
        return result;
      }
      change.private_data = Value(Value::Map{{"source", source}});
    } else if (!request.prior.exists) {
      result.error = "fs.file " + path + " does not exist: give content or source to create it";
      return result;
    }
    change.attributes = CompareAttributes(request.prior.exists ? request.prior.attributes
                                                               : Value::Map{},
                                          change.after.attributes, CachedSchema());
    if (!request.prior.exists) change.action = ChangeAction::kCreate;
    else if (!change.attributes.empty()) change.action = ChangeAction::kUpdate;
    return result;
  }

  // The new content is staged in the temp sibling while the journal syncs the undo record.
  bool DefersWriteAhead() const override { return true; }

  // Content given in the plan is written as it is, with the planned mode: its digest, size
  // and text in `after` were computed from these very bytes. A copied source is read back (it
  // may have changed since the plan).
  bool LeavesExactly(const Change& change) const override {
    return (change.action == ChangeAction::kCreate || change.action == ChangeAction::kUpdate) &&
           change.private_data.Get("content").is_string();
  }

  std::string Apply(const std::string& path, const Change& change,
                    ProviderContext& context) const override {
    std::string error;
    if (change.action == ChangeAction::kDelete) {
      if (error = PassWriteAhead(context); !error.empty()) return error;
      if (unlink(path.c_str()) != 0 && errno != ENOENT) {
        return "cannot delete " + path + ": " + ErrnoText(errno);
      }
      SyncRemoval(path, &error);
      return error;
    }
    const Value::Map& after = change.after.attributes;
    mode_t mode = static_cast<mode_t>(ParseMode(after.at("mode").as_string()));
    std::string want_hash = after.at("sha256").as_string();
    std::string have_hash;
    PathInfo info = Inspect(path);
    bool same = info.kind == PathKind::kFile && HashFile(path, &have_hash, &error) &&
                have_hash == want_hash;
    if (same) {
      if (error = PassWriteAhead(context); !error.empty()) return error;
      if (chmod(path.c_str(), mode) != 0) {
        return "cannot change the mode of " + path + ": " + ErrnoText(errno);
      }
      SyncInode(path, &error);
      return error;
    }
    error.clear();
    const Value& data = change.private_data;
    if (!MissingAncestors(path).empty()) {
      if (error = PassWriteAhead(context); !error.empty()) return error;
      if (!MakeParents(path, &error)) return error;
    }
    WriteAhead before_rename = [&context] { return PassWriteAhead(context); };
    if (data.Get("content").is_string()) {
      // The planned hash is of these very bytes.
      const std::string& content = data.Get("content").as_string();
      return WriteAtomic(path, content, mode, &error, before_rename) ? "" : error;
    }
    if (!data.Get("source").is_string()) {
      return "fs.file " + path + ": the plan carries no content for it";
    }
    if (!CopyAtomic(data.Get("source").as_string(), path, mode, &error, before_rename)) {
      return error;
    }
    // A source that changed since the plan would make the file differ from what was planned.
    if (!HashFile(path, &have_hash, &error)) return error;
    if (have_hash != want_hash) {
      return "fs.file " + path + ": the content written differs from the plan (source " +
             data.GetString("source") + " changed since the plan)";
    }
    return "";
  }
};

}  // namespace

std::unique_ptr<FsType> MakeFileType() { return std::make_unique<FileType>(); }

}  // namespace upgrade::fs
