// pg_dump / pg_restore snapshots; see snapshot.h.
#include "providers/postgres/snapshot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "providers/postgres/dsn.h"
#include "providers/postgres/pg_session.h"

extern char** environ;

namespace upgrade::postgres {
namespace {

// A file holding the password for libpq's PGPASSFILE (mode 0600), removed when this goes.
class PassFile {
 public:
  explicit PassFile(const std::string& password) {
    if (password.empty()) return;
    std::string tmp = std::filesystem::temp_directory_path().string() + "/upgrade-pgpass-XXXXXX";
    std::vector<char> name(tmp.begin(), tmp.end());
    name.push_back('\0');
    int fd = mkstemp(name.data());  // created 0600
    if (fd < 0) return;
    std::string escaped;
    for (char c : password) {
      if (c == ':' || c == '\\') escaped += '\\';
      escaped += c;
    }
    std::string line = "*:*:*:*:" + escaped + "\n";
    bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    close(fd);
    path_ = name.data();
    if (!written) ok_ = false;
  }
  ~PassFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool ok_ = true;
};

// The directory of PostgreSQL's client tools: $UPGRADE_PG_BIN when set, else PATH.
std::string Tool(const std::string& name) {
  const char* dir = std::getenv("UPGRADE_PG_BIN");
  return dir != nullptr && *dir != '\0' ? std::string(dir) + "/" + name : name;
}

// Runs a client tool (no shell) with the password in a passfile; returns an error text that
// quotes the tool's stderr (password scrubbed), empty on success.
std::string RunTool(const std::vector<std::string>& argv, const std::string& dsn) {
  SplitDsn split = SplitPassword(dsn);
  if (!split.error.empty()) return split.error;
  PassFile passfile(split.password);
  if (!passfile.ok()) return "cannot write a temporary password file";
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::string(*e).rfind("PGPASS", 0) != 0) env_strings.push_back(*e);
  if (!passfile.path().empty()) env_strings.push_back("PGPASSFILE=" + passfile.path());
  std::vector<char*> env, args;
  for (auto& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  int err_pipe[2];
  if (pipe(err_pipe) != 0) return "cannot create a pipe";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(err_pipe[1]);
  std::string err;
  char buffer[4096];
  ssize_t n;
  while ((n = read(err_pipe[0], buffer, sizeof buffer)) > 0) err.append(buffer, n);
  close(err_pipe[0]);
  if (spawned != 0) return "cannot run " + argv[0];
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  while (!err.empty() && err.back() == '\n') err.pop_back();
  return argv[0] + " failed: " + ScrubPassword(err, dsn);
}

std::string MaintenanceDsn(const std::string& dsn, const Value::Map& config) {
  return DsnWithDatabase(dsn, StringAttr(config, "maintenance_db", "postgres"));
}

}  // namespace

std::string DumpDatabase(const std::string& dsn, ProviderContext& context, std::string* error) {
  if (context.blobs == nullptr) {
    *error = "no blob store for the dump";
    return "";
  }
  std::string path = context.blobs->NewTempPath();
  SplitDsn split = SplitPassword(dsn);
  *error = RunTool({Tool("pg_dump"), "--format=custom", "--no-password", "--file=" + path,
                    "--dbname=" + split.without_password},
                   dsn);
  if (!error->empty()) {
    std::filesystem::remove(path);
    *error = "snapshot of " + MaskDsn(dsn) + ": " + *error;
    return "";
  }
  auto blob = context.blobs->AdoptFile(path, error);
  return blob ? *blob : "";
}

// Ends every other connection to `database`.
bool EndConnections(PgSession& session, const std::string& database, SqlError* error) {
  return session.Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                       " WHERE datname = $1 AND pid <> pg_backend_pid()",
                       {database}, error)
      .has_value();
}

// Restores into the existing database, object by object: for a role that may not create
// databases. Objects made after the dump stay.
std::string RestoreInPlace(PgSession& session, const std::string& dsn,
                           const std::string& dump_path) {
  SqlError sql_error;
  if (!EndConnections(session, DatabaseOf(dsn), &sql_error)) return sql_error.message;
  SplitDsn split = SplitPassword(dsn);
  return RunTool({Tool("pg_restore"), "--clean", "--if-exists", "--single-transaction",
                  "--exit-on-error", "--no-password", "--dbname=" + split.without_password,
                  dump_path},
                 dsn);
}

std::string RestoreDatabase(const std::string& dsn, const std::string& dump_path) {
  std::string database = DatabaseOf(dsn);
  std::string maintenance = MaintenanceDsn(dsn, {});
  std::string error;
  auto session = PgSession::Connect(maintenance, &error);
  if (!session) return "restore of " + MaskDsn(dsn) + ": " + error;
  SqlError sql_error;
  auto may_create = session->Query(
      "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user", {}, &sql_error);
  auto exists = session->Query("SELECT 1 FROM pg_database WHERE datname = $1", {database},
                               &sql_error);
  if (!may_create || !exists) return "restore of " + MaskDsn(dsn) + ": " + sql_error.message;
  bool can_create = !may_create->empty() && (*may_create)[0][0].value_or("f") == "t";
  if (!can_create) {
    if (exists->empty()) return "restore of " + MaskDsn(dsn) + ": the database is gone and " +
                                "this role may not create databases";
    error = RestoreInPlace(*session, dsn, dump_path);
    return error.empty() ? "" : "restore of " + MaskDsn(dsn) + ": " + error;
  }
  // Set the current database aside (what the dump does not hold, such as a table made after
  // it, must go too), recreate it from the dump, and only then drop the old one; on failure
  // the old one is put back.
  std::string aside = database.substr(0, 40) + "_upgrade_restore";
  std::string sql_aside = "ALTER DATABASE " + QuoteIdent(database) + " RENAME TO " + QuoteIdent(aside);
  if (!exists->empty() && (!EndConnections(*session, database, &sql_error) ||
                           !session->Exec("DROP DATABASE IF EXISTS " + QuoteIdent(aside), &sql_error) ||
                           !session->Exec(sql_aside, &sql_error)))
    return "restore of " + MaskDsn(dsn) + ": cannot set the database aside: " + sql_error.message;
  SplitDsn split = SplitPassword(maintenance);
  error = RunTool({Tool("pg_restore"), "--create", "--exit-on-error", "--no-password",
                   "--dbname=" + split.without_password, dump_path},
                  maintenance);
  if (exists->empty()) return error.empty() ? "" : "restore of " + MaskDsn(dsn) + ": " + error;
  if (!error.empty()) {
    session->Exec("DROP DATABASE IF EXISTS " + QuoteIdent(database) + " WITH (FORCE)", &sql_error);
    session->Exec("ALTER DATABASE " + QuoteIdent(aside) + " RENAME TO " + QuoteIdent(database),
                  &sql_error);
    return "restore of " + MaskDsn(dsn) + ": " + error + " (the database was left as it was)";
  }
  if (!session->Exec("DROP DATABASE IF EXISTS " + QuoteIdent(aside) + " WITH (FORCE)", &sql_error))
    return "restore of " + MaskDsn(dsn) + ": restored, but the old copy " + aside +
           " could not be dropped: " + sql_error.message;
  return "";
}

SnapshotResult TakeSnapshot(const ResourceConfig& resource, const Value::Map&,
                            bool estimate_only, ProviderContext& context) {
  SnapshotResult result;
  std::string dsn = TargetDsn(resource.config, &result.error);
  if (dsn.empty()) return result;
  if (estimate_only) {
    auto session = PgSession::Connect(dsn, &result.error);
    if (!session) return result;
    SqlError sql_error;
    auto rows = session->Query("SELECT pg_database_size(current_database())", {}, &sql_error);
    if (!rows) {
      result.error = "snapshot of " + MaskDsn(dsn) + ": " + sql_error.message;
      return result;
    }
    result.estimated_bytes = std::atoll((*rows)[0][0].value_or("-1").c_str());
    return result;
  }
  std::string blob = DumpDatabase(dsn, context, &result.error);
  if (blob.empty()) return result;
  std::error_code code;
  auto bytes = std::filesystem::file_size(context.blobs->PathOf(blob), code);
  result.estimated_bytes = code ? -1 : static_cast<long long>(bytes);
  result.record = Value::Map{{"blob", blob},
                             {"database", DatabaseOf(dsn)},
                             {"bytes", static_cast<double>(result.estimated_bytes)}};
  return result;
}

std::string RestoreSnapshot(const ResourceConfig& resource, const Value& record,
                            ProviderContext& context) {
  std::string error;
  std::string dsn = TargetDsn(resource.config, &error);
  if (dsn.empty()) return error;
  if (context.blobs == nullptr) return "no blob store to restore from";
  std::string path = context.blobs->PathOf(record.GetString("blob"));
  if (path.empty()) return "snapshot " + record.GetString("blob") + " is missing from the store";
  return RestoreDatabase(dsn, path);
}

}  // namespace upgrade::postgres
