// The `upgrade` command: parses the command line and hands each subcommand to its handler.
#include <CLI/CLI.hpp>

#include <cctype>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/heap.h"
#include "cli/version.h"

namespace {

// A command-line mistake, in the project's error form: `error: ...`, lower-case, exit 1.
int ReportUsageError(const CLI::App& app, const CLI::ParseError& error) {
  std::string message = error.what();
  if (!message.empty()) message[0] = static_cast<char>(std::tolower(message[0]));
  while (!message.empty() && (message.back() == '.' || message.back() == '\n')) message.pop_back();
  std::string command = "upgrade";
  for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
  std::cerr << "error: " << message << "\nnote: run '" << command << " --help' for usage\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  upgrade::cli::PrepareHeap();
  CLI::App app{"upgrade: plan, apply and roll back software upgrades from plan files"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("upgrade ") + upgrade::kVersion);
  int exit_code = 0;
  // Subcommands, in the order `--help` lists them (one line each).
  upgrade::cli::AddPlanCommand(app, &exit_code);
  upgrade::cli::AddApplyCommand(app, &exit_code);
  upgrade::cli::AddRollbackCommand(app, &exit_code);
  upgrade::cli::AddShowCommand(app, &exit_code);
  upgrade::cli::AddHistoryCommand(app, &exit_code);
  upgrade::cli::AddStateCommand(app, &exit_code);
  upgrade::cli::AddForceUnlockCommand(app, &exit_code);
  upgrade::cli::AddGraphCommand(app, &exit_code);
  upgrade::cli::AddValidateCommand(app, &exit_code);
  upgrade::cli::AddFmtCommand(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);  // --help, --version
  } catch (const CLI::ParseError& error) {
    return ReportUsageError(app, error);
  }
  if (app.get_subcommands().empty()) std::cout << app.help();
  return exit_code;
}
