// The live side of docker.container: each change is a short sequence of Engine API calls,
// ordered so that the old container is never lost — it is stopped and renamed aside, never
// removed before the run succeeds — and so that Reverse can always find both containers again.
#include "providers/docker/container_ops.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "providers/docker/container_spec.h"
#include "providers/docker/image_ops.h"

namespace upgrade::docker {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The daemon's answer to inspecting one container: there, absent, or an error.
struct Inspection {
  bool exists = false;
  json body;
  std::string error;
};

Inspection Inspect(DockerApi& api, const std::string& id_or_name) {
  Inspection result;
  ApiResponse response = api.Get("/containers/" + UrlEncode(id_or_name) + "/json");
  if (response.status == 404) return result;
  if (!response.ok()) {
    result.error = DescribeFailure(api, "cannot inspect container " + id_or_name, response);
    return result;
  }
  result.body = json::parse(response.body, nullptr, false);
  result.exists = result.body.is_object();
  if (!result.exists) result.error = "the docker daemon answered with invalid JSON";
  return result;
}

std::string NameOf(const json& inspect) {
  std::string name = inspect.value("Name", "");
  return !name.empty() && name[0] == '/' ? name.substr(1) : name;
}

bool IsRunning(const json& inspect) {
  return inspect.contains("State") && inspect["State"].value("Running", false);
}

// The last lines the container wrote, to explain why it stopped.
std::string LastOutput(DockerApi& api, const std::string& id) {
  StreamDemuxer demuxer;
  api.Stream("GET", "/containers/" + id + "/logs?stdout=1&stderr=1&tail=5", "", {},
             [&demuxer](const char* data, size_t size) {
               demuxer.Feed(data, size);
               return true;
             },
             std::chrono::seconds(10));
  std::string text = demuxer.out + demuxer.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n') c = '|';
  }
  return text;
}

std::string Stop(DockerApi& api, const std::string& id, const std::string& name,
                 const ContainerSettingsValues& settings) {
  std::string query = settings.stop_timeout_seconds >= 0
                          ? "?t=" + std::to_string(settings.stop_timeout_seconds)
                          : "";
  ApiResponse response = api.Post("/containers/" + id + "/stop" + query);
  if (response.ok() || response.status == 304 || response.status == 404) return "";
  return DescribeFailure(api, "container " + name + ": cannot stop it", response);
}

std::string Remove(DockerApi& api, const std::string& id, const std::string& name) {
  ApiResponse response = api.Delete("/containers/" + id + "?force=1&v=1");
  if (response.ok() || response.status == 404) return "";
  return DescribeFailure(api, "container " + name + ": cannot remove container " +
                                  id.substr(0, 12), response);
}

std::string Rename(DockerApi& api, const std::string& id, const std::string& to,
                   const std::string& name) {
  ApiResponse response = api.Post("/containers/" + id + "/rename?name=" + UrlEncode(to));
  if (response.ok()) return "";
  if (response.status == 409) {
    return "container " + name + ": cannot rename it to " + to + ": the name is already in use";
  }
  return DescribeFailure(api, "container " + name + ": cannot rename it to " + to, response);
}

// Starts `id` and waits until it proves itself: healthy when it has a healthcheck, else still
// running after `min_uptime`. A container that exits meanwhile failed to start.
std::string StartAndWait(DockerApi& api, const std::string& id, const std::string& name,
                         const ContainerSettingsValues& settings, ProviderContext& context) {
  ApiResponse response = api.Post("/containers/" + id + "/start");
  if (!response.ok() && response.status != 304) {
    return DescribeFailure(api, "container " + name + ": cannot start it", response);
  }
  Clock::time_point started = Clock::now();
  std::string last_health;
  while (true) {
    Inspection now = Inspect(api, id);
    if (!now.error.empty()) return now.error;
    if (!now.exists) return "container " + name + " was removed right after it started";
    const json& state = now.body["State"];
    if (!state.value("Running", false) || state.value("Restarting", false)) {
      std::string output = LastOutput(api, id);
      return "container " + name + " exited right after start (exit code " +
             std::to_string(state.value("ExitCode", -1)) + ")" +
             (output.empty() ? "" : "; last output: " + output);
    }
    bool has_health = state.contains("Health") && state["Health"].is_object();
    auto elapsed = Clock::now() - started;
    if (has_health) {
      last_health = state["Health"].value("Status", "");
      if (last_health == "healthy") return "";
      if (last_health == "unhealthy") {
        std::string probe;
        json log = state["Health"].value("Log", json::array());
        if (log.is_array() && !log.empty()) probe = log.back().value("Output", "");
        while (!probe.empty() && (probe.back() == '\n' || probe.back() == ' ')) probe.pop_back();
        return "container " + name + " is unhealthy" + (probe.empty() ? "" : ": " + probe);
      }
      if (elapsed > settings.health_timeout) {
        return "container " + name + " did not become healthy within " +
               FormatDuration(settings.health_timeout) + " (health: " + last_health + ")";
      }
    } else if (elapsed >= settings.min_uptime) {
      return "";
    }
    if (context.cancelled != nullptr && context.cancelled->load()) {
      return "container " + name + ": interrupted while waiting for it to start";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Marks the container a run creates, so that Reverse removes it and only it, even when a crash
// came before its ID reached the journal. Read leaves the label out of `labels`.
std::string WithRunLabel(const std::string& body, const std::string& run_id) {
  json parsed = json::parse(body);
  if (!parsed["Labels"].is_object()) parsed["Labels"] = json::object();
  parsed["Labels"][kRunLabel] = run_id;
  return parsed.dump();
}

bool MadeByRun(const json& inspect, const Value::Map& undo) {
  auto new_id = undo.find("new_id");
  if (new_id != undo.end() && inspect.value("Id", "") == new_id->second.ToInterpolation()) {
    return true;
  }
  auto run_id = undo.find("run_id");
  json labels = inspect.contains("Config") && inspect["Config"].is_object()
                    ? inspect["Config"].value("Labels", json::object())
                    : json::object();
  return run_id != undo.end() && labels.is_object() &&
         labels.value(kRunLabel, "") == run_id->second.ToInterpolation();
}

Value::Map UndoMap(const Value& undo) { return undo.is_map() ? undo.as_map() : Value::Map{}; }

// The attributes a create request applies: what the step changes (recreate) or wants (create).
Value::Map RequestedAttributes(const Change& change, bool whole) {
  Value::Map out;
  const auto& recreate = RecreateAttributes();
  if (whole) {
    for (const auto& [key, value] : change.after.attributes) {
      if (std::find(recreate.begin(), recreate.end(), key) != recreate.end()) out[key] = value;
    }
  } else {
    for (const AttributeChange& attribute : change.attributes) {
      if (attribute.forces_replacement) out[attribute.name] = attribute.after;
    }
  }
  return out;
}

bool WantsRunning(const Change& change, bool was_running) {
  const Value& state = change.after.attributes.count("state") ? change.after.attributes.at("state")
                                                              : Value();
  return state.is_string() ? state.as_string() == "running" : was_running;
}

std::string CreateNamed(DockerApi& api, const std::string& name, const CreateRequest& request,
                        std::string* new_id) {
  ApiResponse created = api.Post("/containers/create?name=" + UrlEncode(name), request.body);
  if (created.status == 409) {
    Inspection holder = Inspect(api, name);
    std::string id = holder.exists ? holder.body.value("Id", "").substr(0, 12) : "?";
    return "container " + name + ": the name is already in use by container " + id;
  }
  if (!created.ok()) return DescribeFailure(api, "container " + name + ": cannot create it", created);
  *new_id = json::parse(created.body, nullptr, false).value("Id", "");
  for (const auto& [network, endpoint] : request.extra_networks) {
    std::string body = endpoint;
    auto parsed = json::parse(body, nullptr, false);
    parsed["Container"] = *new_id;
    ApiResponse connected = api.Post("/networks/" + UrlEncode(network) + "/connect", parsed.dump());
    if (!connected.ok()) {
      return DescribeFailure(api, "container " + name + ": cannot connect it to network " + network,
                             connected);
    }
  }
  return "";
}

ApplyResult ApplyRecreate(DockerApi& api, const Operation& operation, Value::Map undo,
                          ProviderContext& context) {
  ApplyResult result;
  const std::string name = undo["name"].as_string();
  const std::string old_id = undo["old_id"].as_string();
  ContainerSettingsValues settings =
      ReadSettings(operation.resource.config, operation.change.private_data);
  Inspection old = Inspect(api, old_id);
  if (!old.error.empty() || !old.exists) {
    result.error = old.error.empty() ? "container " + name + " disappeared since it was planned"
                                     : old.error;
    return result;
  }
  Value::Map requested = RequestedAttributes(operation.change, /*whole=*/false);
  std::string image = requested.count("image") ? requested["image"].ToInterpolation()
                                               : old.body["Config"].value("Image", "");
  // Pull before touching the old container, so a missing image changes nothing.
  if (std::string error = EnsureImage(api, image, context); !error.empty()) {
    result.error = "container " + name + ": " + error;
    return result;
  }
  auto old_image_config = json::parse(ImageConfigJson(api, old.body.value("Image", "")));
  CreateRequest request = RecreateRequest(old.body, old_image_config, requested);
  request.body = WithRunLabel(request.body, undo["run_id"].ToInterpolation());
  bool was_running = IsRunning(old.body);
  if (was_running) {
    if (std::string error = Stop(api, old_id, name, settings); !error.empty()) {
      result.error = error;
      return result;
    }
  }
  if (NameOf(old.body) != undo["aside"].as_string()) {
    if (std::string error = Rename(api, old_id, undo["aside"].as_string(), name); !error.empty()) {
      result.error = error;
      return result;
    }
  }
  std::string new_id;
  result.error = CreateNamed(api, name, request, &new_id);
  if (!new_id.empty()) {
    undo["new_id"] = new_id;
    result.undo = Value(undo);
  }
  if (!result.error.empty()) return result;
  if (WantsRunning(operation.change, was_running)) {
    result.error = StartAndWait(api, new_id, name, settings, context);
    if (!result.error.empty()) return result;
  }
  ReadResult read = ReadContainer(api, name);
  result.state = read.state;
  result.error = read.error;
  return result;
}

ApplyResult ApplyCreate(DockerApi& api, const Operation& operation, Value::Map undo,
                        ProviderContext& context) {
  ApplyResult result;
  const std::string name = undo["name"].as_string();
  ContainerSettingsValues settings =
      ReadSettings(operation.resource.config, operation.change.private_data);
  Value::Map requested = RequestedAttributes(operation.change, /*whole=*/true);
  if (std::string error = EnsureImage(api, requested["image"].ToInterpolation(), context);
      !error.empty()) {
    result.error = "container " + name + ": " + error;
    return result;
  }
  std::string new_id;
  result.error = CreateNamed(api, name, NewContainerRequest(requested, undo["run_id"].as_string()),
                             &new_id);
  if (!new_id.empty()) {
    undo["new_id"] = new_id;
    result.undo = Value(undo);
  }
  if (!result.error.empty()) return result;
  if (WantsRunning(operation.change, true)) {
    result.error = StartAndWait(api, new_id, name, settings, context);
    if (!result.error.empty()) return result;
  }
  ReadResult read = ReadContainer(api, name);
  result.state = read.state;
  result.error = read.error;
  return result;
}

ApplyResult ApplyInPlace(DockerApi& api, const Operation& operation, const Value::Map& undo,
                         ProviderContext& context) {
  ApplyResult result;
  const std::string name = undo.at("name").as_string();
  const std::string id = undo.at("old_id").as_string();
  ContainerSettingsValues settings =
      ReadSettings(operation.resource.config, operation.change.private_data);
  const std::string op = undo.at("op").as_string();
  if (op == "delete") {
    result.error = Stop(api, id, name, settings);
    if (result.error.empty()) {
      Inspection now = Inspect(api, id);
      if (now.exists && NameOf(now.body) != undo.at("aside").as_string()) {
        result.error = Rename(api, id, undo.at("aside").as_string(), name);
      }
    }
    return result;
  }
  if (WantsRunning(operation.change, undo.at("old_running").IsTrue())) {
    result.error = StartAndWait(api, id, name, settings, context);
  } else {
    result.error = Stop(api, id, name, settings);
  }
  if (!result.error.empty()) return result;
  ReadResult read = ReadContainer(api, name);
  result.state = read.state;
  result.error = read.error;
  return result;
}

}  // namespace

ReadResult ReadContainer(DockerApi& api, const std::string& name) {
  ReadResult result;
  Inspection inspection = Inspect(api, name);
  if (!inspection.error.empty()) {
    result.error = "docker.container " + name + ": " + inspection.error;
    return result;
  }
  // A lookup by name also matches an id prefix; only a container really named so counts.
  if (!inspection.exists || NameOf(inspection.body) != name) return result;
  auto image_config = json::parse(ImageConfigJson(api, inspection.body.value("Image", "")));
  result.state.exists = true;
  result.state.attributes = ContainerAttributes(inspection.body, image_config);
  return result;
}

PrepareResult PrepareContainer(DockerApi& api, const Operation& operation,
                               ProviderContext& context) {
  PrepareResult result;
  const std::string& name = operation.resource.config.count("name")
                                ? operation.resource.config.at("name").as_string()
                                : operation.resource.name;
  Value::Map undo;
  undo["name"] = name;
  undo["host"] = api.host().text;
  undo["run_id"] = context.run_id;
  undo["keep_old"] = ReadSettings(operation.resource.config, operation.change.private_data).keep_old;
  switch (operation.change.action) {
    case ChangeAction::kNone: undo["op"] = "none"; break;
    case ChangeAction::kCreate: undo["op"] = "create"; break;
    case ChangeAction::kReplace: undo["op"] = "recreate"; break;
    case ChangeAction::kDelete: undo["op"] = "delete"; break;
    case ChangeAction::kUpdate: undo["op"] = "state"; break;
  }
  if (operation.change.action != ChangeAction::kCreate &&
      operation.change.action != ChangeAction::kNone) {
    Inspection current = Inspect(api, name);
    if (!current.error.empty()) {
      result.error = current.error;
      return result;
    }
    if (!current.exists || NameOf(current.body) != name) {
      result.error = "container " + name + " disappeared since it was planned";
      return result;
    }
    undo["old_id"] = current.body.value("Id", "");
    undo["old_running"] = IsRunning(current.body);
    undo["aside"] = AsideName(name, context.run_id);
  }
  result.undo = Value(undo);
  return result;
}

ApplyResult ApplyContainer(DockerApi& api, const Operation& operation, const Value& undo,
                           ProviderContext& context) {
  Value::Map record = UndoMap(undo);
  std::string op = record.count("op") ? record["op"].ToInterpolation() : "";
  if (op == "recreate") return ApplyRecreate(api, operation, record, context);
  if (op == "create") return ApplyCreate(api, operation, record, context);
  if (op == "delete" || op == "state") return ApplyInPlace(api, operation, record, context);
  ApplyResult result;
  result.state = operation.change.before;
  return result;
}

namespace {

std::string OldContainerGone(const std::string& name, const std::string& old_id) {
  return "container " + name + ": the old container " + old_id.substr(0, 12) +
         " is gone; cannot put it back";
}

}  // namespace

std::string CheckContainerReverse(DockerApi& api, const ReverseRequest& request) {
  Value::Map undo = UndoMap(request.undo);
  std::string op = undo.count("op") ? undo["op"].ToInterpolation() : "";
  std::string old_id = undo.count("old_id") ? undo["old_id"].ToInterpolation() : "";
  if ((op != "recreate" && op != "delete" && op != "state") || old_id.empty()) return "";
  Inspection old = Inspect(api, old_id);
  if (!old.error.empty()) return old.error;
  return old.exists ? "" : OldContainerGone(undo["name"].ToInterpolation(), old_id);
}

ReverseResult ReverseContainer(DockerApi& api, const ReverseRequest& request, ProviderContext&) {
  ReverseResult result;
  Value::Map undo = UndoMap(request.undo);
  std::string op = undo.count("op") ? undo["op"].ToInterpolation() : "";
  std::string name = undo.count("name") ? undo["name"].ToInterpolation() : "";
  std::string old_id = undo.count("old_id") ? undo["old_id"].ToInterpolation() : "";
  ContainerSettingsValues settings = ReadSettings(request.resource.config, Value());
  Inspection current = Inspect(api, name);
  if (!current.error.empty()) {
    result.error = current.error;
    return result;
  }
  bool current_named = current.exists && NameOf(current.body) == name;
  std::string current_id = current_named ? current.body.value("Id", "") : "";
  if (op == "create") {
    if (current_named && MadeByRun(current.body, undo)) result.error = Remove(api, current_id, name);
    return result;
  }
  if (op != "recreate" && op != "delete" && op != "state") return result;
  // The container now named NAME, when it is not the old one, is the one Apply made.
  if (current_named && current_id != old_id) {
    if (op != "recreate" || !MadeByRun(current.body, undo)) {
      result.error = "container " + name + ": the name is now held by container " +
                     current_id.substr(0, 12) + ", not the one to put back";
      return result;
    }
    if (std::string error = Remove(api, current_id, name); !error.empty()) {
      result.error = error;
      return result;
    }
  }
  Inspection old = Inspect(api, old_id);
  if (!old.error.empty() || !old.exists) {
    result.error = old.error.empty() ? OldContainerGone(name, old_id) : old.error;
    return result;
  }
  if (NameOf(old.body) != name) {
    if (std::string error = Rename(api, old_id, name, name); !error.empty()) {
      result.error = error;
      return result;
    }
  }
  bool was_running = undo["old_running"].IsTrue();
  if (was_running && !IsRunning(old.body)) {
    ApiResponse started = api.Post("/containers/" + old_id + "/start");
    if (!started.ok() && started.status != 304) {
      result.error = DescribeFailure(api, "container " + name + ": cannot start it again", started);
      return result;
    }
  } else if (!was_running && IsRunning(old.body)) {
    result.error = Stop(api, old_id, name, settings);
    if (!result.error.empty()) return result;
  }
  ReadResult read = ReadContainer(api, name);
  result.state = read.state;
  result.error = read.error;
  return result;
}

std::string ReleaseContainer(DockerApi& api, const ReverseRequest& request, ProviderContext&) {
  Value::Map undo = UndoMap(request.undo);
  std::string op = undo.count("op") ? undo["op"].ToInterpolation() : "";
  if (op != "recreate" && op != "delete") return "";
  std::string name = undo["name"].ToInterpolation();
  int keep = undo["keep_old"].is_number() ? static_cast<int>(undo["keep_old"].as_number()) : 0;
  // Every old container of NAME kept aside by this or earlier runs, newest first.
  ApiResponse listed = api.Get("/containers/json?all=1&filters=" +
                               UrlEncode(json{{"name", {AsidePrefix(name)}}}.dump()));
  if (!listed.ok()) return DescribeFailure(api, "container " + name + ": cannot list old ones", listed);
  // The list gives creation times in whole seconds, and two upgrades can fall in one second:
  // order by inspect's RFC 3339 time with nanoseconds, which sorts as text.
  std::vector<std::pair<std::string, std::string>> aside;
  for (const auto& entry : json::parse(listed.body, nullptr, false)) {
    for (const auto& alias : entry.value("Names", json::array())) {
      std::string text = alias.get<std::string>();
      if (text.rfind("/" + AsidePrefix(name), 0) != 0) continue;
      std::string id = entry.value("Id", "");
      Inspection inspection = Inspect(api, id);
      if (!inspection.error.empty()) return inspection.error;
      if (inspection.exists) aside.emplace_back(inspection.body.value("Created", ""), id);
      break;
    }
  }
  std::sort(aside.rbegin(), aside.rend());
  for (size_t i = static_cast<size_t>(std::max(keep, 0)); i < aside.size(); ++i) {
    if (std::string error = Remove(api, aside[i].second, name); !error.empty()) return error;
  }
  return "";
}

std::string InspectStatus(DockerApi& api, const std::string& name, ContainerStatus* status) {
  Inspection inspection = Inspect(api, name);
  if (!inspection.error.empty()) return inspection.error;
  if (!inspection.exists) return "";
  status->exists = true;
  status->running = IsRunning(inspection.body);
  status->id = inspection.body.value("Id", "");
  status->image_id = inspection.body.value("Image", "");
  const json& state = inspection.body["State"];
  status->health = state.contains("Health") && state["Health"].is_object()
                       ? state["Health"].value("Status", "none")
                       : "none";
  return "";
}

}  // namespace upgrade::docker
