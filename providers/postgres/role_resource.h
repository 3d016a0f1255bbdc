// `postgres.role`: a role — present or absent, login and other attributes, memberships, and a
// password that is set but never shown (compared against the server's SCRAM verifier).
#pragma once

#include "providers/postgres/common.h"

namespace upgrade::postgres {

/// The postgres.role resource type.
class RoleResource : public ResourceKind {
 public:
  std::string Type() const override { return "postgres.role"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
};

}  // namespace upgrade::postgres
