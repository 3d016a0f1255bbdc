// The subcommands of `upgrade`. Each lives in its own cmd_NAME.cc and adds itself to the app;
// its callback stores the process exit code in `*exit_code`.
#pragma once

namespace CLI {
class App;
}

namespace upgrade::cli {

// One line per subcommand, e.g.:
// void AddValidateCommand(CLI::App& app, int* exit_code);
void AddPlanCommand(CLI::App& app, int* exit_code);
void AddGraphCommand(CLI::App& app, int* exit_code);
void AddValidateCommand(CLI::App& app, int* exit_code);
void AddFmtCommand(CLI::App& app, int* exit_code);
void AddApplyCommand(CLI::App& app, int* exit_code);
void AddRollbackCommand(CLI::App& app, int* exit_code);
void AddShowCommand(CLI::App& app, int* exit_code);
void AddHistoryCommand(CLI::App& app, int* exit_code);
void AddStateCommand(CLI::App& app, int* exit_code);
void AddForceUnlockCommand(CLI::App& app, int* exit_code);

}  // namespace upgrade::cli
