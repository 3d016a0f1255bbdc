// The in-memory provider for planner and executor unit tests (see fake_provider.h).
//
// A thing's state is exactly its entry in `things`: Read returns that map, Apply writes the
// planned `after` attributes back into it. Every call is recorded with the thing's `id` (or the
// resource name when the config has no id; an action's `label`) as its target. Plan-time size
// estimates of snapshots are recorded as "Estimate a", so they never look like a real snapshot.
#include "tests/support/fake_provider.h"

#include <algorithm>
#include <thread>

namespace upgrade::testing {
namespace {

std::string TargetOf(const ResourceConfig& resource) {
  auto it = resource.config.find("id");
  if (it != resource.config.end() && it->second.is_string()) return it->second.as_string();
  return resource.name;
}

std::string LabelOf(const Value::Map& config) {
  auto it = config.find("label");
  return it != config.end() && it->second.is_string() ? it->second.as_string() : "";
}

std::string InjectedError(const std::string& verb, const std::string& target) {
  return "fake: injected failure of " + verb + " " + target;
}

/// What an undo record or a snapshot record holds: whether the thing existed, and its attributes.
Value RecordOf(bool existed, const Value::Map& attributes) {
  return Value(Value::Map{{"existed", existed}, {"attributes", Value(attributes)}});
}

bool IsSensitiveAttribute(const std::string& name) { return name == "secret"; }

}  // namespace

void FakeProvider::Describe(SchemaRegistry& registry) const {
  ResourceTypeSchema thing;
  thing.type = "fake.thing";
  thing.description = "an in-memory thing for tests";
  thing.snapshot = true;
  thing.attributes = {
      {"id", AttrType::kString, true, true, false, false, false, "the thing's identity"},
      {"value", AttrType::kString, false, false, false, false, false, "a plain value"},
      {"secret", AttrType::kString, false, false, true, false, false, "a sensitive value"},
      {"replace_me", AttrType::kString, false, false, false, true, false,
       "changing it replaces the thing"},
      {"absent", AttrType::kBool, false, false, false, false, false, "true: delete the thing"},
  };
  registry.AddResource(thing);

  ActionSchema action;
  action.type = "fake.action";
  action.description = "an in-memory action for tests";
  action.attributes = {
      {"label", AttrType::kString, true, false, false, false, false, "names the action"},
      {"undo", AttrType::kString, false, false, false, false, false, "makes it reversible"},
      {"target", AttrType::kResource, false, false, false, false, false,
       "the resource the action works on"},
  };
  registry.AddAction(action);

  FunctionSchema value_of;
  value_of.name = "fake.value";
  value_of.min_args = 1;
  value_of.max_args = 1;
  value_of.arg_types = {AttrType::kString};
  value_of.reads_systems = true;
  value_of.description = "the value of thing id, or null";
  registry.AddFunction(value_of);
}

ReadResult FakeProvider::Read(const ResourceConfig& resource, ProviderContext&) {
  std::string target = TargetOf(resource);
  Record("Read " + target);
  ReadResult result;
  if (ShouldFail("Read", target)) {
    result.error = InjectedError("Read", target);
    return result;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = things.find(target);
  if (it != things.end()) {
    result.state.exists = true;
    result.state.attributes = it->second;
    auto secret = result.state.attributes.find("secret");
    if (secret != result.state.attributes.end()) secret->second.MarkSensitive();
  }
  return result;
}

DiffResult FakeProvider::Diff(const DiffRequest& request) const {
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  auto absent = request.desired.find("absent");
  bool wants_absent = absent != request.desired.end() && absent->second.IsTrue();
  if (wants_absent) {
    change.action = request.prior.exists ? ChangeAction::kDelete : ChangeAction::kNone;
    if (request.prior.exists) {
      for (const auto& [name, before] : request.prior.attributes)
        change.attributes.push_back({name, before, Value(), false, IsSensitiveAttribute(name)});
    }
    return result;
  }
  change.after.exists = true;
  change.after.attributes = request.prior.exists ? request.prior.attributes : Value::Map{};
  bool replace = false;
  for (const auto& [name, desired] : request.desired) {
    if (name == "absent") continue;
    Value after = desired;
    if (IsSensitiveAttribute(name)) after.MarkSensitive();
    auto before_it = request.prior.attributes.find(name);
    Value before = before_it == request.prior.attributes.end() ? Value() : before_it->second;
    change.after.attributes[name] = after;
    if (request.prior.exists && before == after && !after.is_unknown()) continue;
    bool forces = name == "replace_me" && request.prior.exists;
    replace = replace || forces;
    change.attributes.push_back({name, before, after, forces, IsSensitiveAttribute(name)});
  }
  if (!request.prior.exists) {
    change.action = ChangeAction::kCreate;
  } else if (change.attributes.empty()) {
    change.action = ChangeAction::kNone;
  } else {
    change.action = replace ? ChangeAction::kReplace : ChangeAction::kUpdate;
  }
  return result;
}

PrepareResult FakeProvider::Prepare(const Operation& operation, ProviderContext&) {
  PrepareResult result;
  if (operation.kind == Operation::Kind::kAction) {
    std::string label = LabelOf(operation.resource.config);
    Record("Prepare " + label);
    if (ShouldFail("Prepare", label)) {
      result.error = InjectedError("Prepare", label);
      return result;
    }
    auto undo = operation.resource.config.find("undo");
    result.reversible = undo != operation.resource.config.end() && undo->second.is_string() &&
                        !undo->second.as_string().empty();
    result.undo = Value(Value::Map{{"label", label},
                                   {"undo", result.reversible ? undo->second : Value()}});
    return result;
  }
  std::string target = TargetOf(operation.resource);
  Record("Prepare " + target);
  if (ShouldFail("Prepare", target)) {
    result.error = InjectedError("Prepare", target);
    return result;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = things.find(target);
  result.undo = it == things.end() ? RecordOf(false, {}) : RecordOf(true, it->second);
  return result;
}

ApplyResult FakeProvider::Apply(const Operation& operation, const Value&,
                                ProviderContext& context) {
  ApplyResult result;
  bool is_action = operation.kind == Operation::Kind::kAction;
  std::string verb = is_action ? "Run" : "Apply";
  std::string target =
      is_action ? LabelOf(operation.resource.config) : TargetOf(operation.resource);
  if (context.write_ahead) {
    Record("Stage " + target);
    // Asked twice, going by the second answer, as a provider with two ways to its first change
    // may: there must be one sync only, and the second answer must be the first's.
    context.write_ahead();
    if (std::string error = context.write_ahead(); !error.empty()) {
      result.error = error;
      return result;
    }
  }
  Record(verb + " " + target);
  if (context.progress) {
    // Once from the calling thread, once from a thread of the provider's own (as s3.migrate's
    // workers do).
    context.progress(verb + " " + target + ": started");
    std::thread([&context, &verb, &target] { context.progress(verb + " " + target + ": half"); })
        .join();
  }
  {
    InProgress in_progress(busy_, max_concurrent_);
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
  }
  if (ShouldFail(verb, target)) {
    result.error = InjectedError(verb, target);
    return result;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (is_action) {
    actions_run.push_back(target);
    result.output = Value(Value::Map{{"label", target}});
    return result;
  }
  const State& after = operation.change.after;
  if (after.exists) {
    things[target] = after.attributes;
  } else {
    things.erase(target);
  }
  result.state = after;
  return result;
}

bool FakeProvider::DefersWriteAhead(const Operation& operation) const {
  return defers_write_ahead_ && operation.kind == Operation::Kind::kChange;
}

ReverseResult FakeProvider::Reverse(const ReverseRequest& request, ProviderContext&) {
  ReverseResult result;
  InProgress in_progress(reversing_, max_reversing_);
  if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
  if (request.kind == Operation::Kind::kAction) {
    std::string label = request.undo.GetString("label");
    Record("ReverseRun " + label);
    if (ShouldFail("ReverseRun", label)) {
      result.error = InjectedError("ReverseRun", label);
      return result;
    }
    if (!request.undo.Get("undo").is_string()) {
      result.error = "action " + label + " has no undo";
      return result;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find(actions_run.rbegin(), actions_run.rend(), label);
    if (it != actions_run.rend()) actions_run.erase(std::next(it).base());
    return result;
  }
  std::string target = TargetOf(request.resource);
  Record("Reverse " + target);
  if (ShouldFail("Reverse", target)) {
    result.error = InjectedError("Reverse", target);
    return result;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (request.undo.Get("existed").IsTrue()) {
    const Value& attributes = request.undo.Get("attributes");
    things[target] = attributes.is_map() ? attributes.as_map() : Value::Map{};
    result.state.exists = true;
    result.state.attributes = things[target];
  } else {
    things.erase(target);
  }
  return result;
}

namespace {

std::string ReleaseTarget(const ReverseRequest& request) {
  return request.kind == Operation::Kind::kAction ? request.undo.GetString("label")
                                                  : TargetOf(request.resource);
}

}  // namespace

std::string FakeProvider::CheckReverse(const ReverseRequest& request, ProviderContext&) {
  std::string target = ReleaseTarget(request);
  return ShouldFail("CheckReverse", target) ? InjectedError("CheckReverse", target) : "";
}

bool FakeProvider::KeepsAside(const ReverseRequest& request) const {
  std::lock_guard<std::mutex> guard(mutex_);
  return keeps_nothing_.count(ReleaseTarget(request)) == 0;
}

std::string FakeProvider::Release(const ReverseRequest& request, ProviderContext&) {
  std::string target = ReleaseTarget(request);
  Record("Release " + target);
  return ShouldFail("Release", target) ? InjectedError("Release", target) : "";
}

SnapshotResult FakeProvider::Snapshot(const ResourceConfig& resource, const Value::Map&,
                                      bool estimate_only, ProviderContext&) {
  std::string target = TargetOf(resource);
  std::string verb = estimate_only ? "Estimate" : "Snapshot";
  Record(verb + " " + target);
  SnapshotResult result;
  if (ShouldFail(verb, target)) {
    result.error = InjectedError(verb, target);
    return result;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = things.find(target);
  Value::Map attributes = it == things.end() ? Value::Map{} : it->second;
  // The size of the attributes as displayed: enough to see estimates flow into the plan.
  result.estimated_bytes = static_cast<long long>(Value(attributes).ToDisplayRevealed().size());
  if (!estimate_only) result.record = RecordOf(it != things.end(), attributes);
  return result;
}

std::string FakeProvider::Restore(const ResourceConfig& resource, const Value& record,
                                  ProviderContext&) {
  std::string target = TargetOf(resource);
  Record("Restore " + target);
  if (ShouldFail("Restore", target)) return InjectedError("Restore", target);
  std::lock_guard<std::mutex> lock(mutex_);
  if (record.Get("existed").IsTrue()) {
    const Value& attributes = record.Get("attributes");
    things[target] = attributes.is_map() ? attributes.as_map() : Value::Map{};
  } else {
    things.erase(target);
  }
  return "";
}

CallResult FakeProvider::Call(const std::string& name, const std::vector<Value>& args,
                              ProviderContext&) {
  Record("Call " + name);
  CallResult result;
  if (ShouldFail("Call", name)) {
    result.error = InjectedError("Call", name);
    return result;
  }
  if (name != "fake.value") {
    result.error = "unknown function " + name;
    return result;
  }
  if (args.size() != 1 || !args[0].is_string()) {
    result.error = "fake.value takes one string argument";
    return result;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = things.find(args[0].as_string());
  if (it != things.end()) {
    auto value = it->second.find("value");
    if (value != it->second.end()) result.value = value->second;
  }
  return result;
}

void FakeProvider::FailOn(const std::string& verb, const std::string& target) {
  std::lock_guard<std::mutex> lock(mutex_);
  failures_.insert({verb, target});
}

std::vector<std::string> FakeProvider::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

void FakeProvider::Record(const std::string& call) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(call);
  }
  if (on_call_) on_call_(call);
}

bool FakeProvider::ShouldFail(const std::string& verb, const std::string& target) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failures_.count({verb, target}) > 0 || failures_.count({verb, "*"}) > 0;
}

}  // namespace upgrade::testing
