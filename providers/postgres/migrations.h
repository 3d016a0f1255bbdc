// Versioned migration files and the pure planning of which run, in which direction, to reach
// a target version. Files are `<version>_<name>.up.sql` and `<version>_<name>.down.sql`
// (version: digits, compared as numbers); a file with a line `-- upgrade:no-transaction`
// runs outside a transaction.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace upgrade::postgres {

/// One version's files in a migrations directory.
struct MigrationFile {
  std::string version;    ///< "0002", as written in the file name
  std::string name;       ///< "add_email"
  std::string up_path;    ///< the directory joined with the file name
  std::string down_path;  ///< empty when there is no down file
  std::string checksum;   ///< "sha256:<hex>" of the up file's bytes
  bool up_no_transaction = false;
  bool down_no_transaction = false;

  std::string Label() const { return version + "_" + name; }
};

/// Lists `dir`'s migrations in version order. Files not ending in `.sql` are ignored; a `.sql`
/// file not named as above, two files for one version, or a down file without its up file is
/// an error naming the file.
bool LoadMigrations(const std::string& dir, std::vector<MigrationFile>* files,
                    std::string* error);

/// -1, 0 or 1 as version `a` sorts before, with or after `b` (numerically: "10" > "9",
/// "0002" == "2").
int CompareVersions(const std::string& a, const std::string& b);

/// True when `version` means "nothing applied": "0", "none" or "".
bool IsZeroVersion(const std::string& version);

/// One migration to run.
struct MigrationStep {
  bool up = true;
  std::string version;
  std::string name;
  std::string path;  ///< the file that runs
  bool no_transaction = false;
};

/// The migrations that take a database from `applied` to `target`, in order: ups ascending
/// (any pending version at or below the target, gaps included), or downs descending.
struct MigrationPlan {
  std::vector<MigrationStep> steps;
  std::string error;
};

/// Plans reaching `target` ("latest", "0"/"none", or a version that has files) from the
/// set of `applied` versions. Going down past a version with no down file, or one whose files
/// are gone, is an error naming it.
MigrationPlan PlanMigrations(const std::vector<MigrationFile>& files,
                             const std::vector<std::string>& applied, const std::string& target);

/// The highest applied version, or "0".
std::string CurrentVersion(const std::vector<std::string>& applied);

}  // namespace upgrade::postgres
