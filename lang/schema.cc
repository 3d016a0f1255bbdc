// Lookups in provider schemas.
#include "lang/schema.h"

namespace upgrade {
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
std::vector<std::string> KeysOf(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& entry : map) keys.push_back(entry.first);
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

const ResourceTypeSchema* SchemaRegistry::FindResource(const std::string& type) const {
  return FindIn(resources_, type);
}
const ActionSchema* SchemaRegistry::FindAction(const std::string& type) const {
  return FindIn(actions_, type);
}
const FunctionSchema* SchemaRegistry::FindFunction(const std::string& name) const {
  return FindIn(functions_, name);
}

std::vector<std::string> SchemaRegistry::ResourceNames() const { return KeysOf(resources_); }
std::vector<std::string> SchemaRegistry::ActionNames() const { return KeysOf(actions_); }
std::vector<std::string> SchemaRegistry::FunctionNames() const { return KeysOf(functions_); }

}  // namespace upgrade
