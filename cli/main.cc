// The `upgrade` command: parses the command line and hands each subcommand to its handler.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/version.h"

int main(int argc, char** argv) {
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

  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) std::cout << app.help();
  return exit_code;
}
