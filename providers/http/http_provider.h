// The `http` provider: the read-only function http.get for `require` and `verify` (health
// checks, version endpoints). No resource types.
#pragma once

#include <string>
#include <vector>

#include "providers/provider.h"

namespace upgrade {

/// Function http.get(url, {timeout, headers}) -> {status, body, json, headers}.
class HttpProvider : public Provider {
 public:
  std::string Name() const override { return "http"; }
  void Describe(SchemaRegistry& registry) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
  CallResult Call(const std::string& name, const std::vector<Value>& args,
                  ProviderContext& context) override;
};

/// `url` with the password of its user info replaced by "***": "http://u:***@host/".
std::string MaskUrlPassword(const std::string& url);

}  // namespace upgrade
