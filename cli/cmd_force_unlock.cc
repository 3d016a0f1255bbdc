// `upgrade force-unlock`: removes a state directory's lock whoever holds it, for a holder that
// died on another machine (a holder on this machine that died is taken over automatically).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "state/lock.h"

namespace upgrade::cli {

void AddForceUnlockCommand(CLI::App& app, int* exit_code) {
  auto dir = std::make_shared<std::string>(".upgrade");
  CLI::App* unlock = app.add_subcommand("force-unlock", "Remove the state lock");
  unlock->add_option("--state", *dir, "The state directory (default: .upgrade)");
  unlock->callback([dir, exit_code] {
    std::optional<LockHolder> removed;
    std::string error;
    if (!StateLock::ForceUnlock(*dir, &removed, &error)) {
      std::cerr << "error: " << error << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << "Removed the lock of " << *dir
              << (removed ? " held by " + removed->Describe() : std::string()) << ".\n";
    *exit_code = 0;
  });
}

}  // namespace upgrade::cli
