// state.json: load with strict checks, save atomically with serial and lineage checks.
#include "state/state_store.h"

#include <nlohmann/json.hpp>

#include <random>

#include "lang/json_text.h"
#include "lang/sha256.h"
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

// One resource per line under the top members, each line compact JSON: written straight into
// the text (building an nlohmann tree first cost about 5 ms for 1,000 resources at the end of
// every run) and still readable with grep and line diffs.
std::string StateFileToText(const StateFile& state) {
  std::string text;
  text.reserve(256 + 512 * state.resources.size());
  JsonWriter json(text);
  json.BeginObject();
  json.LineKey("format_version"), json.Int(state.format_version);
  json.LineKey("serial"), json.Int(state.serial);
  json.LineKey("lineage"), json.String(state.lineage);
  json.LineKey("resources");
  json.BeginObject();
  for (const auto& [name, resource] : state.resources) {
    json.LineKey(name);
    json.BeginObject();
    json.Member("type", resource.type);
    json.Member("exists", resource.state.exists);
    json.Key("attributes"), json.Digested(resource.state.attributes);
    json.Member("run", resource.run_id);
    json.Member("updated_at", resource.updated_at);
    json.EndObject();
  }
  if (!state.resources.empty()) json.EndLastLine();
  json.EndObject();
  json.EndLastLine();
  json.EndObject();
  text += '\n';
  return text;
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
  if (!StateFileFromText(*text, StatePath(), state, error)) return false;
  state->text_digest = Sha256Hex(*text);
  return true;
}

bool StateStore::Save(StateFile* state, std::string* error) {
  if (!MakeDirectories(dir_, error)) return false;
  std::string read_error;
  std::optional<std::string> text = ReadWholeFile(StatePath(), &read_error);
  if (!text && !read_error.empty()) {
    *error = read_error;
    return false;
  }
  // The very text this state was read from (or last written as) is still there: nobody wrote
  // in between, and there is nothing to parse.
  if (text && (state->text_digest.empty() || Sha256Hex(*text) != state->text_digest)) {
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
  const long long serial = state->serial;
  state->serial = serial + 1;
  state->format_version = StateFile::kFormatVersion;
  std::string written = StateFileToText(*state);
  if (!WriteFileAtomic(StatePath(), written, error)) {
    state->serial = serial;
    return false;
  }
  state->text_digest = Sha256Hex(written);
  return true;
}

}  // namespace upgrade
