// `postgres.setting`: one server setting changed with ALTER SYSTEM and a reload; settings
// that only a restart applies are flagged in the plan.
#pragma once

#include "providers/postgres/common.h"

namespace upgrade::postgres {

/// The postgres.setting resource type.
class SettingResource : public ResourceKind {
 public:
  std::string Type() const override { return "postgres.setting"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
};

/// True when `a` and `b` denote the same value of a setting whose base unit is `unit`
/// ("kB", "8kB", "ms", "s", "" ...): "8MB" equals "8192" for unit "kB", "on" equals "true".
bool SameSettingValue(const std::string& a, const std::string& b, const std::string& unit);

}  // namespace upgrade::postgres
