// Getting back the sensitive values a run keeps only as digests, for `upgrade rollback` and
// `upgrade apply --resume` in a new process.
//
// state.json, the journal and runs/<id>/plan.json hold every secret as its digest
// (`{"$sensitive": "sha256:..."}`). A later process evaluates the run's program again from the
// sources plan.json keeps, with the inputs given now (`--var`, `--var-file`; defaults, so an
// `env()` default is read from the environment again), and puts a re-evaluated value in place
// of a digest only where its own digest is the same, so a different secret is never used.
// Undo records get back a secret that came from the configuration (an exec.command's env, say);
// one that did not stays a digest.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "executor/journal.h"
#include "planner/plan.h"

namespace upgrade {

class ProviderRegistry;

/// What restoring the secrets of a run needs to know.
struct SecretRestoreOptions {
  /// Inputs from `--var` / `--var-file`, typed.
  std::map<std::string, Value> given;
  /// Resuming: the remaining steps use every input, so each sensitive input is needed. Rolling
  /// back needs only those that reach an operation the rollback reverses.
  bool resuming = false;
};

/// Puts the real sensitive values back into `plan` (its inputs and resource configurations) and
/// into `records` (the configurations of intents, and undo records), in memory only. Returns an
/// error text (empty on success) when a needed secret cannot be had or differs from the one the
/// run used; then nothing in `plan` or `records` is to be used. Notes for the operator (values
/// that could not be evaluated again and stay digests) go to `warnings`.
std::string RestoreSecrets(Plan& plan, std::vector<JournalRecord>& records,
                           const SecretRestoreOptions& options, const ProviderRegistry& providers,
                           std::vector<std::string>* warnings);

}  // namespace upgrade
