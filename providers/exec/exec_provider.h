// The `exec` provider: the `exec.command` action runs a command (argv, no shell unless asked),
// logs its output line by line, fails on a non-zero exit, and is reversible through `undo`.
#pragma once

#include <string>

#include "providers/provider.h"

namespace upgrade {

/// Action exec.command; no resource types, no functions.
class ExecProvider : public Provider {
 public:
  std::string Name() const override { return "exec"; }
  void Describe(SchemaRegistry& registry) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
};

}  // namespace upgrade
