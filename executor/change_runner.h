// The change runner: the one place the executor calls providers from. An interface, so the
// executor can be driven against fakes, and so every call goes through one ProviderContext.
#pragma once

#include "executor/sensitive_attributes.h"
#include "providers/provider.h"

namespace upgrade {

class ProviderRegistry;

/// Calls the provider that owns each resource type or action.
class ChangeRunner {
 public:
  virtual ~ChangeRunner() = default;
  virtual ReadResult Read(const ResourceConfig& resource) = 0;
  virtual PrepareResult Prepare(const Operation& operation) = 0;
  virtual ApplyResult Apply(const Operation& operation, const Value& undo) = 0;
  virtual ReverseResult Reverse(const ReverseRequest& request) = 0;
  /// Returns an error text, empty on success.
  virtual std::string Release(const ReverseRequest& request) = 0;
  virtual SnapshotResult Snapshot(const ResourceConfig& resource, const Value::Map& options) = 0;
  /// Returns an error text, empty on success.
  virtual std::string Restore(const ResourceConfig& resource, const Value& record) = 0;
  /// The context handed to providers (and to check evaluation).
  virtual ProviderContext& context() = 0;
};

/// The real runner: finds each provider in a registry by the namespace of the type. Every state
/// it hands back has the attributes in `sensitive` marked, whatever the provider returned.
class ProviderChangeRunner : public ChangeRunner {
 public:
  ProviderChangeRunner(const ProviderRegistry& providers, ProviderContext context,
                       SensitiveAttributes sensitive = {});

  ReadResult Read(const ResourceConfig& resource) override;
  PrepareResult Prepare(const Operation& operation) override;
  ApplyResult Apply(const Operation& operation, const Value& undo) override;
  ReverseResult Reverse(const ReverseRequest& request) override;
  std::string Release(const ReverseRequest& request) override;
  SnapshotResult Snapshot(const ResourceConfig& resource, const Value::Map& options) override;
  std::string Restore(const ResourceConfig& resource, const Value& record) override;
  ProviderContext& context() override { return context_; }

 private:
  Provider* Find(const std::string& type, std::string* error) const;

  const ProviderRegistry& providers_;
  ProviderContext context_;
  SensitiveAttributes sensitive_;
};

}  // namespace upgrade
