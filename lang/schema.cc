// Lookups in provider schemas, and the namespaces described on first use.
#include "lang/schema.h"

#include <algorithm>
#include <mutex>
#include <string_view>

namespace upgrade {

/// A namespace whose schemas are described the first time a name in it is looked up.
struct SchemaRegistry::DeferredNamespace {
  std::string name;
  std::function<std::string(SchemaRegistry&)> describe;
  std::once_flag described;
  SchemaRegistry schemas;  ///< written once under `described`, only read after
  std::string error;       ///< the same: why it could not be described

  // Planner threads look names up at once: the first describes, the others wait for it.
  const SchemaRegistry* Described() {
    std::call_once(described, [this] { error = describe(schemas); });
    return &schemas;
  }
};

namespace {

template <typename Schema>
const AttributeSchema* FindAttribute(const Schema& schema, const std::string& name) {
  for (const auto& attribute : schema.attributes)
    if (attribute.name == name) return &attribute;
  return nullptr;
}

template <typename Map>
auto FindIn(const Map& map, const std::string& key) -> const typename Map::mapped_type* {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

template <typename Map>
void AppendKeys(const Map& map, std::vector<std::string>& keys) {
  for (const auto& entry : map) keys.push_back(entry.first);
}

// Keys gathered from several sorted maps: sorted again, each once.
std::vector<std::string> SortedOnce(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

const char* AttrTypeName(AttrType type) {
  switch (type) {
    case AttrType::kAny: return "any";
    case AttrType::kString: return "string";
    case AttrType::kNumber: return "number";
    case AttrType::kBool: return "bool";
    case AttrType::kDuration: return "duration";
    case AttrType::kList: return "list";
    case AttrType::kMap: return "map";
    case AttrType::kResource: return "resource";
  }
  return "?";
}

const AttributeSchema* ResourceTypeSchema::Find(const std::string& name) const {
  return FindAttribute(*this, name);
}
const AttributeSchema* ActionSchema::Find(const std::string& name) const {
  return FindAttribute(*this, name);
}

void SchemaRegistry::AddResource(ResourceTypeSchema schema) {
  std::string key = schema.type;
  resources_[key] = std::move(schema);
}
void SchemaRegistry::AddAction(ActionSchema schema) {
  std::string key = schema.type;
  actions_[key] = std::move(schema);
}
void SchemaRegistry::AddFunction(FunctionSchema schema) {
  std::string key = schema.name;
  functions_[key] = std::move(schema);
}
void SchemaRegistry::AddDeferredNamespace(std::string ns,
                                          std::function<std::string(SchemaRegistry&)> describe) {
  auto deferred = std::make_shared<DeferredNamespace>();
  deferred->name = std::move(ns);
  deferred->describe = std::move(describe);
  deferred_.push_back(std::move(deferred));
}

std::string_view NamespaceOf(const std::string& qualified_name) {
  return std::string_view(qualified_name).substr(0, qualified_name.find('.'));
}

SchemaRegistry::DeferredNamespace* SchemaRegistry::DeferredOf(const std::string& name) const {
  std::string_view ns = NamespaceOf(name);
  for (const auto& deferred : deferred_)
    if (deferred->name == ns) return deferred.get();
  return nullptr;
}

const SchemaRegistry* SchemaRegistry::Deferred(const std::string& name) const {
  DeferredNamespace* deferred = DeferredOf(name);
  return deferred ? deferred->Described() : nullptr;
}

std::string SchemaRegistry::WhyNotDescribed(const std::string& name) const {
  DeferredNamespace* deferred = DeferredOf(name);
  if (deferred == nullptr) return "";
  deferred->Described();
  return deferred->error;
}

std::vector<const SchemaRegistry*> SchemaRegistry::AllDeferred() const {
  std::vector<const SchemaRegistry*> all;
  for (const auto& deferred : deferred_) all.push_back(deferred->Described());
  return all;
}

// A name added directly is one map find; only a miss looks at the deferred namespaces.
template <typename Schema>
const Schema* SchemaRegistry::FindWithDeferred(SchemaMap<Schema> SchemaRegistry::*own,
                                               const std::string& name) const {
  if (const Schema* found = FindIn(this->*own, name); found || deferred_.empty()) return found;
  const SchemaRegistry* deferred = Deferred(name);
  return deferred ? FindIn(deferred->*own, name) : nullptr;
}

template <typename Schema>
std::vector<std::string> SchemaRegistry::NamesWithDeferred(
    SchemaMap<Schema> SchemaRegistry::*own) const {
  std::vector<std::string> names;
  AppendKeys(this->*own, names);
  if (deferred_.empty()) return names;
  for (const SchemaRegistry* deferred : AllDeferred()) AppendKeys(deferred->*own, names);
  return SortedOnce(std::move(names));
}

const ResourceTypeSchema* SchemaRegistry::FindResource(const std::string& type) const {
  return FindWithDeferred(&SchemaRegistry::resources_, type);
}
const ActionSchema* SchemaRegistry::FindAction(const std::string& type) const {
  return FindWithDeferred(&SchemaRegistry::actions_, type);
}
const FunctionSchema* SchemaRegistry::FindFunction(const std::string& name) const {
  return FindWithDeferred(&SchemaRegistry::functions_, name);
}

std::vector<std::string> SchemaRegistry::ResourceNames() const {
  return NamesWithDeferred(&SchemaRegistry::resources_);
}
std::vector<std::string> SchemaRegistry::ActionNames() const {
  return NamesWithDeferred(&SchemaRegistry::actions_);
}
std::vector<std::string> SchemaRegistry::FunctionNames() const {
  return NamesWithDeferred(&SchemaRegistry::functions_);
}

}  // namespace upgrade
