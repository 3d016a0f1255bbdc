// exec.command: commands run through the process runner, their output sent to the run log
// and returned (bounded); the undo command recorded before the command runs.
#include "providers/exec/exec_provider.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "providers/exec/process.h"

namespace upgrade {
namespace {

constexpr size_t kKeptOutputBytes = 64 * 1024;
constexpr size_t kErrorLines = 5;

/// One command as the plan describes it, its values checked and turned into text.
struct Command {
  std::vector<std::string> argv;
  std::vector<bool> sensitive_args;
  std::map<std::string, std::string> env;
  std::string cwd;
  Duration timeout{0};
  bool shell = false;
};

std::string Text(const Value& value) {
  return value.is_string() ? value.as_string() : value.ToInterpolation();
}

// Reads a command from `attributes`: argv from `argv_key`, shell from `shell_key`.
bool ParseCommand(const Value::Map& attributes, const std::string& argv_key,
                  const std::string& shell_key, const std::string& base_dir, Command* command,
                  std::string* error) {
  auto get = [&](const std::string& key) {
    auto it = attributes.find(key);
    return it == attributes.end() ? Value() : it->second;
  };
  Value argv = get(argv_key);
  command->shell = get(shell_key).IsTrue();
  if (argv.is_string()) argv = Value(Value::List{argv});
  if (!argv.is_list() || argv.as_list().empty()) {
    *error = argv_key + " must be a non-empty list of strings";
    return false;
  }
  if (command->shell && argv.as_list().size() != 1) {
    *error = "with " + shell_key + " = true, " + argv_key + " must be one string for /bin/sh -c";
    return false;
  }
  if (command->shell) {
    command->argv = {"/bin/sh", "-c"};
    command->sensitive_args = {false, false};
  }
  for (const Value& arg : argv.as_list()) {
    if (arg.is_list() || arg.is_map() || arg.is_null()) {
      *error = argv_key + " must be a non-empty list of strings";
      return false;
    }
    command->argv.push_back(Text(arg));
    command->sensitive_args.push_back(arg.ContainsSensitive());
  }
  Value env = get("env");
  if (env.is_map()) {
    for (const auto& [name, value] : env.as_map()) command->env[name] = Text(value);
  } else if (!env.is_null()) {
    *error = "env must be a map of names to values";
    return false;
  }
  // Commands run in the plan's directory unless cwd says otherwise (relative: to it).
  Value cwd = get("cwd");
  command->cwd = base_dir;
  if (cwd.is_string() && !cwd.as_string().empty()) {
    command->cwd = cwd.as_string()[0] == '/' || base_dir.empty()
                       ? cwd.as_string()
                       : base_dir + "/" + cwd.as_string();
  }
  Value timeout = get("timeout");
  if (timeout.is_duration()) command->timeout = timeout.as_duration();
  else if (timeout.is_number()) command->timeout = Duration(static_cast<long long>(timeout.as_number() * 1000));
  return true;
}

// The command as the log and errors show it: arguments quoted when they hold spaces,
// sensitive ones hidden.
std::string CommandText(const Command& command) {
  std::string text;
  for (size_t i = 0; i < command.argv.size(); ++i) {
    if (i > 0) text += " ";
    const std::string& arg = command.argv[i];
    if (command.sensitive_args[i]) text += kSensitiveText;
    else if (arg.find_first_of(" \t\"'") != std::string::npos || arg.empty()) text += "'" + arg + "'";
    else text += arg;
  }
  return text;
}

/// What running a command gave: the action's output, or an error.
struct Outcome {
  Value output;
  std::string error;
};

Outcome Run(const Command& command, const std::string& label, ProviderContext& context) {
  ProcessOptions options;
  options.argv = command.argv;
  options.env = command.env;
  options.cwd = command.cwd;
  options.timeout = command.timeout;
  options.keep_bytes = kKeptOutputBytes;
  options.cancelled = context.cancelled;
  spdlog::logger* log = context.log;
  if (log != nullptr) {
    log->info("{}: running {}", label, CommandText(command));
    options.on_line = [log, &label](bool is_stderr, const std::string& line) {
      log->info("{}: {}{}", label, is_stderr ? "stderr: " : "", line);
    };
  }
  ProcessResult result = RunProcess(options);
  Outcome outcome;
  auto kept = [](const std::string& text, size_t dropped) {
    return dropped == 0 ? text
                        : "(" + std::to_string(dropped) + " earlier bytes left out)\n" + text;
  };
  outcome.output = Value(Value::Map{{"exit_code", result.exit_code},
                                    {"stdout", kept(result.out, result.out_dropped)},
                                    {"stderr", kept(result.err, result.err_dropped)}});
  std::string what = "command " + CommandText(command);
  if (!result.error.empty()) {
    outcome.error = result.error;
  } else if (result.timed_out) {
    outcome.error = what + " timed out after " + FormatDuration(command.timeout) +
                    " and was killed";
  } else if (result.cancelled) {
    outcome.error = what + " was interrupted";
  } else if (result.exit_code != 0) {
    std::string last = LastLines(result.err, kErrorLines);
    outcome.error = what + " exited with code " + std::to_string(result.exit_code) +
                    (last.empty() ? "" : ":\n" + last);
  }
  if (log != nullptr) {
    if (outcome.error.empty()) log->info("{}: exited with code 0", label);
    else log->error("{}: {}", label, outcome.error);
  }
  return outcome;
}

}  // namespace

void ExecProvider::Describe(SchemaRegistry& registry) const {
  ActionSchema schema;
  schema.type = "exec.command";
  schema.description = "runs a command; reversible only through `undo`";
  schema.undo_attribute = "undo";
  schema.attributes = {
      {"argv", AttrType::kList, true, false, false, false, false,
       "the program and its arguments, run without a shell; with shell = true, one string"},
      {"env", AttrType::kMap, false, false, false, false, false,
       "environment variables added to upgrade's own"},
      {"cwd", AttrType::kString, false, false, false, false, false,
       "the working directory (default, and base of a relative one: the plan's directory)"},
      {"timeout", AttrType::kDuration, false, false, false, false, false,
       "how long it may run before its process group is killed (default: no limit)"},
      {"shell", AttrType::kBool, false, false, false, false, false,
       "true: argv is one string run by /bin/sh -c"},
      {"undo", AttrType::kList, false, false, false, false, false,
       "the argv of the command that reverses this one (run by rollback)"},
      {"undo_shell", AttrType::kBool, false, false, false, false, false,
       "true: undo is one string run by /bin/sh -c"},
  };
  registry.AddAction(std::move(schema));
}

PrepareResult ExecProvider::Prepare(const Operation& operation, ProviderContext& context) {
  PrepareResult result;
  const Value::Map& config = operation.resource.config;
  Command command;
  if (!ParseCommand(config, "argv", "shell", context.base_dir, &command, &result.error)) {
    return result;
  }
  auto undo = config.find("undo");
  if (undo == config.end() || undo->second.is_null()) {
    result.reversible = false;
    return result;
  }
  Command undo_command;
  if (!ParseCommand(config, "undo", "undo_shell", context.base_dir, &undo_command,
                    &result.error)) {
    return result;
  }
  // Everything Reverse needs, so rollback works from the journal alone.
  Value::Map record;
  for (const char* key : {"undo", "undo_shell", "env", "cwd", "timeout"}) {
    auto it = config.find(key);
    if (it != config.end()) record[key] = it->second;
  }
  record["base_dir"] = context.base_dir;
  result.undo = Value(std::move(record));
  return result;
}

ApplyResult ExecProvider::Apply(const Operation& operation, const Value&,
                                ProviderContext& context) {
  ApplyResult result;
  try {
    Command command;
    if (!ParseCommand(operation.resource.config, "argv", "shell", context.base_dir, &command,
                      &result.error)) {
      return result;
    }
    Outcome outcome = Run(command, operation.resource.name, context);
    result.output = std::move(outcome.output);
    result.error = std::move(outcome.error);
  } catch (const std::exception& e) {
    result.error = std::string("exec.command: ") + e.what();
  }
  return result;
}

ReverseResult ExecProvider::Reverse(const ReverseRequest& request, ProviderContext& context) {
  ReverseResult result;
  if (!request.undo.is_map()) {
    result.error = "step " + request.resource.name + " ran a command without undo";
    return result;
  }
  try {
    Command command;
    if (!ParseCommand(request.undo.as_map(), "undo", "undo_shell",
                      request.undo.GetString("base_dir"), &command, &result.error)) {
      return result;
    }
    result.error = Run(command, request.resource.name + " (undo)", context).error;
  } catch (const std::exception& e) {
    result.error = std::string("exec.command undo: ") + e.what();
  }
  return result;
}

}  // namespace upgrade
