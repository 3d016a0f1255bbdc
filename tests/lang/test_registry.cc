// The language tests' schema registry.
#include "tests/lang/test_registry.h"

#include "lang/eval.h"

namespace upgrade::testing {
namespace {

AttributeSchema Attr(std::string name, AttrType type, bool required = false, bool identity = false,
                     bool computed = false, bool sensitive = false) {
  AttributeSchema schema;
  schema.name = std::move(name);
  schema.type = type;
  schema.required = required;
  schema.identity = identity;
  schema.computed = computed;
  schema.sensitive = sensitive;
  return schema;
}

}  // namespace

SchemaRegistry MakeTestRegistry() {
  using T = AttrType;
  SchemaRegistry registry;
  RegisterBuiltinFunctions(registry);
  registry.AddResource({"fs.file", "a file",
                        {Attr("path", T::kString, true, true), Attr("content", T::kString),
                         Attr("mode", T::kNumber), Attr("checksum", T::kString, false, false, true)},
                        true});
  registry.AddResource({"fs.yaml", "keys of a YAML file",
                        {Attr("path", T::kString, true, true), Attr("values", T::kMap)},
                        false});
  registry.AddResource({"docker.container", "a container",
                        {Attr("name", T::kString, true, true), Attr("image", T::kString),
                         Attr("state", T::kString), Attr("env", T::kMap),
                         Attr("id", T::kString, false, false, true)},
                        false});
  registry.AddResource({"postgres.database", "a database",
                        {Attr("url", T::kString, true, true, false, true),
                         Attr("version", T::kString, false, false, true)},
                        true});
  registry.AddResource({"postgres.migrations", "a migrations folder applied to a database",
                        {Attr("database", T::kResource, true, true), Attr("dir", T::kString, true, true),
                         Attr("version", T::kString)},
                        false});
  registry.AddAction({"exec.command", "a command",
                      {Attr("argv", T::kList, true), Attr("undo", T::kList), Attr("timeout", T::kDuration)},
                      "undo"});
  registry.AddAction({"postgres.sql", "a SQL script",
                      {Attr("database", T::kResource, true), Attr("sql", T::kString, true),
                       Attr("undo", T::kString)},
                      "undo"});
  registry.AddFunction({"http.get", 1, 2, {T::kString, T::kMap}, true, "an HTTP GET"});
  registry.AddFunction({"postgres.reachable", 1, 1, {T::kResource}, true, "can connect"});
  registry.AddFunction({"postgres.query", 2, 2, {T::kResource, T::kString}, true, "one value"});
  return registry;
}

}  // namespace upgrade::testing
