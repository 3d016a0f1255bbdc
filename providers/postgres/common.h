// What the PostgreSQL provider's resource types, action, snapshots and functions share:
// reading attributes, finding the DSN a resource or argument names, and the interface each
// resource type implements inside the provider.
#pragma once

#include <string>

#include "providers/provider.h"

namespace upgrade::postgres {

/// The string attribute `key` (or `fallback` when absent or not a string).
std::string StringAttr(const Value::Map& map, const std::string& key,
                       const std::string& fallback = "");
/// The bool attribute `key` (or `fallback`).
bool BoolAttr(const Value::Map& map, const std::string& key, bool fallback = false);

/// The DSN of the database `map` names: the DSN of the resource in its `database` attribute
/// (a resource arrives as the map of its attributes), else its own `url`; for a
/// postgres.database (told apart by its `encoding`), switched to the database its `name`
/// gives. Empty, with `*error` set, when there is none.
std::string TargetDsn(const Value::Map& map, std::string* error);

/// `"a"."b"` for `a.b`, `"b"` for `b`: an identifier, possibly schema-qualified, quoted.
std::string QuoteQualified(const std::string& name);
/// `"name"`, quotes doubled.
std::string QuoteIdent(const std::string& name);
/// `'text'`, quotes doubled (standard_conforming_strings is on since PostgreSQL 9.1).
std::string QuoteLiteral(const std::string& text);

/// One resource type of the provider (postgres.migrations, postgres.database, ...): the
/// provider finds it by type and forwards the verbs.
class ResourceKind {
 public:
  virtual ~ResourceKind() = default;
  virtual std::string Type() const = 0;
  virtual void Describe(SchemaRegistry& registry) const = 0;
  virtual ReadResult Read(const ResourceConfig& resource, ProviderContext& context) = 0;
  virtual DiffResult Diff(const DiffRequest& request) const = 0;
  virtual PrepareResult Prepare(const Operation& operation, ProviderContext& context) = 0;
  virtual ApplyResult Apply(const Operation& operation, const Value& undo,
                            ProviderContext& context) = 0;
  virtual ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) = 0;
};

/// The desired value of `key`: from the `set` block when it gives one, else from the resource
/// block, else null.
Value DesiredAttr(const DiffRequest& request, const std::string& key);

/// Fills `change.attributes` (sorted by name) with one entry for each attribute of
/// `names` whose value differs between `before` and `after`.
void AddAttributeChanges(Change& change, const std::vector<std::string>& names,
                         const std::vector<std::string>& sensitive = {});

}  // namespace upgrade::postgres
