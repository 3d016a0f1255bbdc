// state.json: load with strict checks, save atomically with serial and lineage checks.
#include "state/state_store.h"

#include <nlohmann/json.hpp>

#include <random>

#include "lang/value_json.h"
#include "state/atomic_file.h"

namespace upgrade {

std::string RandomHex(int bytes) {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    unsigned byte = static_cast<unsigned>(engine() & 0xff);
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

StateStore::StateStore(std::string dir) : dir_(std::move(dir)) {}

std::string StateFileToText(const StateFile& state) {
  nlohmann::json resources = nlohmann::json::object();
  for (const auto& [name, resource] : state.resources) {
    resources[name] = {
        {"type", resource.type},
        {"exists", resource.state.exists},
        {"attributes", ValueToJson(Value(resource.state.attributes), SecretPolicy::kDigest)},
        {"run", resource.run_id},
        {"updated_at", resource.updated_at},
    };
  }
  nlohmann::json json = {
      {"format_version", state.format_version},
      {"serial", state.serial},
      {"lineage", state.lineage},
      {"resources", resources},
  };
  return json.dump(2) + "\n";
}

bool StateFileFromText(const std::string& text, const std::string& path, StateFile* state,
                       std::string* error) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    *error = path + ": state file is corrupt (not valid JSON); it was left untouched";
    return false;
  }
  try {
    int version = json.at("format_version").get<int>();
    if (version > StateFile::kFormatVersion) {
      *error = path + ": state file has format version " + std::to_string(version) +
               ", newer than this upgrade understands (" +
               std::to_string(StateFile::kFormatVersion) + "); use a newer upgrade";
      return false;
    }
    StateFile out;
    out.format_version = StateFile::kFormatVersion;
    out.serial = json.at("serial").get<long long>();
    out.lineage = json.at("lineage").get<std::string>();
    for (const auto& [name, entry] : json.at("resources").items()) {
      ManagedResource resource;
      resource.type = entry.at("type").get<std::string>();
      resource.state.exists = entry.at("exists").get<bool>();
      Value attributes = ValueFromJson(entry.at("attributes"));
      if (attributes.is_map()) resource.state.attributes = attributes.as_map();
      resource.run_id = entry.value("run", "");
      resource.updated_at = entry.value("updated_at", "");
      out.resources[name] = std::move(resource);
    }
    *state = std::move(out);
    return true;
  } catch (const nlohmann::json::exception& e) {
    *error = path + ": state file is corrupt (" + std::string(e.what()) +
             "); it was left untouched";
    return false;
  }
}

bool StateStore::Load(StateFile* state, std::string* error) const {
  std::string read_error;
  std::optional<std::string> text = ReadWholeFile(StatePath(), &read_error);
  if (!text) {
    if (!read_error.empty()) {
      *error = read_error;
      return false;
    }
    *state = StateFile{};
    state->lineage = RandomHex(16);
    return true;
  }
  return StateFileFromText(*text, StatePath(), state, error);
}

bool StateStore::Save(StateFile* state, std::string* error) {
  if (!MakeDirectories(dir_, error)) return false;
  std::string read_error;
  std::optional<std::string> text = ReadWholeFile(StatePath(), &read_error);
  if (!text && !read_error.empty()) {
    *error = read_error;
    return false;
  }
  if (text) {
    StateFile on_disk;
    if (!StateFileFromText(*text, StatePath(), &on_disk, error)) return false;
    if (on_disk.lineage != state->lineage) {
      *error = StatePath() + ": state file belongs to another lineage (" + on_disk.lineage +
               "); refusing to overwrite it";
      return false;
    }
    if (on_disk.serial != state->serial) {
      *error = StatePath() + ": state file changed since it was read (serial " +
               std::to_string(state->serial) + " -> " + std::to_string(on_disk.serial) +
               "); refusing to overwrite it";
      return false;
    }
  }
  StateFile next = *state;
  next.serial = state->serial + 1;
  next.format_version = StateFile::kFormatVersion;
  if (!WriteFileAtomic(StatePath(), StateFileToText(next), error)) return false;
  state->serial = next.serial;
  return true;
}

}  // namespace upgrade
