// The functions every plan has, whatever providers are loaded: their schemas for the checker and
// their implementations for the evaluator. They read nothing but the environment and files.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "lang/eval.h"
#include "lang/schema.h"
#include "lang/sha256.h"
#include "lang/source.h"

namespace upgrade {
namespace {

using Args = std::vector<Value>;
/// One built-in: on failure returns nullopt with `*error` set.
using Builtin = std::function<std::optional<Value>(const Args&, const std::string&, std::string*)>;

struct BuiltinInfo {
  FunctionSchema schema;
  Builtin call;
};

std::optional<Value> Failure(std::string* error, std::string message) {
  *error = std::move(message);
  return std::nullopt;
}

std::string Kind(const Value& value) { return Value::TypeName(value.type()); }

std::optional<Value> Env(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_string()) return Failure(error, "the variable name must be a string");
  const char* value = std::getenv(args[0].as_string().c_str());
  if (value != nullptr) return Value(std::string(value));
  if (args.size() > 1) return args[1];
  return Failure(error, "environment variable " + args[0].as_string() + " is not set");
}

std::optional<Value> File(const Args& args, const std::string& base_dir, std::string* error) {
  if (!args[0].is_string()) return Failure(error, "the path must be a string");
  std::string path = args[0].as_string();
  if (!path.empty() && path[0] != '/' && !base_dir.empty()) path = base_dir + "/" + path;
  std::optional<std::string> text = ReadSourceFile(path);
  if (!text) return Failure(error, "cannot read " + args[0].as_string());
  return Value(std::move(*text));
}

std::optional<Value> Sha256(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_string()) return Failure(error, "sha256 needs a string, got " + Kind(args[0]));
  return Value(Sha256Hex(args[0].as_string()));
}

Builtin CaseMap(int (*map)(int)) {
  return [map](const Args& args, const std::string&, std::string* error) -> std::optional<Value> {
    if (!args[0].is_string()) return Failure(error, "needs a string, got " + Kind(args[0]));
    std::string text = args[0].as_string();
    std::transform(text.begin(), text.end(), text.begin(), map);
    return Value(text);
  };
}

std::optional<Value> Length(const Args& args, const std::string&, std::string* error) {
  const Value& v = args[0];
  if (v.is_string()) return Value(static_cast<double>(v.as_string().size()));
  if (v.is_list()) return Value(static_cast<double>(v.as_list().size()));
  if (v.is_map()) return Value(static_cast<double>(v.as_map().size()));
  return Failure(error, "length needs a string, list or map, got " + Kind(v));
}

std::optional<Value> Contains(const Args& args, const std::string&, std::string* error) {
  const Value& container = args[0];
  const Value& item = args[1];
  if (container.is_list()) {
    return Value(std::find(container.as_list().begin(), container.as_list().end(), item) !=
                 container.as_list().end());
  }
  if (container.is_map() && item.is_string()) {
    return Value(container.as_map().count(item.as_string()) > 0);
  }
  if (container.is_string() && item.is_string()) {
    return Value(container.as_string().find(item.as_string()) != std::string::npos);
  }
  return Failure(error, "contains needs a list, map or string, got " + Kind(container));
}

std::optional<Value> Join(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_string() || !args[1].is_list()) {
    return Failure(error, "join needs a separator string and a list");
  }
  std::string out;
  const Value::List& items = args[1].as_list();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].is_list() || items[i].is_map()) {
      return Failure(error, "join cannot join a " + Kind(items[i]));
    }
    if (i > 0) out += args[0].as_string();
    out += items[i].ToInterpolation();
  }
  return Value(out);
}

std::optional<Value> Split(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_string() || !args[1].is_string() || args[0].as_string().empty()) {
    return Failure(error, "split needs a non-empty separator string and a string");
  }
  Value::List parts;
  const std::string& sep = args[0].as_string();
  const std::string& text = args[1].as_string();
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(sep, start)) != std::string::npos; start = at + sep.size()) {
    parts.emplace_back(text.substr(start, at - start));
  }
  parts.emplace_back(text.substr(start));
  return Value(parts);
}

std::optional<Value> Format(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_string()) return Failure(error, "format needs a format string");
  const std::string& spec = args[0].as_string();
  std::string out;
  std::size_t next = 1;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') {
      out += spec[i];
      continue;
    }
    if (++i >= spec.size()) return Failure(error, "format string ends with '%'");
    char verb = spec[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next >= args.size()) return Failure(error, "format has more verbs than arguments");
    const Value& arg = args[next++];
    if (verb == 's' || verb == 'v') {
      out += arg.ToInterpolation();
    } else if (verb == 'q') {
      out += arg.ToDisplayRevealed();
    } else if (verb == 'd') {
      if (!arg.is_number()) return Failure(error, "%d needs a number, got " + Kind(arg));
      out += std::to_string(static_cast<long long>(std::trunc(arg.as_number())));
    } else {
      return Failure(error, std::string("unknown format verb %") + verb);
    }
  }
  if (next != args.size()) return Failure(error, "format has more arguments than verbs");
  return Value(out);
}

std::optional<Value> ToString(const Args& args, const std::string&, std::string* error) {
  const Value& v = args[0];
  if (v.is_list() || v.is_map()) return Failure(error, "tostring cannot convert a " + Kind(v));
  if (v.is_null()) return Value(std::string("null"));
  return Value(v.ToInterpolation());
}

std::optional<Value> ToNumber(const Args& args, const std::string&, std::string* error) {
  const Value& v = args[0];
  if (v.is_number()) return v;
  if (v.is_string() && !v.as_string().empty()) {
    char* end = nullptr;
    double n = std::strtod(v.as_string().c_str(), &end);
    if (end != nullptr && *end == '\0' && std::isfinite(n)) return Value(n);
  }
  return Failure(error, "cannot convert " + v.ToDisplay() + " to a number");
}

std::optional<Value> Replace(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_string() || !args[1].is_string() || !args[2].is_string() ||
      args[1].as_string().empty()) {
    return Failure(error, "replace needs a string, a non-empty string to find and its replacement");
  }
  std::string text = args[0].as_string();
  const std::string& from = args[1].as_string();
  const std::string& to = args[2].as_string();
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
  return Value(text);
}

std::optional<Value> TrimSpace(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_string()) return Failure(error, "trimspace needs a string, got " + Kind(args[0]));
  const std::string& text = args[0].as_string();
  std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return Value(std::string());
  std::size_t end = text.find_last_not_of(" \t\r\n");
  return Value(text.substr(begin, end - begin + 1));
}

std::optional<Value> Keys(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_map()) return Failure(error, "keys needs a map, got " + Kind(args[0]));
  Value::List keys;
  for (const auto& [key, value] : args[0].as_map()) keys.emplace_back(key);
  return Value(keys);
}

std::optional<Value> Values(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_map()) return Failure(error, "values needs a map, got " + Kind(args[0]));
  Value::List values;
  for (const auto& [key, value] : args[0].as_map()) values.push_back(value);
  return Value(values);
}

std::optional<Value> Range(const Args& args, const std::string&, std::string* error) {
  if (!args[0].is_number() || args[0].as_number() < 0 || args[0].as_number() > 100000 ||
      std::floor(args[0].as_number()) != args[0].as_number()) {
    return Failure(error, "range needs a whole number from 0 to 100000");
  }
  Value::List items;
  for (int i = 0; i < static_cast<int>(args[0].as_number()); ++i) items.emplace_back(i);
  return Value(items);
}

std::optional<Value> Sensitive(const Args& args, const std::string&, std::string*) {
  Value value = args[0];
  value.MarkSensitive();
  return value;
}

const std::map<std::string, BuiltinInfo>& Builtins() {
  using T = AttrType;
  static const std::map<std::string, BuiltinInfo> builtins = [] {
    std::map<std::string, BuiltinInfo> all;
    auto add = [&](std::string name, int min, int max, std::vector<AttrType> types,
                   std::string description, Builtin call) {
      all[name] = {FunctionSchema{name, min, max, std::move(types), false, std::move(description)},
                   std::move(call)};
    };
    add("env", 1, 2, {T::kString}, "an environment variable, or the default when unset", Env);
    add("file", 1, 1, {T::kString}, "the contents of a file, relative to the plan", File);
    add("sha256", 1, 1, {T::kString}, "the hex SHA-256 of a string", Sha256);
    add("lower", 1, 1, {T::kString}, "a string in lower case", CaseMap(::tolower));
    add("upper", 1, 1, {T::kString}, "a string in upper case", CaseMap(::toupper));
    add("length", 1, 1, {}, "the length of a string, list or map", Length);
    add("contains", 2, 2, {}, "whether a list, map or string contains a value", Contains);
    add("join", 2, 2, {T::kString, T::kList}, "the items of a list joined by a separator", Join);
    add("split", 2, 2, {T::kString, T::kString}, "a string split at a separator", Split);
    add("format", 1, -1, {T::kString}, "printf-style formatting: %s %d %q %v %%", Format);
    add("tostring", 1, 1, {}, "a value as a string", ToString);
    add("tonumber", 1, 1, {}, "a string as a number", ToNumber);
    add("replace", 3, 3, {T::kString, T::kString, T::kString}, "every occurrence replaced",
        Replace);
    add("trimspace", 1, 1, {T::kString}, "a string without surrounding whitespace", TrimSpace);
    add("keys", 1, 1, {T::kMap}, "the keys of a map, sorted", Keys);
    add("values", 1, 1, {T::kMap}, "the values of a map, by sorted key", Values);
    add("range", 1, 1, {T::kNumber}, "the list 0, 1, ... n-1", Range);
    add("sensitive", 1, 1, {}, "a value marked sensitive: never shown", Sensitive);
    return all;
  }();
  return builtins;
}

}  // namespace

void RegisterBuiltinFunctions(SchemaRegistry& registry) {
  for (const auto& [name, info] : Builtins()) registry.AddFunction(info.schema);
}

bool IsBuiltinFunction(const std::string& name) { return Builtins().count(name) > 0; }

std::optional<Value> CallBuiltinFunction(const std::string& name, const std::vector<Value>& args,
                                         const std::string& base_dir, std::string* error) {
  auto it = Builtins().find(name);
  if (it == Builtins().end()) return Failure(error, "unknown function '" + name + "'");
  const FunctionSchema& schema = it->second.schema;
  int count = static_cast<int>(args.size());
  if (count < schema.min_args || (schema.max_args >= 0 && count > schema.max_args)) {
    return Failure(error, "wrong number of arguments");
  }
  std::optional<Value> result = it->second.call(args, base_dir, error);
  if (result) {
    for (const auto& arg : args)
      if (arg.ContainsSensitive()) result->MarkSensitive();
  }
  return result;
}

}  // namespace upgrade
