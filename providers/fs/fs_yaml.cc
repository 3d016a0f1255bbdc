// fs.yaml: values set and deleted by dotted path in a YAML file, everything else left in place.
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "providers/fs/fs_types.h"
#include "providers/fs/path_state.h"
#include "providers/fs/yaml_edit.h"

namespace upgrade::fs {
namespace {

bool WantsSecret(const Value::Map& config) {
  auto it = config.find("sensitive");
  return it != config.end() && it->second.IsTrue();
}

// The edits a change asks for, from the step's `values` and `delete`.
bool EditsOf(const Value::Map& wanted, YamlEdits* edits, std::string* error) {
  auto values = wanted.find("values");
  if (values != wanted.end() && !values->second.is_null()) {
    if (!values->second.is_map()) {
      *error = "values must be a map of dotted paths to values";
      return false;
    }
    for (const auto& [path, value] : values->second.as_map()) edits->set[path] = value;
  }
  auto remove = wanted.find("delete");
  if (remove != wanted.end() && !remove->second.is_null()) {
    if (!remove->second.is_list()) {
      *error = "delete must be a list of dotted paths";
      return false;
    }
    for (const Value& path : remove->second.as_list()) {
      if (!path.is_string()) {
        *error = "delete must be a list of dotted paths";
        return false;
      }
      edits->remove.push_back(path.as_string());
    }
  }
  return true;
}

Value EditsToValue(const YamlEdits& edits) {
  Value::Map set(edits.set.begin(), edits.set.end());
  Value::List remove(edits.remove.begin(), edits.remove.end());
  return Value(Value::Map{{"set", std::move(set)}, {"delete", std::move(remove)}});
}

YamlEdits EditsFromValue(const Value& value) {
  YamlEdits edits;
  if (value.Get("set").is_map()) {
    for (const auto& [path, item] : value.Get("set").as_map()) edits.set[path] = item;
  }
  if (value.Get("delete").is_list()) {
    for (const Value& path : value.Get("delete").as_list()) edits.remove.push_back(path.as_string());
  }
  return edits;
}

/// fs.yaml.
class YamlType : public FsType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema schema;
    schema.type = "fs.yaml";
    schema.description = "values in a YAML file, by dotted path; the rest of the file is kept";
    schema.attributes = {
        {"path", AttrType::kString, true, true, false, false, false, "the YAML file"},
        {"values", AttrType::kMap, false, false, false, false, false,
         "dotted paths to the values they must have, e.g. \"services.web.image\""},
        {"delete", AttrType::kList, false, false, false, false, false,
         "dotted paths that must not exist"},
        {"sensitive", AttrType::kBool, false, false, false, false, false,
         "true: the document holds secrets, never shown or stored in plain text"},
        {"document", AttrType::kMap, false, false, false, false, true,
         "the whole parsed document"},
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
    std::string text;
    Value document;
    if (!ReadBytes(path, &text, &result.error)) return result;
    if (!ParseYamlDocument(text, &document, &result.error)) {
      result.error = path + ": " + result.error;
      return result;
    }
    result.state.exists = true;
    result.state.attributes["path"] = PathOf(config);
    result.state.attributes["document"] = document.MarkSensitive(WantsSecret(config));
    return result;
  }

  DiffResult Diff(const DiffRequest& request) const override {
    DiffResult result;
    Value::Map wanted = Wanted(request);
    std::string path = PathOf(request.resource.config);
    YamlEdits edits;
    if (!EditsOf(wanted, &edits, &result.error)) {
      result.error = "fs.yaml " + path + ": " + result.error;
      return result;
    }
    Value before = request.prior.exists && request.prior.attributes.count("document")
                       ? request.prior.attributes.at("document")
                       : Value(Value::Map{});
    Value after;
    if (!ApplyYamlEdits(before, edits, &after, &result.error)) {
      result.error = "fs.yaml " + path + ": " + result.error;
      return result;
    }
    bool secret = WantsSecret(wanted) || before.sensitive();
    Change& change = result.change;
    change.before = request.prior;
    change.after.exists = true;
    change.after.attributes["path"] = path;
    change.after.attributes["document"] = after.MarkSensitive(secret || after.ContainsSensitive());
    change.private_data = EditsToValue(edits);
    // One attribute per edited path, so the plan shows `services.web.image: "a" -> "b"`.
    std::vector<std::string> paths = edits.remove;
    for (const auto& [edited, value] : edits.set) paths.push_back(edited);
    std::sort(paths.begin(), paths.end());
    for (const std::string& edited : paths) {
      Value old_value = YamlValueAt(before, edited);
      Value new_value = YamlValueAt(after, edited);
      if (old_value == new_value) continue;
      AttributeChange attribute{edited, old_value, new_value, false,
                                secret || old_value.ContainsSensitive() ||
                                    new_value.ContainsSensitive()};
      change.attributes.push_back(std::move(attribute));
    }
    if (!request.prior.exists) change.action = ChangeAction::kCreate;
    else if (!(before == after)) change.action = ChangeAction::kUpdate;
    return result;
  }

  std::string Apply(const std::string& path, const Change& change,
                    ProviderContext& context) const override {
    std::string text, error;
    PathInfo info = Inspect(path);
    if (info.kind == PathKind::kFile && !ReadBytes(path, &text, &error)) return error;
    YamlEditResult edited = EditYamlText(text, EditsFromValue(change.private_data));
    if (!edited.error.empty()) return path + ": " + edited.error;
    if (!edited.comments_kept && context.log != nullptr) {
      context.log->warn("fs.yaml {}: the file was re-written by yaml-cpp; its comments are gone",
                        path);
    }
    mode_t mode = info.kind == PathKind::kFile ? info.mode : 0644;
    if (!MakeParents(path, &error)) return error;
    if (!WriteAtomic(path, edited.text, mode, &error)) return error;
    return "";
  }
};

}  // namespace

std::unique_ptr<FsType> MakeYamlType() { return std::make_unique<YamlType>(); }

}  // namespace upgrade::fs
