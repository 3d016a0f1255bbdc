// Dotted-path edits of YAML documents with yaml-cpp: typed parsing into values, edits on
// values (for plans), and edits on text that replace changed scalars in place (for apply),
// checked by parsing the result again, with a full re-emit when an edit cannot be done in place.
#include "providers/fs/yaml_edit.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <regex>

namespace upgrade::fs {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    segments.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

bool IsIndex(const std::string& segment) {
  return !segment.empty() && segment.size() < 9 &&
         std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A plain scalar typed by YAML 1.2's core schema.
Value ResolvePlain(const std::string& text) {
  static const std::regex kNull("~|null|Null|NULL|");
  static const std::regex kTrue("true|True|TRUE");
  static const std::regex kFalse("false|False|FALSE");
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(text, kNull)) return Value();
  if (std::regex_match(text, kTrue)) return Value(true);
  if (std::regex_match(text, kFalse)) return Value(false);
  if (std::regex_match(text, kInt) || std::regex_match(text, kFloat)) {
    return Value(std::stod(text));
  }
  return Value(text);
}

// True when `text` written plain would be read back as something other than this string,
// by our parser or by a YAML 1.1 reader such as docker-compose's (`yes`, `on`, `0o17`...).
bool NeedsQuotes(const std::string& text) {
  static const std::regex kYaml11(
      "y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?0[xob][0-9a-fA-F_]+|"
      "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+|[-+]?\\.(inf|Inf|INF|nan|NaN|NAN)|[-+]?[0-9_.]+([eE].*)?");
  if (text.empty() || ResolvePlain(text) != Value(text) || std::regex_match(text, kYaml11)) {
    return true;
  }
  if (text.front() == ' ' || text.back() == ' ') return true;
  if (std::string("-?:,[]{}#&*!|>'\"%@`").find(text.front()) != std::string::npos) return true;
  return text.find(": ") != std::string::npos || text.find(" #") != std::string::npos ||
         text.find('\n') != std::string::npos || text.back() == ':';
}

std::string DoubleQuoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\t') {
      out += "\\t";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

Value NodeToValue(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Value::Map map;
      for (const auto& entry : node) map[entry.first.Scalar()] = NodeToValue(entry.second);
      return Value(std::move(map));
    }
    case YAML::NodeType::Sequence: {
      Value::List list;
      for (const auto& item : node) list.push_back(NodeToValue(item));
      return Value(std::move(list));
    }
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return Value(node.Scalar());
      return ResolvePlain(node.Scalar());
    }
    default:
      return Value();
  }
}

// A scalar's text for a value: plain when it reads back as the same value, else quoted.
std::string ScalarText(const Value& value) {
  if (value.is_null()) return "null";
  if (value.is_bool()) return value.as_bool() ? "true" : "false";
  if (value.is_number() || value.is_duration()) return value.ToInterpolation();
  const std::string& text = value.as_string();
  return NeedsQuotes(text) ? DoubleQuoted(text) : text;
}

YAML::Node ValueToNode(const Value& value) {
  if (value.is_map()) {
    YAML::Node node(YAML::NodeType::Map);
    for (const auto& [key, item] : value.as_map()) node[key] = ValueToNode(item);
    return node;
  }
  if (value.is_list()) {
    YAML::Node node(YAML::NodeType::Sequence);
    for (const Value& item : value.as_list()) node.push_back(ValueToNode(item));
    return node;
  }
  if (value.is_null()) return YAML::Node(YAML::NodeType::Null);
  YAML::Node node(value.is_string() ? value.as_string() : ScalarText(value));
  bool quote = value.is_string() && NeedsQuotes(value.as_string());
  node.SetTag(quote ? "!" : "?");
  return node;
}

// Writes a node as YAML, quoting strings that would otherwise read back as another type
// (yaml-cpp's emitter would write the string "8080" plain, and it would come back a number).
void EmitNode(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      if (node.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& entry : node) {
        out << YAML::Key;
        EmitNode(out, entry.first);
        out << YAML::Value;
        EmitNode(out, entry.second);
      }
      out << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      if (node.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node) EmitNode(out, item);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar: {
      // Plain scalars stay plain (a YAML 1.1 reader may take `yes` for true, and should go on
      // doing so); quoted ones stay quoted; new strings are quoted when plain reads otherwise.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") out << YAML::DoubleQuoted;
      out << node.Scalar();
      break;
    }
    default:
      out << YAML::Null;
  }
}

// --- Edits on values ---

bool SetValue(Value& at, const std::vector<std::string>& segments, size_t index,
              const Value& value, const std::string& path, std::string* error) {
  if (index == segments.size()) {
    at = value;
    return true;
  }
  const std::string& segment = segments[index];
  if (at.is_list() && IsIndex(segment)) {
    size_t position = std::stoul(segment);
    if (position >= at.as_list().size()) {
      *error = path + ": index " + segment + " is past the end of the list";
      return false;
    }
    return SetValue(at.as_list()[position], segments, index + 1, value, path, error);
  }
  if (at.is_null()) at = Value(Value::Map{});
  if (!at.is_map()) {
    *error = path + ": " + segments[index == 0 ? 0 : index - 1] + " is a " +
             Value::TypeName(at.type()) + ", not a map";
    return false;
  }
  return SetValue(at.as_map()[segment], segments, index + 1, value, path, error);
}

void RemoveValue(Value& at, const std::vector<std::string>& segments, size_t index) {
  const std::string& segment = segments[index];
  bool last = index + 1 == segments.size();
  if (at.is_map()) {
    auto it = at.as_map().find(segment);
    if (it == at.as_map().end()) return;
    if (last) at.as_map().erase(it);
    else RemoveValue(it->second, segments, index + 1);
  } else if (at.is_list() && IsIndex(segment) && std::stoul(segment) < at.as_list().size()) {
    auto it = at.as_list().begin() + static_cast<long>(std::stoul(segment));
    if (last) at.as_list().erase(it);
    else RemoveValue(*it, segments, index + 1);
  }
}

// --- Edits on nodes (for the re-emit path) ---

void SetNode(YAML::Node node, const std::vector<std::string>& segments, size_t index,
             const YAML::Node& value) {
  const std::string& segment = segments[index];
  bool last = index + 1 == segments.size();
  if (node.IsSequence() && IsIndex(segment)) {
    YAML::Node child = node[std::stoul(segment)];
    if (last) node[std::stoul(segment)] = value;
    else SetNode(child, segments, index + 1, value);
    return;
  }
  if (last) {
    node[segment] = value;
    return;
  }
  if (!node[segment] || !node[segment].IsMap()) node[segment] = YAML::Node(YAML::NodeType::Map);
  SetNode(node[segment], segments, index + 1, value);
}

void RemoveNode(YAML::Node node, const std::vector<std::string>& segments, size_t index) {
  const std::string& segment = segments[index];
  bool last = index + 1 == segments.size();
  if (node.IsMap()) {
    if (!node[segment]) return;
    if (last) node.remove(segment);
    else RemoveNode(node[segment], segments, index + 1);
  } else if (node.IsSequence() && IsIndex(segment) && std::stoul(segment) < node.size()) {
    if (last) node.remove(std::stoul(segment));
    else RemoveNode(node[std::stoul(segment)], segments, index + 1);
  }
}

// --- Edits on text ---

/// One replacement of original text: bytes [begin, end) become `text`.
struct Splice {
  size_t begin = 0;
  size_t end = 0;
  std::string text;
};

// Where the scalar starting at `begin` ends; npos when its form is not one we edit in place.
size_t ScalarEnd(const std::string& text, size_t begin, bool in_flow) {
  if (begin >= text.size()) return std::string::npos;
  char first = text[begin];
  if (first == '"') {
    for (size_t i = begin + 1; i < text.size(); ++i) {
      if (text[i] == '\\') ++i;
      else if (text[i] == '"') return i + 1;
    }
    return std::string::npos;
  }
  if (first == '\'') {
    for (size_t i = begin + 1; i < text.size(); ++i) {
      if (text[i] != '\'') continue;
      if (i + 1 < text.size() && text[i + 1] == '\'') ++i;
      else return i + 1;
    }
    return std::string::npos;
  }
  if (first == '|' || first == '>' || first == '&' || first == '*' || first == '!') {
    return std::string::npos;
  }
  size_t end = begin;
  while (end < text.size() && text[end] != '\n' && text[end] != '\r') {
    if ((text[end] == '#') && end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) break;
    if (in_flow && (text[end] == ',' || text[end] == ']' || text[end] == '}')) break;
    ++end;
  }
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return end;
}

// The text a changed scalar gets, in the quoting style it had where that still reads right.
std::string ReplacementText(const Value& value, char original_first) {
  if (!value.is_string()) return ScalarText(value);
  const std::string& text = value.as_string();
  if (original_first == '"') return DoubleQuoted(text);
  if (original_first == '\'' && text.find('\n') == std::string::npos) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  }
  return ScalarText(value);
}

// The splice that sets existing scalar `path` to a scalar value; false when not possible.
bool PlanSplice(const YAML::Node& root, const std::string& text, const std::string& path,
                const Value& value, Splice* splice) {
  if (value.is_map() || value.is_list()) return false;
  YAML::Node node = root;
  bool in_flow = false;
  for (const std::string& segment : Segments(path)) {
    if (node.IsSequence() && IsIndex(segment) && std::stoul(segment) < node.size()) {
      in_flow = in_flow || node.Style() == YAML::EmitterStyle::Flow;
      node.reset(node[std::stoul(segment)]);  // `node = ...` would assign into the tree
    } else if (node.IsMap() && node[segment]) {
      in_flow = in_flow || node.Style() == YAML::EmitterStyle::Flow;
      node.reset(node[segment]);
    } else {
      return false;
    }
  }
  if (!node.IsScalar()) return false;
  size_t begin = node.Mark().pos;
  size_t end = ScalarEnd(text, begin, in_flow);
  if (end == std::string::npos) return false;
  *splice = {begin, end, ReplacementText(value, text[begin])};
  return true;
}

// Edits only the changed scalars; nullopt when some edit needs more than that.
std::optional<std::string> EditInPlace(const std::string& text, const YamlEdits& edits) {
  if (!edits.remove.empty()) return std::nullopt;
  YAML::Node root = YAML::Load(text);
  std::vector<Splice> splices;
  for (const auto& [path, value] : edits.set) {
    Splice splice;
    if (!PlanSplice(root, text, path, value, &splice)) return std::nullopt;
    splices.push_back(std::move(splice));
  }
  std::sort(splices.begin(), splices.end(),
            [](const Splice& a, const Splice& b) { return a.begin > b.begin; });
  std::string out = text;
  for (const Splice& splice : splices) {
    out.replace(splice.begin, splice.end - splice.begin, splice.text);
  }
  return out;
}

std::string Reemit(const std::string& text, const YamlEdits& edits) {
  YAML::Node root = YAML::Load(text);
  if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  for (const auto& [path, value] : edits.set) SetNode(root, Segments(path), 0, ValueToNode(value));
  for (const std::string& path : edits.remove) RemoveNode(root, Segments(path), 0);
  YAML::Emitter out;
  EmitNode(out, root);
  return std::string(out.c_str()) + "\n";
}

}  // namespace

bool ParseYamlDocument(const std::string& text, Value* document, std::string* error) {
  try {
    // Re-emitting would keep only the first document of a stream, so refuse streams.
    if (YAML::LoadAll(text).size() > 1) {
      *error = "yaml: files with several documents are not supported";
      return false;
    }
    YAML::Node root = YAML::Load(text);
    *document = root.IsNull() || !root.IsDefined() ? Value(Value::Map{}) : NodeToValue(root);
    return true;
  } catch (const YAML::Exception& e) {
    *error = "yaml: line " + std::to_string(e.mark.line + 1) + ", column " +
             std::to_string(e.mark.column + 1) + ": " + e.msg;
    return false;
  }
}

bool ApplyYamlEdits(const Value& document, const YamlEdits& edits, Value* result,
                    std::string* error) {
  Value out = document.is_null() ? Value(Value::Map{}) : document;
  for (const auto& [path, value] : edits.set) {
    if (!SetValue(out, Segments(path), 0, value, path, error)) return false;
  }
  for (const std::string& path : edits.remove) RemoveValue(out, Segments(path), 0);
  *result = std::move(out);
  return true;
}

YamlEditResult EditYamlText(const std::string& text, const YamlEdits& edits) {
  YamlEditResult result;
  Value before, expected, after;
  if (!ParseYamlDocument(text, &before, &result.error) ||
      !ApplyYamlEdits(before, edits, &expected, &result.error)) {
    return result;
  }
  try {
    // In place when possible, and only when the result reads back as exactly the edit.
    if (std::optional<std::string> edited = EditInPlace(text, edits)) {
      std::string ignored;
      if (ParseYamlDocument(*edited, &after, &ignored) && after == expected) {
        result.text = std::move(*edited);
        return result;
      }
    }
    result.text = Reemit(text, edits);
    result.comments_kept = false;
  } catch (const YAML::Exception& e) {
    result.error = "yaml: " + e.msg;
    return result;
  }
  if (!ParseYamlDocument(result.text, &after, &result.error)) return result;
  if (after != expected) result.error = "yaml: the edited document does not read back as planned";
  return result;
}

Value YamlValueAt(const Value& document, const std::string& path) {
  const Value* at = &document;
  for (const std::string& segment : Segments(path)) {
    if (at->is_map()) {
      auto it = at->as_map().find(segment);
      if (it == at->as_map().end()) return Value();
      at = &it->second;
    } else if (at->is_list() && IsIndex(segment) && std::stoul(segment) < at->as_list().size()) {
      at = &at->as_list()[std::stoul(segment)];
    } else {
      return Value();
    }
  }
  return *at;
}

}  // namespace upgrade::fs
