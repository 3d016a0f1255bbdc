// What providers tell the language about themselves: resource types, actions and functions,
// with their attributes. The checker checks plans against these; providers fill the registry.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace upgrade {

/// The type an attribute or argument accepts. `kResource` is a reference to a declared resource
/// (written as its bare name, `database = db`); `kAny` accepts every value.
enum class AttrType { kAny, kString, kNumber, kBool, kDuration, kList, kMap, kResource };

/// The language's name of an attribute type ("string", "resource", ...).
const char* AttrTypeName(AttrType type);

/// One attribute of a resource type or an action.
struct AttributeSchema {
  std::string name;
  AttrType type = AttrType::kAny;
  bool required = false;            ///< must be given in the resource (or action) block
  bool identity = false;            ///< names the real thing; may only be set in `resource`
  bool sensitive = false;           ///< never shown, logged or stored in plain text
  bool forces_replacement = false;  ///< changing it replaces the resource (`-/+`)
  bool computed = false;            ///< read from the real system; plans may read, never set
  std::string description;
};

/// A resource type such as `fs.file` or `docker.container`.
struct ResourceTypeSchema {
  std::string type;
  std::string description;
  std::vector<AttributeSchema> attributes;
  bool snapshot = false;  ///< `snapshot NAME` is supported and restorable

  const AttributeSchema* Find(const std::string& name) const;
};

/// An action for `run`, such as `exec.command` or `postgres.sql`. It is reversible when the
/// statement gives the attribute named `undo_attribute` (empty: never reversible).
struct ActionSchema {
  std::string type;
  std::string description;
  std::vector<AttributeSchema> attributes;
  std::string undo_attribute = "undo";

  const AttributeSchema* Find(const std::string& name) const;
};

/// A function callable in expressions, such as `env`, `http.get` or `postgres.query`.
struct FunctionSchema {
  std::string name;
  int min_args = 0;
  int max_args = 0;  ///< -1: any number
  std::vector<AttrType> arg_types;  ///< leading arguments' types; the rest are kAny
  bool reads_systems = false;  ///< talks to real systems (e.g. http.get): evaluated, never folded
  std::string description;
};

/// The namespace of a qualified name: "docker" of "docker.container" (all of a name without a
/// dot). It names the provider that owns the name.
std::string_view NamespaceOf(const std::string& qualified_name);

/// Every resource type, action and function the checker knows, by name.
///
/// A namespace can be deferred: its schemas are described only when a name in it is first
/// looked up (the providers behind it live in a module loaded on first use). Lookups are safe
/// from several threads at once; a name added directly costs one map find, as before.
class SchemaRegistry {
 public:
  void AddResource(ResourceTypeSchema schema);
  void AddAction(ActionSchema schema);
  void AddFunction(FunctionSchema schema);
  /// Names "NS.*" not added directly are described by `describe` (into a registry of their
  /// own, once, under a lock) the first time one is looked up. Copies of this registry share
  /// what was described.
  /// `describe` returns why it could not describe the namespace (its provider failed to load),
  /// or "" when it did.
  void AddDeferredNamespace(std::string ns,
                            std::function<std::string(SchemaRegistry&)> describe);

  const ResourceTypeSchema* FindResource(const std::string& type) const;
  const ActionSchema* FindAction(const std::string& type) const;
  const FunctionSchema* FindFunction(const std::string& name) const;

  /// Why the deferred namespace of `name` has no schemas (its describe's answer), or "" when
  /// it was described or is not deferred.
  std::string WhyNotDescribed(const std::string& name) const;

  /// Every name, sorted; these describe every deferred namespace first (for "did you mean").
  std::vector<std::string> ResourceNames() const;
  std::vector<std::string> ActionNames() const;
  std::vector<std::string> FunctionNames() const;

 private:
  template <typename Schema>
  using SchemaMap = std::map<std::string, Schema>;
  struct DeferredNamespace;
  /// `name` in this registry's map `own`, else in the same map of its deferred namespace.
  template <typename Schema>
  const Schema* FindWithDeferred(SchemaMap<Schema> SchemaRegistry::*own,
                                 const std::string& name) const;
  /// The keys of map `own` here and in every deferred namespace, sorted.
  template <typename Schema>
  std::vector<std::string> NamesWithDeferred(SchemaMap<Schema> SchemaRegistry::*own) const;
  /// The deferred namespace of `name`, or nullptr.
  DeferredNamespace* DeferredOf(const std::string& name) const;
  /// The schemas of the deferred namespace of `name`, described now if not yet; or nullptr.
  const SchemaRegistry* Deferred(const std::string& name) const;
  /// Every deferred namespace's schemas, each described now if not yet.
  std::vector<const SchemaRegistry*> AllDeferred() const;

  SchemaMap<ResourceTypeSchema> resources_;
  SchemaMap<ActionSchema> actions_;
  SchemaMap<FunctionSchema> functions_;
  std::vector<std::shared_ptr<DeferredNamespace>> deferred_;
};

}  // namespace upgrade
