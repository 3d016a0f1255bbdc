// The real change runner: each call routed to the provider owning the type's namespace.
#include "executor/change_runner.h"

#include <optional>

#include "executor/journal.h"
#include "providers/registry.h"

namespace upgrade {
namespace {

thread_local const std::string* current_step = nullptr;

}  // namespace

StepProgressScope::StepProgressScope(const std::string& step) : previous_(current_step) {
  current_step = &step;
}

StepProgressScope::~StepProgressScope() { current_step = previous_; }

const std::string* StepProgressScope::Current() { return current_step; }

ProviderContext ProviderChangeRunner::CallContext() const {
  ProviderContext context = context_;
  const std::string* step = StepProgressScope::Current();
  if (progress_sink_ && step != nullptr) {
    // By value: a provider may report from threads of its own (s3.migrate's workers).
    context.progress = [sink = progress_sink_, step = *step](const std::string& text) {
      sink(step, text);
    };
  }
  return context;
}

ProviderChangeRunner::ProviderChangeRunner(const ProviderRegistry& providers,
                                           ProviderContext context,
                                           SensitiveAttributes sensitive)
    : providers_(providers), context_(std::move(context)), sensitive_(std::move(sensitive)) {}

Provider* ProviderChangeRunner::Find(const std::string& type, std::string* error) const {
  Provider* provider = providers_.For(type);
  if (!provider) *error = "no provider for " + type;
  return provider;
}

ReadResult ProviderChangeRunner::Read(const ResourceConfig& resource) {
  ReadResult result;
  Provider* provider = Find(resource.type, &result.error);
  if (provider) {
    ProviderContext context = CallContext();
    result = provider->Read(resource, context);
  }
  MarkSensitive(sensitive_, resource.name, &result.state);
  return result;
}

PrepareResult ProviderChangeRunner::Prepare(const Operation& operation) {
  PrepareResult result;
  Provider* provider = Find(operation.resource.type, &result.error);
  if (!provider) return result;
  ProviderContext context = CallContext();
  return provider->Prepare(operation, context);
}

ApplyResult ProviderChangeRunner::Apply(const Operation& operation, const Value& undo,
                                        const WriteAhead& write_ahead) {
  ApplyResult result;
  Provider* provider = Find(operation.resource.type, &result.error);
  if (!provider) return result;
  ProviderContext context = CallContext();
  std::optional<std::string> answer;     // of the one write-ahead made
  std::optional<SimulatedCrash> crash;  // tests: carried past the provider, never through it
  auto write_ahead_once = [&]() -> std::string {
    if (answer) return *answer;
    try {
      answer = write_ahead ? write_ahead() : "";
    } catch (const SimulatedCrash& simulated) {
      crash = simulated;
      answer = "simulated crash";
    }
    return *answer;
  };
  if (provider->DefersWriteAhead(operation)) {
    context.write_ahead = write_ahead_once;
  } else if (std::string error = write_ahead_once(); !error.empty()) {
    if (crash) throw *crash;
    result.error = std::move(error);
    return result;
  }
  result = provider->Apply(operation, undo, context);
  // A provider that returned before calling it (nothing to change, or an error first) still
  // leaves the record durable before the executor records the outcome.
  if (std::string error = write_ahead_once(); !error.empty() && result.error.empty()) {
    result.error = std::move(error);
  }
  if (crash) throw *crash;
  MarkSensitive(sensitive_, operation.resource.name, &result.state);
  return result;
}

ReverseResult ProviderChangeRunner::Reverse(const ReverseRequest& request) {
  ReverseResult result;
  Provider* provider = Find(request.resource.type, &result.error);
  if (provider) {
    ProviderContext context = CallContext();
    result = provider->Reverse(request, context);
  }
  MarkSensitive(sensitive_, request.resource.name, &result.state);
  return result;
}

std::string ProviderChangeRunner::CheckReverse(const ReverseRequest& request) {
  std::string error;
  Provider* provider = Find(request.resource.type, &error);
  if (!provider) return "";  // Reverse tells why
  ProviderContext context = CallContext();
  return provider->CheckReverse(request, context);
}

bool ProviderChangeRunner::KeepsAside(const ReverseRequest& request) {
  std::string error;
  Provider* provider = Find(request.resource.type, &error);
  return !provider || provider->KeepsAside(request);  // an unknown type: Release tells why
}

std::string ProviderChangeRunner::Release(const ReverseRequest& request) {
  std::string error;
  Provider* provider = Find(request.resource.type, &error);
  if (!provider) return error;
  ProviderContext context = CallContext();
  return provider->Release(request, context);
}

SnapshotResult ProviderChangeRunner::Snapshot(const ResourceConfig& resource,
                                              const Value::Map& options) {
  SnapshotResult result;
  Provider* provider = Find(resource.type, &result.error);
  if (!provider) return result;
  ProviderContext context = CallContext();
  return provider->Snapshot(resource, options, false, context);
}

std::string ProviderChangeRunner::Restore(const ResourceConfig& resource, const Value& record) {
  std::string error;
  Provider* provider = Find(resource.type, &error);
  if (!provider) return error;
  ProviderContext context = CallContext();
  return provider->Restore(resource, record, context);
}

}  // namespace upgrade
