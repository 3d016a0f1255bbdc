// The postgres.migrations resource type; see migrations_resource.h.
//
// State attributes: `version` (highest applied, "0" when none), `applied` (versions),
// `resolved_dir` (`dir`, a relative one joined to the plan file's directory),
// `available` (the files: version, name, checksum, down, no_transaction flags), `latest`.
// The undo record keeps the SQL that puts each migration back (in one blob), so a rollback runs
// exactly what was planned even if the files change meanwhile.
#include "providers/postgres/migrations_resource.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "lang/value_json.h"
#include "providers/postgres/dsn.h"
#include "providers/postgres/migrations.h"
#include "providers/postgres/pg_session.h"
#include "providers/postgres/script_runner.h"

namespace upgrade::postgres {
namespace {

// One row of the migrations table.
struct AppliedRow {
  std::string version;
  std::string name;
  std::string checksum;
};

// The migrations table of one database, over one session.
class Ledger {
 public:
  Ledger(PgSession& session, std::string table) : session_(session), table_(std::move(table)) {}

  bool Exists(bool* exists, std::string* error) {
    SqlError sql_error;
    auto rows = session_.Query("SELECT to_regclass($1) IS NOT NULL", {QuoteQualified(table_)},
                               &sql_error);
    if (!rows) return Fail(sql_error, error);
    *exists = (*rows)[0][0].value_or("f") == "t";
    return true;
  }

  bool ReadRows(std::vector<AppliedRow>* rows_out, std::string* error) {
    bool exists = false;
    if (!Exists(&exists, error)) return false;
    rows_out->clear();
    if (!exists) return true;
    SqlError sql_error;
    auto rows = session_.Query("SELECT version, name, checksum FROM " + QuoteQualified(table_),
                               {}, &sql_error);
    if (!rows) return Fail(sql_error, error);
    for (const auto& row : *rows)
      rows_out->push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or("")});
    return true;
  }

  bool Create(std::string* error) {
    SqlError sql_error;
    if (session_.Exec("CREATE TABLE IF NOT EXISTS " + QuoteQualified(table_) +
                          " (version text PRIMARY KEY, name text NOT NULL,"
                          " checksum text NOT NULL,"
                          " applied_at timestamptz NOT NULL DEFAULT now())",
                      &sql_error))
      return true;
    return Fail(sql_error, error);
  }

  // Waits up to a minute for the advisory lock that serializes migrations of this table.
  bool Lock(std::string* error) {
    SqlError sql_error;
    bool ok = session_.Exec("SET lock_timeout = '60s'", &sql_error) &&
              session_.Query("SELECT pg_advisory_lock(1970300786, hashtext($1))", {table_},
                             &sql_error) &&
              session_.Exec("RESET lock_timeout", &sql_error);
    if (ok) return true;
    *error = "cannot take the migrations lock (another run holds it?): " + sql_error.message;
    return false;
  }

  void Unlock() {
    SqlError ignored;
    session_.Query("SELECT pg_advisory_unlock(1970300786, hashtext($1))", {table_}, &ignored);
  }

  std::string Record(const std::string& version, const std::string& name,
                     const std::string& checksum) {
    SqlError sql_error;
    if (session_.Query("INSERT INTO " + QuoteQualified(table_) +
                           " (version, name, checksum) VALUES ($1, $2, $3)",
                       {version, name, checksum}, &sql_error))
      return "";
    return "recording migration " + version + " failed: " + sql_error.message;
  }

  std::string Forget(const std::string& version) {
    SqlError sql_error;
    if (session_.Query("DELETE FROM " + QuoteQualified(table_) + " WHERE version = $1",
                       {version}, &sql_error))
      return "";
    return "unrecording migration " + version + " failed: " + sql_error.message;
  }

 private:
  bool Fail(const SqlError& sql_error, std::string* error) {
    *error = "migrations table " + table_ + ": " + sql_error.message;
    return false;
  }

  PgSession& session_;
  std::string table_;
};

bool ReadWhole(const std::string& path, std::string* bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream out;
  out << in.rdbuf();
  *bytes = out.str();
  return true;
}

Value::List StringList(const std::vector<std::string>& items) {
  Value::List list;
  for (const auto& item : items) list.push_back(item);
  return list;
}

std::vector<std::string> Strings(const Value& list) {
  std::vector<std::string> out;
  if (list.is_list())
    for (const auto& item : list.as_list())
      if (item.is_string()) out.push_back(item.as_string());
  return out;
}

bool Contains(const std::vector<std::string>& versions, const std::string& version) {
  return std::any_of(versions.begin(), versions.end(),
                     [&](const std::string& v) { return CompareVersions(v, version) == 0; });
}

// The migrations directory; a relative one is taken from the plan file's directory.
std::string Dir(const Value::Map& config, const ProviderContext& context) {
  std::string dir = StringAttr(config, "dir");
  if (dir.empty() || dir[0] == '/' || context.base_dir.empty()) return dir;
  return (std::filesystem::path(context.base_dir) / dir).lexically_normal().string();
}

// An applied migration whose up file no longer has the checksum it was applied with.
std::string CheckChecksums(const std::vector<MigrationFile>& files,
                           const std::vector<AppliedRow>& rows) {
  for (const auto& row : rows)
    for (const auto& file : files)
      if (CompareVersions(file.version, row.version) == 0 && file.checksum != row.checksum)
        return file.up_path + ": migration " + file.Label() +
               " was changed after it was applied (applied " + row.checksum + ", now " +
               file.checksum + ")";
  return "";
}

State MakeState(const Value::Map& config, const std::string& dir,
                const std::vector<MigrationFile>& files,
                const std::vector<std::string>& applied) {
  State state;
  state.exists = true;
  Value::List available;
  for (const auto& file : files)
    available.push_back(Value::Map{{"version", file.version},
                                   {"name", file.name},
                                   {"checksum", file.checksum},
                                   {"down", !file.down_path.empty()},
                                   {"up_no_transaction", file.up_no_transaction},
                                   {"down_no_transaction", file.down_no_transaction}});
  std::vector<std::string> sorted = applied;
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& a, const std::string& b) { return CompareVersions(a, b) < 0; });
  state.attributes = {{"resolved_dir", dir},
                      {"table", MigrationsTable(config)},
                      {"version", CurrentVersion(applied)},
                      {"applied", StringList(sorted)},
                      {"available", available},
                      {"latest", files.empty() ? "0" : files.back().version}};
  return state;
}

// The files as the state recorded them, with paths under the configured directory.
std::vector<MigrationFile> FilesOf(const State& state, const std::string& dir) {
  std::vector<MigrationFile> files;
  auto it = state.attributes.find("available");
  if (it == state.attributes.end() || !it->second.is_list()) return files;
  for (const auto& entry : it->second.as_list()) {
    MigrationFile file;
    file.version = entry.GetString("version");
    file.name = entry.GetString("name");
    file.checksum = entry.GetString("checksum");
    file.up_path = (std::filesystem::path(dir) / (file.Label() + ".up.sql")).string();
    if (entry.Get("down").IsTrue())
      file.down_path = (std::filesystem::path(dir) / (file.Label() + ".down.sql")).string();
    file.up_no_transaction = entry.Get("up_no_transaction").IsTrue();
    file.down_no_transaction = entry.Get("down_no_transaction").IsTrue();
    files.push_back(file);
  }
  return files;
}

// Reads files and the table over `session` into a state.
bool ReadStateWith(PgSession& session, const Value::Map& config, const ProviderContext& context,
                   State* state, std::string* error) {
  std::vector<MigrationFile> files;
  if (!LoadMigrations(Dir(config, context), &files, error)) return false;
  std::vector<AppliedRow> rows;
  Ledger ledger(session, MigrationsTable(config));
  if (!ledger.ReadRows(&rows, error)) return false;
  if (std::string changed = CheckChecksums(files, rows); !changed.empty()) {
    *error = changed;
    return false;
  }
  std::vector<std::string> applied;
  for (const auto& row : rows) applied.push_back(row.version);
  *state = MakeState(config, Dir(config, context), files, applied);
  return true;
}

std::unique_ptr<PgSession> Open(const Value::Map& config, std::string* error) {
  std::string dsn = TargetDsn(config, error);
  if (dsn.empty()) return nullptr;
  return PgSession::Connect(dsn, error);
}

// Runs one migration file's SQL and records (or unrecords) it in the same transaction.
std::string RunMigration(PgSession& session, Ledger& ledger, const std::string& label,
                         const std::string& sql, bool up, bool no_transaction,
                         const std::string& version, const std::string& name,
                         const std::string& checksum) {
  auto record = [&](PgSession&) {
    return up ? ledger.Record(version, name, checksum) : ledger.Forget(version);
  };
  ScriptOptions options;
  options.label = label;
  options.transactional = !no_transaction;
  if (!no_transaction) options.before_commit = record;
  std::string error = RunScript(session, sql, options);
  if (error.empty() && no_transaction) error = record(session);
  return error;
}

void Report(ProviderContext& context, const std::string& message) {
  if (context.progress) context.progress(message);
}

// The SQL that undoes each migration, by version: kept in one blob (one write to the store
// however many migrations run), or inline in the undo record when there is no store.
class UndoScripts {
 public:
  void Add(const std::string& version, const std::string& sql) { scripts_[version] = sql; }

  // Stores the scripts; returns what the undo record keeps under "scripts".
  std::optional<Value> Keep(ProviderContext& context, std::string* error) const {
    if (context.blobs == nullptr) {
      Value::Map inline_scripts;
      for (const auto& [version, sql] : scripts_) inline_scripts[version] = sql;
      return Value(inline_scripts);
    }
    auto blob = context.blobs->PutBytes(nlohmann::json(scripts_).dump(), error);
    if (!blob) return std::nullopt;
    return Value(*blob);
  }

  // Loads what Keep stored.
  bool Load(const Value& kept, ProviderContext& context, std::string* error) {
    if (kept.is_map()) {
      for (const auto& [version, sql] : kept.as_map()) scripts_[version] = sql.ToInterpolation();
      return true;
    }
    if (!kept.is_string()) return true;
    if (context.blobs == nullptr) {
      *error = "no blob store to read the undo scripts from";
      return false;
    }
    auto bytes = context.blobs->GetBytes(kept.as_string(), error);
    if (!bytes) return false;
    auto json = nlohmann::json::parse(*bytes, nullptr, false);
    if (!json.is_object()) {
      *error = "undo scripts " + kept.as_string() + " are damaged";
      return false;
    }
    for (const auto& [version, sql] : json.items()) scripts_[version] = sql.get<std::string>();
    return true;
  }

  const std::string* Find(const std::string& version) const {
    auto it = scripts_.find(version);
    return it == scripts_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, std::string> scripts_;
};

}  // namespace

std::string MigrationsTable(const Value::Map& config) {
  return StringAttr(config, "table", "upgrade_migrations");
}

void MigrationsResource::Describe(SchemaRegistry& registry) const {
  ResourceTypeSchema schema;
  schema.type = Type();
  schema.description = "versioned up/down SQL migrations applied to one database";
  schema.snapshot = true;
  schema.attributes = {
      {"database", AttrType::kResource, false, true, false, false, false,
       "the postgres.database to migrate"},
      {"url", AttrType::kString, false, true, false, false, false,
       "connection string, when no `database` is given"},
      {"dir", AttrType::kString, true, true, false, false, false,
       "directory of <version>_<name>.up.sql / .down.sql files"},
      {"table", AttrType::kString, false, true, false, false, false,
       "table recording applied migrations (default upgrade_migrations)"},
      {"version", AttrType::kString, false, false, false, false, false,
       "target version: a file's version, \"latest\", or \"0\" for none"},
      {"applied", AttrType::kList, false, false, false, false, true, "applied versions"},
      {"available", AttrType::kList, false, false, false, false, true, "migration files"},
      {"latest", AttrType::kString, false, false, false, false, true, "highest file version"},
      {"resolved_dir", AttrType::kString, false, false, false, false, true,
       "the directory, relative ones taken from the plan file's directory"},
  };
  registry.AddResource(schema);
}

ReadResult MigrationsResource::Read(const ResourceConfig& resource, ProviderContext& context) {
  ReadResult result;
  auto session = Open(resource.config, &result.error);
  if (!session) return result;
  ReadStateWith(*session, resource.config, context, &result.state, &result.error);
  return result;
}

DiffResult MigrationsResource::Diff(const DiffRequest& request) const {
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  change.after = request.prior;
  Value target = DesiredAttr(request, "version");
  if (target.is_null()) return result;
  if (!target.is_string()) {
    result.error = "version must be a string known at plan time, such as \"0007\"";
    return result;
  }
  std::string dir = StringAttr(request.prior.attributes, "resolved_dir",
                               StringAttr(request.resource.config, "dir"));
  std::vector<MigrationFile> files = FilesOf(request.prior, dir);
  std::vector<std::string> applied = Strings(request.prior.attributes.count("applied")
                                                 ? request.prior.attributes.at("applied")
                                                 : Value());
  MigrationPlan plan = PlanMigrations(files, applied, target.as_string());
  if (!plan.error.empty()) {
    result.error = plan.error + " (in " + dir + ")";
    return result;
  }
  if (plan.steps.empty()) return result;
  Value::List steps;
  for (const auto& step : plan.steps) {
    std::string checksum;
    for (const auto& file : files)
      if (file.version == step.version) checksum = file.checksum;
    if (step.up) {
      applied.push_back(step.version);
    } else {
      applied.erase(std::remove_if(applied.begin(), applied.end(),
                                   [&](const std::string& v) {
                                     return CompareVersions(v, step.version) == 0;
                                   }),
                    applied.end());
    }
    steps.push_back(Value::Map{{"up", step.up},
                               {"version", step.version},
                               {"name", step.name},
                               {"path", step.path},
                               {"checksum", checksum},
                               {"no_transaction", step.no_transaction}});
    std::string note = std::string(step.up ? "up " : "down ") + step.version + "_" + step.name;
    if (step.no_transaction) note += " (no transaction: a failure leaves what ran)";
    bool has_down = std::any_of(files.begin(), files.end(), [&](const MigrationFile& f) {
      return f.version == step.version && !f.down_path.empty();
    });
    if (step.up && !has_down) note += " (no down file: irreversible)";
    change.notes.push_back(note);
  }
  std::sort(applied.begin(), applied.end(),
            [](const std::string& a, const std::string& b) { return CompareVersions(a, b) < 0; });
  change.after.attributes["applied"] = StringList(applied);
  change.after.attributes["version"] = CurrentVersion(applied);
  change.action = ChangeAction::kUpdate;
  change.private_data = Value::Map{{"steps", steps}};
  AddAttributeChanges(change, {"applied", "version"});
  return result;
}

PrepareResult MigrationsResource::Prepare(const Operation& operation, ProviderContext& context) {
  PrepareResult result;
  const Value::Map& config = operation.resource.config;
  std::vector<MigrationFile> files;
  if (!LoadMigrations(Dir(config, context), &files, &result.error)) return result;
  auto session = Open(config, &result.error);
  if (!session) return result;
  Ledger ledger(*session, MigrationsTable(config));
  bool table_existed = false;
  std::vector<AppliedRow> rows;
  if (!ledger.Exists(&table_existed, &result.error) || !ledger.ReadRows(&rows, &result.error))
    return result;
  Value::List applied_before, entries;
  UndoScripts scripts;
  for (const auto& row : rows) applied_before.push_back(row.version);
  for (const auto& step : operation.change.private_data.Get("steps").is_list()
                              ? operation.change.private_data.Get("steps").as_list()
                              : Value::List{}) {
    bool up = step.Get("up").IsTrue();
    std::string version = step.GetString("version");
    auto file = std::find_if(files.begin(), files.end(),
                             [&](const MigrationFile& f) { return f.version == version; });
    if (file == files.end()) {
      result.error = "migration " + version + " is gone from " + Dir(config, context);
      return result;
    }
    // Undoing an up runs the down file; undoing a down runs the up file again.
    std::string path = up ? file->down_path : file->up_path;
    if (path.empty()) {
      result.reversible = false;
      continue;
    }
    std::string sql;
    if (!ReadWhole(path, &sql)) {
      result.error = path + ": cannot read the file";
      return result;
    }
    scripts.Add(version, sql);
    entries.push_back(Value::Map{
        {"up", !up},
        {"version", version},
        {"name", file->name},
        {"path", path},
        {"checksum", file->checksum},
        {"no_transaction", up ? file->down_no_transaction : file->up_no_transaction}});
  }
  auto kept = scripts.Keep(context, &result.error);
  if (!kept) return result;
  result.undo = Value::Map{{"applied_before", applied_before},
                           {"table_existed", table_existed},
                           {"entries", entries},
                           {"scripts", *kept}};
  return result;
}

ApplyResult MigrationsResource::Apply(const Operation& operation, const Value&,
                                      ProviderContext& context) {
  ApplyResult result;
  const Value::Map& config = operation.resource.config;
  auto session = Open(config, &result.error);
  if (!session) return result;
  Ledger ledger(*session, MigrationsTable(config));
  if (!ledger.Lock(&result.error)) return result;
  std::vector<AppliedRow> rows;
  if (ledger.Create(&result.error) && ledger.ReadRows(&rows, &result.error)) {
    std::vector<std::string> applied;
    for (const auto& row : rows) applied.push_back(row.version);
    const Value& steps = operation.change.private_data.Get("steps");
    size_t total = steps.is_list() ? steps.as_list().size() : 0;
    for (size_t i = 0; i < total && result.error.empty(); ++i) {
      const Value& step = steps.as_list()[i];
      bool up = step.Get("up").IsTrue();
      std::string version = step.GetString("version"), path = step.GetString("path");
      if (up == Contains(applied, version)) continue;  // already where this step leads
      if (context.cancelled != nullptr && context.cancelled->load()) {
        result.error = "interrupted before migration " + version;
        break;
      }
      std::string sql;
      if (!ReadWhole(path, &sql)) {
        result.error = path + ": cannot read the file";
        break;
      }
      if (up && "sha256:" + Sha256Hex(sql) != step.GetString("checksum")) {
        result.error = path + ": changed since the plan was made";
        break;
      }
      Report(context, std::to_string(i + 1) + " of " + std::to_string(total) + ": " +
                          (up ? "up " : "down ") + version + "_" + step.GetString("name"));
      result.error = RunMigration(*session, ledger, path, sql, up,
                                  step.Get("no_transaction").IsTrue(), version,
                                  step.GetString("name"), step.GetString("checksum"));
    }
  }
  std::string read_error;
  if (!ReadStateWith(*session, config, context, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  ledger.Unlock();
  return result;
}

ReverseResult MigrationsResource::Reverse(const ReverseRequest& request,
                                          ProviderContext& context) {
  ReverseResult result;
  const Value::Map& config = request.resource.config;
  auto session = Open(config, &result.error);
  if (!session) return result;
  Ledger ledger(*session, MigrationsTable(config));
  if (!ledger.Lock(&result.error)) return result;
  std::vector<AppliedRow> rows;
  std::vector<std::string> before = Strings(request.undo.Get("applied_before"));
  UndoScripts scripts;
  if (scripts.Load(request.undo.Get("scripts"), context, &result.error) &&
      ledger.ReadRows(&rows, &result.error)) {
    std::vector<std::string> now;
    for (const auto& row : rows) now.push_back(row.version);
    std::vector<Value> entries;
    if (request.undo.Get("entries").is_list()) entries = request.undo.Get("entries").as_list();
    // Downs newest first, then ups oldest first: the reverse of how Apply went.
    std::stable_sort(entries.begin(), entries.end(), [](const Value& a, const Value& b) {
      bool a_up = a.Get("up").IsTrue(), b_up = b.Get("up").IsTrue();
      if (a_up != b_up) return !a_up;
      int order = CompareVersions(a.GetString("version"), b.GetString("version"));
      return a_up ? order < 0 : order > 0;
    });
    for (const auto& entry : entries) {
      if (!result.error.empty()) break;
      bool up = entry.Get("up").IsTrue();
      std::string version = entry.GetString("version");
      bool wanted = Contains(before, version);
      if (Contains(now, version) == wanted || up != wanted) continue;
      const std::string* sql = scripts.Find(version);
      if (sql == nullptr) {
        result.error = "the undo record holds no script for migration " + version;
        break;
      }
      result.error = RunMigration(*session, ledger, entry.GetString("path"), *sql, up,
                                  entry.Get("no_transaction").IsTrue(), version,
                                  entry.GetString("name"), entry.GetString("checksum"));
    }
  }
  if (result.error.empty() && !request.undo.Get("table_existed").IsTrue() &&
      ledger.ReadRows(&rows, &result.error) && rows.empty()) {
    SqlError drop_error;
    if (!session->Exec("DROP TABLE IF EXISTS " + QuoteQualified(MigrationsTable(config)),
                       &drop_error))
      result.error = "dropping the migrations table failed: " + drop_error.message;
  }
  std::string read_error;
  if (!ReadStateWith(*session, config, context, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  ledger.Unlock();
  return result;
}

}  // namespace upgrade::postgres
