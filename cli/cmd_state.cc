// `upgrade state list` and `upgrade state show ADDR`: what state.json records.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "state/state_store.h"

namespace upgrade::cli {
namespace {

bool Load(const std::string& dir, StateFile* state) {
  std::string error;
  if (!StateStore(dir).Load(state, &error)) {
    std::cerr << "error: " << error << "\n";
    return false;
  }
  return true;
}

int RunList(const std::string& dir) {
  StateFile state;
  if (!Load(dir, &state)) return 1;
  for (const auto& [name, resource] : state.resources) {
    std::cout << resource.type << " " << name << "\n";
  }
  return 0;
}

int RunShowResource(const std::string& dir, const std::string& address) {
  StateFile state;
  if (!Load(dir, &state)) return 1;
  // ADDR is the resource's name, or "TYPE NAME" / "TYPE.NAME" as `state list` prints it.
  std::string name = address;
  for (const auto& [candidate, resource] : state.resources) {
    if (address == resource.type + " " + candidate || address == resource.type + "." + candidate) {
      name = candidate;
    }
  }
  auto it = state.resources.find(name);
  if (it == state.resources.end()) {
    std::cerr << "error: no resource " << address << " in " << dir << "/state.json\n";
    return 1;
  }
  const ManagedResource& resource = it->second;
  std::cout << "# " << resource.type << " " << name << "\n"
            << "#   last changed by run " << resource.run_id << " at " << resource.updated_at
            << "\n";
  for (const auto& [key, value] : resource.state.attributes) {
    std::cout << "  " << key << " = " << value.ToDisplay() << "\n";
  }
  return 0;
}

}  // namespace

void AddStateCommand(CLI::App& app, int* exit_code) {
  auto dir = std::make_shared<std::string>(".upgrade");
  auto address = std::make_shared<std::string>();
  CLI::App* state = app.add_subcommand("state", "Inspect the resources upgrade manages");
  state->require_subcommand(1);
  CLI::App* list = state->add_subcommand("list", "List managed resources");
  list->add_option("--state", *dir, "The state directory (default: .upgrade)");
  list->callback([dir, exit_code] { *exit_code = RunList(*dir); });
  CLI::App* show = state->add_subcommand("show", "Show one managed resource");
  show->add_option("ADDR", *address, "The resource, e.g. config or fs.file.config")->required();
  show->add_option("--state", *dir, "The state directory (default: .upgrade)");
  show->callback([dir, address, exit_code] { *exit_code = RunShowResource(*dir, *address); });
}

}  // namespace upgrade::cli
