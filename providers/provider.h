// The one interface every provider implements (fs, http, exec, postgres, docker, s3), and the
// request/response types that cross it. Nothing is thrown across it: every response carries an
// `error` (empty when all went well). Core relays undo records and private data unread.
//
// The life of one change, as the executor drives it:
//
//   Read ─▶ Diff ─▶ (journal: intent) ─▶ Prepare ─▶ (journal: undo) ─▶ Apply ─▶ (journal: done)
//
// `Prepare` captures everything needed to put the resource back *before* anything changes,
// and the journal holds that undo record before `Apply` starts. So after a crash at any point
// `Reverse(undo)` can restore the resource, whether Apply ran fully, partly or not at all:
// Reverse must be idempotent. When the whole run succeeds, `Release` lets go of what undo
// records kept aside (an old container, say); until then rollback is instant.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lang/schema.h"
#include "lang/value.h"

namespace spdlog {
class logger;
}

namespace upgrade {

/// A resource as the plan declares it: its type, its name in the plan and its evaluated
/// configuration (the `resource` block, identity attributes included).
struct ResourceConfig {
  std::string type;  ///< "fs.file"
  std::string name;  ///< "compose", or `node["a"]` for an instance of a for_each resource
  Value::Map config;
};

/// What a resource is like on the real system. `exists == false` means absent, and then
/// `attributes` is empty.
struct State {
  bool exists = false;
  Value::Map attributes;

  bool operator==(const State& other) const {
    return exists == other.exists && attributes == other.attributes;
  }
};

/// What a change does to one resource, in terraform's words.
enum class ChangeAction {
  kNone,     ///< already as desired
  kCreate,   ///< `+`
  kUpdate,   ///< `~` in place
  kReplace,  ///< `-/+` removed and made anew (or recreated, for containers)
  kDelete,   ///< `-`
};

/// One attribute that differs.
struct AttributeChange {
  std::string name;
  Value before;  ///< null when it had none
  Value after;   ///< may be unknown (`(known after apply)`)
  bool forces_replacement = false;
  bool sensitive = false;  ///< shown as "(sensitive value)"
};

/// The planned change to one resource: the answer of `Diff`, the input of `Apply`.
struct Change {
  ChangeAction action = ChangeAction::kNone;
  std::vector<AttributeChange> attributes;  ///< only those that differ, sorted by name
  State before;
  State after;               ///< the planned state; unknown attributes marked so
  Value private_data;        ///< the provider's own, relayed from Diff to Apply unread
  std::vector<std::string> notes;  ///< shown under the change, e.g. "needs a server restart"
};

/// One thing the executor asks a provider to do: change a resource, or run an action.
struct Operation {
  enum class Kind { kChange, kAction };
  Kind kind = Kind::kChange;
  ResourceConfig resource;  ///< kChange: the resource; kAction: type is the action's, config its
                            ///< evaluated attributes, name the step's
  Change change;            ///< kChange only
};

/// A content-addressed store for bytes that undo records and snapshots refer to (previous
/// file contents, database dumps, tarballs). Blobs are named "sha256:<hex>".
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  /// Stores `bytes`; returns the blob name, or nullopt and sets `*error`.
  virtual std::optional<std::string> PutBytes(const std::string& bytes, std::string* error) = 0;
  /// Moves the file at `path` (on the store's file system, e.g. from NewTempPath) into the store.
  virtual std::optional<std::string> AdoptFile(const std::string& path, std::string* error) = 0;
  /// A fresh path in the store's own file system, for a provider that writes a blob itself.
  virtual std::string NewTempPath() = 0;
  /// Where blob `name` lives on disk (for reading or streaming); empty when there is none.
  virtual std::string PathOf(const std::string& name) const = 0;
  /// The bytes of blob `name`, or nullopt and `*error`.
  virtual std::optional<std::string> GetBytes(const std::string& name, std::string* error) const = 0;
};

/// Makes the operation's undo record durable in the journal; an error text, empty on success.
using WriteAhead = std::function<std::string()>;

/// What a provider may use while working for one run.
struct ProviderContext {
  BlobStore* blobs = nullptr;
  spdlog::logger* log = nullptr;  ///< the run's log; never give it a sensitive value
  std::string run_id;
  /// The directory of the plan file: relative paths in attributes (a migrations `dir`)
  /// resolve against it. Empty: the working directory.
  std::string base_dir;
  /// Reports progress of a long operation ("412 of 1000 objects, 3.1 MB"); may be empty.
  std::function<void(const std::string&)> progress;
  const std::atomic<bool>* cancelled = nullptr;  ///< set when the operator interrupts
  /// Set during `Apply` for a provider whose `DefersWriteAhead` is true: it calls this after
  /// the work that changes nothing (a staged temp file) and before its first change; when it
  /// answers an error, the provider changes nothing and returns that error. Only the first
  /// call syncs; a later one answers as the first did.
  WriteAhead write_ahead;
};

/// The answer of `Read`.
struct ReadResult {
  State state;
  std::string error;
};

/// The question of `Diff`: the state a resource will have at this point of the plan and the
/// attributes a step sets.
struct DiffRequest {
  ResourceConfig resource;
  State prior;
  Value::Map desired;  ///< the `set` block's evaluated attributes; `absent = true` to delete
};

/// The answer of `Diff`.
struct DiffResult {
  Change change;
  std::string error;
};

/// The answer of `Prepare`: the undo record, written to the journal before `Apply` starts.
struct PrepareResult {
  Value undo;
  bool reversible = true;  ///< false: nothing can put this back (an action without `undo`)
  std::string error;
};

/// The answer of `Apply`.
struct ApplyResult {
  State state;         ///< the resource after the change (kChange)
  Value output;        ///< what an action returns (kAction), e.g. {exit_code, stdout}
  Value undo;          ///< a refined undo record (e.g. the new container's id); null: keep
  std::string error;
};

/// The question of `Reverse` and `Release`.
struct ReverseRequest {
  Operation::Kind kind = Operation::Kind::kChange;
  ResourceConfig resource;
  Value undo;
};

/// The answer of `Reverse`.
struct ReverseResult {
  State state;  ///< the resource as it is now, put back
  std::string error;
};

/// The answer of `Snapshot`: a record that `Restore` takes back, opaque to core.
struct SnapshotResult {
  Value record;
  long long estimated_bytes = -1;  ///< for the plan (estimate_only); -1 when not known
  std::string error;
};

/// The answer of a function call.
struct CallResult {
  Value value;
  std::string error;
  /// The error is the same however often the call is made (its provider could not be
  /// loaded), so a verify fails at once instead of retrying it until its `within`.
  bool lasting = false;
};

/// A family of resource types, actions and functions under one namespace ("fs", "docker").
/// Read and Diff never change anything; Diff is pure. Only the executor calls the verbs that
/// change things, and only with an undo record already in the journal.
class Provider {
 public:
  virtual ~Provider() = default;

  /// The namespace, e.g. "docker": it owns every type and function named "docker.*".
  virtual std::string Name() const = 0;
  /// Adds its resource types, actions and functions to `registry`.
  virtual void Describe(SchemaRegistry& registry) const = 0;

  /// Default (a provider of actions or functions only): it has no resource type to read.
  virtual ReadResult Read(const ResourceConfig& resource, ProviderContext& context);
  /// Default: as Read's, it has no resource type to diff.
  virtual DiffResult Diff(const DiffRequest& request) const;
  virtual PrepareResult Prepare(const Operation& operation, ProviderContext& context) = 0;
  virtual ApplyResult Apply(const Operation& operation, const Value& undo,
                            ProviderContext& context) = 0;
  /// Whether `Apply` of `operation` calls `context.write_ahead` itself, before its first
  /// change, so that staging work overlaps the journal's sync. Default: no, the undo record is
  /// durable before `Apply` is called.
  virtual bool DefersWriteAhead(const Operation& operation) const {
    (void)operation;
    return false;
  }
  virtual ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) = 0;

  /// Whether `request.undo` kept something aside for `Release` to let go of; when not, the
  /// executor neither calls Release nor journals a release. Default: no.
  virtual bool KeepsAside(const ReverseRequest& request) const {
    (void)request;
    return false;
  }
  /// Before a rollback starts, reading only: why `Reverse(request)` cannot succeed now because
  /// what it needs is gone (let go of by Release, removed by hand), or empty. Default: nothing
  /// stands in the way.
  virtual std::string CheckReverse(const ReverseRequest& request, ProviderContext& context);
  /// The run succeeded: let go of what `request.undo` kept aside. Default: nothing to do.
  virtual std::string Release(const ReverseRequest& request, ProviderContext& context);

  /// Captures data of `resource` so `Restore` can bring it back; with `estimate_only`, only
  /// estimates its size for the plan. Default: not supported.
  virtual SnapshotResult Snapshot(const ResourceConfig& resource, const Value::Map& options,
                                  bool estimate_only, ProviderContext& context);
  /// Brings back what `record` captured. Returns an error text, empty on success.
  virtual std::string Restore(const ResourceConfig& resource, const Value& record,
                              ProviderContext& context);

  /// Runs read-only function `name` ("http.get") for `require`/`verify`. Default: unknown.
  virtual CallResult Call(const std::string& name, const std::vector<Value>& args,
                          ProviderContext& context);
};

/// The text of an action, for the `+ ~ - -/+` plan symbols: "create", "update", ...
const char* ChangeActionName(ChangeAction action);

}  // namespace upgrade
