// The change runner: the one place the executor calls providers from. An interface, so the
// executor can be driven against fakes, and so every call goes through one ProviderContext.
#pragma once

#include <functional>
#include <string>

#include "executor/sensitive_attributes.h"
#include "providers/provider.h"

namespace upgrade {

class ProviderRegistry;

/// Receives what providers report of a long call (ProviderContext::progress), with the step
/// the call was made for.
using StepProgressSink = std::function<void(const std::string& step, const std::string& text)>;

/// Marks the calling thread as working for `step` while it lives, so that progress reported
/// by provider calls made from this thread is told as that step's.
class StepProgressScope {
 public:
  explicit StepProgressScope(const std::string& step);
  ~StepProgressScope();
  StepProgressScope(const StepProgressScope&) = delete;
  StepProgressScope& operator=(const StepProgressScope&) = delete;
  /// The step of the calling thread, or nullptr outside any scope.
  static const std::string* Current();

 private:
  const std::string* previous_;
};

/// Calls the provider that owns each resource type or action.
class ChangeRunner {
 public:
  virtual ~ChangeRunner() = default;
  virtual ReadResult Read(const ResourceConfig& resource) = 0;
  virtual PrepareResult Prepare(const Operation& operation) = 0;
  /// Calls `write_ahead` (which makes the undo record durable) before anything changes:
  /// itself before the provider's Apply, or through the provider when it defers it.
  virtual ApplyResult Apply(const Operation& operation, const Value& undo,
                            const WriteAhead& write_ahead) = 0;
  virtual ReverseResult Reverse(const ReverseRequest& request) = 0;
  /// Why Reverse of `request` cannot succeed now (the provider's CheckReverse), or empty.
  virtual std::string CheckReverse(const ReverseRequest& request) = 0;
  /// Whether the provider kept something aside that Release lets go of.
  virtual bool KeepsAside(const ReverseRequest& request) = 0;
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
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    const WriteAhead& write_ahead) override;
  ReverseResult Reverse(const ReverseRequest& request) override;
  std::string CheckReverse(const ReverseRequest& request) override;
  bool KeepsAside(const ReverseRequest& request) override;
  std::string Release(const ReverseRequest& request) override;
  SnapshotResult Snapshot(const ResourceConfig& resource, const Value::Map& options) override;
  std::string Restore(const ResourceConfig& resource, const Value& record) override;
  ProviderContext& context() override { return context_; }
  /// Where progress of calls made inside a StepProgressScope goes (the context's own
  /// `progress` gets the rest).
  void SetStepProgressSink(StepProgressSink sink) { progress_sink_ = std::move(sink); }

 private:
  Provider* Find(const std::string& type, std::string* error) const;
  /// The context for one provider call: progress tagged with the calling thread's step.
  ProviderContext CallContext() const;

  const ProviderRegistry& providers_;
  ProviderContext context_;
  SensitiveAttributes sensitive_;
  StepProgressSink progress_sink_;
};

}  // namespace upgrade
