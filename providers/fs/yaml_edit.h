// Setting and deleting values by dotted path ("services.web.image") in a YAML document, as
// fs.yaml does: on the parsed document (for plans) and on the file's text (for apply). Text
// edits replace only the scalars they change, so comments and layout stay; edits that add or
// remove keys re-emit the document with yaml-cpp, which keeps key order but not comments.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "lang/value.h"

namespace upgrade::fs {

/// The edits of one fs.yaml change: values to set and paths to delete, by dotted path.
/// A path segment that is a number indexes a list ("ports.0").
struct YamlEdits {
  std::map<std::string, Value> set;
  std::vector<std::string> remove;
};

/// How a text edit went.
struct YamlEditResult {
  std::string text;
  bool comments_kept = true;  ///< false when the document had to be re-emitted
  std::string error;
};

/// Parses YAML text into a value (maps, lists, strings, numbers, bools, null). Quoted scalars
/// are strings; plain ones are typed as YAML 1.2's core schema says. Empty text is an empty map.
bool ParseYamlDocument(const std::string& text, Value* document, std::string* error);

/// `document` with `edits` applied; false and `*error` when a path runs through a scalar.
bool ApplyYamlEdits(const Value& document, const YamlEdits& edits, Value* result,
                    std::string* error);

/// The text of `text` with `edits` applied, leaving everything else as it was where it can.
YamlEditResult EditYamlText(const std::string& text, const YamlEdits& edits);

/// The value at dotted `path` in `document`, or null when there is none.
Value YamlValueAt(const Value& document, const std::string& path);

}  // namespace upgrade::fs
