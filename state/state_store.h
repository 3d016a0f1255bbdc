// The local state store: `state.json` in the state directory, the record of every resource
// upgrade manages and the state it last observed. Written atomically, with a serial that grows
// by one on every write and a lineage that names the store for its whole life.
#pragma once

#include <map>
#include <string>

#include "providers/provider.h"

namespace upgrade {

/// One managed resource as state.json records it. Sensitive attributes are kept only as
/// digests (`{"$sensitive": "sha256:..."}`), so drift is still seen and secrets never stored.
struct ManagedResource {
  std::string type;        ///< "fs.file"
  State state;             ///< as last observed (after the last change upgrade made)
  std::string run_id;      ///< the run that last observed it
  std::string updated_at;  ///< RFC 3339, UTC
};

/// The content of state.json.
struct StateFile {
  static constexpr int kFormatVersion = 1;

  int format_version = kFormatVersion;
  long long serial = 0;  ///< 0: never written; every save adds one
  std::string lineage;   ///< a random id fixed when the store is first written
  std::map<std::string, ManagedResource> resources;  ///< by resource (instance) name
  /// SHA-256 of the text this was loaded from or last saved as ("" when there was none): Save
  /// compares it with the file to see that nobody wrote the file in between.
  std::string text_digest;
};

/// Reads and writes state.json in one state directory.
class StateStore {
 public:
  explicit StateStore(std::string dir);

  const std::string& dir() const { return dir_; }
  std::string StatePath() const { return dir_ + "/state.json"; }

  /// Loads state.json into `*state`. A missing file gives an empty state with a fresh lineage.
  /// A corrupt file or one of a newer format is refused (false, `*error` says why) and is
  /// never overwritten afterwards by Save.
  bool Load(StateFile* state, std::string* error) const;

  /// Writes `*state` atomically with its serial one above what is on disk. Refuses (false) when
  /// the file on disk is unreadable, newer, of another lineage, or was written by someone else
  /// since `*state` was loaded (its serial moved on).
  bool Save(StateFile* state, std::string* error);

 private:
  std::string dir_;
};

/// Encodes and decodes state.json's text (exposed for tests and `upgrade state show`).
std::string StateFileToText(const StateFile& state);
bool StateFileFromText(const std::string& text, const std::string& path, StateFile* state,
                       std::string* error);

/// A random hex id of `bytes` bytes (lineages, run ids).
std::string RandomHex(int bytes);

}  // namespace upgrade
