// Migration files and their planning; see migrations.h.
#include "providers/postgres/migrations.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "lang/value_json.h"
#include "providers/postgres/sql_script.h"

namespace upgrade::postgres {
namespace {

namespace fs = std::filesystem;

bool ReadWhole(const std::string& path, std::string* bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream out;
  out << in.rdbuf();
  *bytes = out.str();
  return true;
}

// Splits "0002_add_email.up.sql" into its version, name and direction.
bool ParseFileName(const std::string& file, std::string* version, std::string* name,
                   bool* up) {
  std::string stem;
  if (file.size() > 7 && file.compare(file.size() - 7, 7, ".up.sql") == 0) {
    stem = file.substr(0, file.size() - 7);
    *up = true;
  } else if (file.size() > 9 && file.compare(file.size() - 9, 9, ".down.sql") == 0) {
    stem = file.substr(0, file.size() - 9);
    *up = false;
  } else {
    return false;
  }
  size_t underscore = stem.find('_');
  if (underscore == 0 || underscore == std::string::npos || underscore + 1 == stem.size())
    return false;
  *version = stem.substr(0, underscore);
  *name = stem.substr(underscore + 1);
  return std::all_of(version->begin(), version->end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string StripZeros(const std::string& version) {
  size_t first = version.find_first_not_of('0');
  return first == std::string::npos ? "" : version.substr(first);
}

// Adds one file to `by_version`, or explains why it cannot be.
bool AddFile(const std::string& dir, const std::string& file,
             std::map<std::string, MigrationFile, bool (*)(const std::string&,
                                                           const std::string&)>& by_version,
             std::string* error) {
  std::string path = (fs::path(dir) / file).string();
  std::string version, name;
  bool up = true;
  if (!ParseFileName(file, &version, &name, &up)) {
    *error = path + ": migration files are named <version>_<name>.up.sql or .down.sql";
    return false;
  }
  std::string bytes;
  if (!ReadWhole(path, &bytes)) {
    *error = path + ": cannot read the file";
    return false;
  }
  MigrationFile& entry = by_version[version];
  if (!entry.version.empty() && (entry.version != version || entry.name != name)) {
    *error = path + ": version " + version + " is also used by " + entry.Label();
    return false;
  }
  entry.version = version;
  entry.name = name;
  if (up) {
    entry.up_path = path;
    entry.checksum = "sha256:" + Sha256Hex(bytes);
    entry.up_no_transaction = HasNoTransactionMarker(bytes);
  } else {
    entry.down_path = path;
    entry.down_no_transaction = HasNoTransactionMarker(bytes);
  }
  return true;
}

bool VersionLess(const std::string& a, const std::string& b) { return CompareVersions(a, b) < 0; }

}  // namespace

int CompareVersions(const std::string& a, const std::string& b) {
  std::string x = StripZeros(a), y = StripZeros(b);
  if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
  int order = x.compare(y);
  return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

bool IsZeroVersion(const std::string& version) {
  return version.empty() || version == "none" ||
         (StripZeros(version).empty() &&
          std::all_of(version.begin(), version.end(), [](char c) { return c == '0'; }));
}

bool LoadMigrations(const std::string& dir, std::vector<MigrationFile>* files,
                    std::string* error) {
  std::error_code code;
  if (!fs::is_directory(dir, code)) {
    *error = "migrations directory " + dir + " does not exist";
    return false;
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, code))
    if (entry.path().extension() == ".sql") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  std::map<std::string, MigrationFile, bool (*)(const std::string&, const std::string&)>
      by_version(VersionLess);
  for (const auto& name : names)
    if (!AddFile(dir, name, by_version, error)) return false;
  files->clear();
  for (auto& [version, file] : by_version) {
    if (file.up_path.empty()) {
      *error = file.down_path + ": down migration without its up file";
      return false;
    }
    files->push_back(std::move(file));
  }
  return true;
}

std::string CurrentVersion(const std::vector<std::string>& applied) {
  std::string current = "0";
  for (const auto& version : applied)
    if (CompareVersions(version, current) > 0) current = version;
  return current;
}

MigrationPlan PlanMigrations(const std::vector<MigrationFile>& files,
                             const std::vector<std::string>& applied,
                             const std::string& target_text) {
  MigrationPlan plan;
  std::string target = target_text;
  if (target == "latest") target = files.empty() ? "0" : files.back().version;
  auto has_file = [&](const std::string& version) {
    return std::any_of(files.begin(), files.end(), [&](const MigrationFile& f) {
      return CompareVersions(f.version, version) == 0;
    });
  };
  if (!IsZeroVersion(target) && !has_file(target)) {
    plan.error = "no migration has version " + target;
    return plan;
  }
  auto is_applied = [&](const std::string& version) {
    return std::any_of(applied.begin(), applied.end(), [&](const std::string& a) {
      return CompareVersions(a, version) == 0;
    });
  };
  std::vector<std::string> down = applied;
  std::sort(down.begin(), down.end(), [](const std::string& a, const std::string& b) {
    return CompareVersions(a, b) > 0;
  });
  for (const auto& version : down) {
    if (!IsZeroVersion(target) && CompareVersions(version, target) <= 0) continue;
    auto file = std::find_if(files.begin(), files.end(), [&](const MigrationFile& f) {
      return CompareVersions(f.version, version) == 0;
    });
    if (file == files.end()) {
      plan.error = "applied migration " + version + " has no file: cannot migrate down past it";
      return plan;
    }
    if (file->down_path.empty()) {
      plan.error = "migration " + file->Label() + " has no down file: cannot migrate down past it";
      return plan;
    }
    plan.steps.push_back({false, file->version, file->name, file->down_path,
                          file->down_no_transaction});
  }
  // Downs first: a database ahead of the target goes back before pending ones go up.
  for (const auto& file : files)
    if (!IsZeroVersion(target) && CompareVersions(file.version, target) <= 0 &&
        !is_applied(file.version))
      plan.steps.push_back({true, file.version, file.name, file.up_path, file.up_no_transaction});
  return plan;
}

}  // namespace upgrade::postgres
