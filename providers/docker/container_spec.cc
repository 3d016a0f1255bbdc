// docker.container attributes, diff and create requests, computed from JSON and values only.
#include "providers/docker/container_spec.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

namespace upgrade::docker {
namespace {

using nlohmann::json;

const json& Member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string StringMember(const json& object, const char* key) {
  const json& value = Member(object, key);
  return value.is_string() ? value.get<std::string>() : "";
}

// Docker writes an empty list, an empty map and null interchangeably for "none".
bool IsEmptyish(const json& value) {
  return value.is_null() || (value.is_array() && value.empty()) ||
         (value.is_object() && value.empty()) || (value.is_string() && value.empty());
}

bool SameSetting(const json& a, const json& b) {
  if (IsEmptyish(a) && IsEmptyish(b)) return true;
  return a == b;
}

Value StringList(const json& list) {
  if (!list.is_array()) return Value();
  Value::List out;
  for (const auto& item : list) out.emplace_back(item.is_string() ? item.get<std::string>() : "");
  return Value(std::move(out));
}

json ToJsonStrings(const Value& list) {
  json out = json::array();
  if (!list.is_list()) return out;
  for (const Value& item : list.as_list()) out.push_back(item.ToInterpolation());
  return out;
}

// Sorting strings, not Values: GCC 12 warns falsely about moving Values around in std::sort.
Value SortedStrings(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  Value::List out(items.begin(), items.end());
  return Value(std::move(out));
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// env entries "K=V" that the container set itself (not identical to one of its image's).
Value::Map OwnEnv(const json& env, const json& image_env) {
  std::set<std::string> inherited;
  if (image_env.is_array()) {
    for (const auto& entry : image_env) {
      if (entry.is_string()) inherited.insert(entry.get<std::string>());
    }
  }
  Value::Map out;
  if (!env.is_array()) return out;
  for (const auto& entry : env) {
    if (!entry.is_string() || inherited.count(entry.get<std::string>())) continue;
    std::string text = entry.get<std::string>();
    size_t eq = text.find('=');
    std::string key = text.substr(0, eq);
    Value value(eq == std::string::npos ? std::string() : text.substr(eq + 1));
    if (IsSecretEnvKey(key)) value.MarkSensitive();
    out[key] = value;
  }
  return out;
}

Value::Map OwnLabels(const json& labels, const json& image_labels) {
  Value::Map out;
  if (!labels.is_object()) return out;
  for (const auto& [key, value] : labels.items()) {
    if (!value.is_string()) continue;
    if (Member(image_labels, key.c_str()) == value) continue;
    if (key == kRunLabel) continue;
    out[key] = value.get<std::string>();
  }
  return out;
}

Value Ports(const json& host_config) {
  std::vector<std::string> out;
  const json& bindings = Member(host_config, "PortBindings");
  if (bindings.is_object()) {
    for (const auto& [port, hosts] : bindings.items()) {
      if (!hosts.is_array() || hosts.empty()) {
        out.emplace_back(port);
        continue;
      }
      for (const auto& binding : hosts) {
        std::string ip = StringMember(binding, "HostIp");
        std::string host_port = StringMember(binding, "HostPort");
        std::string text = host_port.empty() ? port : host_port + ":" + port;
        out.emplace_back(ip.empty() ? text : ip + ":" + text);
      }
    }
  }
  return SortedStrings(std::move(out));
}

Value Mounts(const json& host_config) {
  std::vector<std::string> out;
  const json& binds = Member(host_config, "Binds");
  if (binds.is_array()) {
    for (const auto& bind : binds) {
      if (bind.is_string()) out.emplace_back(bind.get<std::string>());
    }
  }
  const json& mounts = Member(host_config, "Mounts");
  if (mounts.is_array()) {
    for (const auto& mount : mounts) {
      std::string text = StringMember(mount, "Source") + ":" + StringMember(mount, "Target");
      if (Member(mount, "ReadOnly") == json(true)) text += ":ro";
      out.emplace_back(text);
    }
  }
  return SortedStrings(std::move(out));
}

std::string RestartText(const json& host_config) {
  const json& policy = Member(host_config, "RestartPolicy");
  std::string name = StringMember(policy, "Name");
  if (name.empty()) return "no";
  const json& retries = Member(policy, "MaximumRetryCount");
  if (name == "on-failure" && retries.is_number() && retries.get<long long>() > 0) {
    return name + ":" + std::to_string(retries.get<long long>());
  }
  return name;
}

Value HealthcheckValue(const json& check) {
  if (!check.is_object() || !Member(check, "Test").is_array() || check["Test"].empty()) {
    return Value();
  }
  Value::Map out;
  out["test"] = StringList(check["Test"]);
  for (const auto& [key, name] : std::vector<std::pair<const char*, const char*>>{
           {"Interval", "interval"}, {"Timeout", "timeout"}, {"StartPeriod", "start_period"}}) {
    const json& nanos = Member(check, key);
    if (nanos.is_number() && nanos.get<long long>() > 0) {
      out[name] = Value(Duration(nanos.get<long long>() / 1000000));
    }
  }
  const json& retries = Member(check, "Retries");
  if (retries.is_number() && retries.get<long long>() > 0) {
    out["retries"] = Value(static_cast<double>(retries.get<long long>()));
  }
  return Value(std::move(out));
}

json HealthcheckJson(const Value& check) {
  if (!check.is_map()) return json();
  json out = {{"Test", ToJsonStrings(check.Get("test"))}};
  for (const auto& [key, name] : std::vector<std::pair<const char*, const char*>>{
           {"Interval", "interval"}, {"Timeout", "timeout"}, {"StartPeriod", "start_period"}}) {
    const Value& duration = check.Get(name);
    if (duration.is_duration()) out[key] = duration.as_duration().count() * 1000000LL;
  }
  if (check.Get("retries").is_number()) {
    out["Retries"] = static_cast<long long>(check.Get("retries").as_number());
  }
  return out;
}

// "[ip:]host:container[/proto]" or "container[/proto]" as the key and binding Docker wants.
struct PortSpec {
  std::string key;  // "80/tcp"
  std::string host_ip;
  std::string host_port;
  bool bound = false;
};

std::optional<PortSpec> ParsePort(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string::npos ? colon : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3 || parts.back().empty()) return std::nullopt;
  PortSpec spec;
  spec.key = parts.back();
  if (spec.key.find('/') == std::string::npos) spec.key += "/tcp";
  if (parts.size() >= 2) {
    spec.bound = true;
    spec.host_port = parts[parts.size() - 2];
    if (parts.size() == 3) spec.host_ip = parts[0];
  }
  return spec;
}

std::string PortText(const PortSpec& spec) {
  if (!spec.bound) return spec.key;
  std::string text = spec.host_port + ":" + spec.key;
  return spec.host_ip.empty() ? text : spec.host_ip + ":" + text;
}

// Applies `desired` attributes to a create request's Config and HostConfig.
void ApplyDesired(const Value::Map& desired, json* config, json* host_config) {
  for (const auto& [name, value] : desired) {
    if (name == "image") {
      (*config)["Image"] = value.ToInterpolation();
    } else if (name == "command") {
      (*config)["Cmd"] = value.is_list() ? ToJsonStrings(value) : json();
    } else if (name == "entrypoint") {
      (*config)["Entrypoint"] = value.is_list() ? ToJsonStrings(value) : json();
    } else if (name == "env") {
      json env = json::array();
      if (value.is_map()) {
        for (const auto& [key, item] : value.as_map()) {
          env.push_back(key + "=" + item.ToInterpolation());
        }
      }
      (*config)["Env"] = env;
    } else if (name == "labels") {
      json labels = json::object();
      if (value.is_map()) {
        for (const auto& [key, item] : value.as_map()) labels[key] = item.ToInterpolation();
      }
      (*config)["Labels"] = labels;
    } else if (name == "ports") {
      json exposed = json::object(), bindings = json::object();
      for (const Value& item : value.is_list() ? value.as_list() : Value::List{}) {
        auto spec = ParsePort(item.ToInterpolation());
        if (!spec) continue;
        exposed[spec->key] = json::object();
        if (!bindings.contains(spec->key)) bindings[spec->key] = json::array();
        if (spec->bound) {
          bindings[spec->key].push_back({{"HostIp", spec->host_ip},
                                         {"HostPort", spec->host_port}});
        }
      }
      (*config)["ExposedPorts"] = exposed;
      (*host_config)["PortBindings"] = bindings;
    } else if (name == "mounts") {
      (*host_config)["Binds"] = ToJsonStrings(value);
      (*host_config)["Mounts"] = json();
    } else if (name == "network_mode") {
      (*host_config)["NetworkMode"] = value.ToInterpolation();
    } else if (name == "restart") {
      std::string text = value.ToInterpolation();
      size_t colon = text.find(':');
      json policy = {{"Name", text.substr(0, colon)}, {"MaximumRetryCount", 0}};
      if (colon != std::string::npos) policy["MaximumRetryCount"] = std::stoi(text.substr(colon + 1));
      if (policy["Name"] == "no") policy["Name"] = "";
      (*host_config)["RestartPolicy"] = policy;
    } else if (name == "healthcheck") {
      (*config)["Healthcheck"] = HealthcheckJson(value);
    } else if (name == "init") {
      (*host_config)["Init"] = value.is_bool() && value.as_bool();
    }
  }
}

// Removes from `config` what the container only inherited from its image, so that a container
// created from `config` with another image gets that image's defaults instead.
void DropInherited(const json& image_config, json* config) {
  const json& image_env = Member(image_config, "Env");
  if (image_env.is_array() && (*config)["Env"].is_array()) {
    json own = json::array();
    for (const auto& entry : (*config)["Env"]) {
      if (std::find(image_env.begin(), image_env.end(), entry) == image_env.end()) {
        own.push_back(entry);
      }
    }
    (*config)["Env"] = own;
  }
  bool entrypoint_inherited = SameSetting((*config)["Entrypoint"], Member(image_config, "Entrypoint"));
  if (entrypoint_inherited && SameSetting((*config)["Cmd"], Member(image_config, "Cmd"))) {
    (*config)["Cmd"] = json();
  }
  if (entrypoint_inherited) (*config)["Entrypoint"] = json();
  for (const char* key : {"Labels", "ExposedPorts", "Volumes"}) {
    const json& inherited = Member(image_config, key);
    if (!inherited.is_object() || !(*config)[key].is_object()) continue;
    for (const auto& [name, value] : inherited.items()) {
      auto it = (*config)[key].find(name);
      if (it != (*config)[key].end() && *it == value) (*config)[key].erase(it);
    }
  }
  for (const char* key : {"Healthcheck", "WorkingDir", "User", "StopSignal", "Shell", "OnBuild"}) {
    if (config->contains(key) && !IsEmptyish((*config)[key]) &&
        SameSetting((*config)[key], Member(image_config, key))) {
      config->erase(key);
    }
  }
}

}  // namespace

const std::vector<std::string>& RecreateAttributes() {
  static const std::vector<std::string> kNames = {
      "command", "entrypoint", "env", "healthcheck", "image", "init",
      "labels", "mounts", "network_mode", "ports", "restart"};
  return kNames;
}

const std::vector<std::string>& ContainerSettings() {
  static const std::vector<std::string> kNames = {"health_timeout", "host", "keep_old",
                                                  "min_uptime", "stop_timeout"};
  return kNames;
}

ContainerSettingsValues ReadSettings(const Value::Map& resource_config, const Value& private_data) {
  ContainerSettingsValues settings;
  auto pick = [&](const char* key) -> Value {
    const Value& from_step = private_data.Get(key);
    if (!from_step.is_null()) return from_step;
    auto it = resource_config.find(key);
    return it == resource_config.end() ? Value() : it->second;
  };
  if (Value v = pick("health_timeout"); v.is_duration()) settings.health_timeout = v.as_duration();
  if (Value v = pick("min_uptime"); v.is_duration()) settings.min_uptime = v.as_duration();
  if (Value v = pick("stop_timeout"); v.is_duration()) {
    settings.stop_timeout_seconds = static_cast<int>(v.as_duration().count() / 1000);
  }
  if (Value v = pick("keep_old"); v.is_number()) settings.keep_old = static_cast<int>(v.as_number());
  return settings;
}

Value::Map ContainerAttributes(const json& inspect, const json& image_config) {
  const json& config = Member(inspect, "Config");
  const json& host_config = Member(inspect, "HostConfig");
  const json& state = Member(inspect, "State");
  Value::Map out;
  std::string name = StringMember(inspect, "Name");
  out["name"] = name.empty() || name[0] != '/' ? name : name.substr(1);
  out["id"] = StringMember(inspect, "Id");
  out["image"] = StringMember(config, "Image");
  out["image_id"] = StringMember(inspect, "Image");
  bool running = Member(state, "Running") == json(true);
  out["state"] = running ? "running" : "stopped";
  std::string health = StringMember(Member(state, "Health"), "Status");
  out["health"] = health.empty() ? "none" : health;
  bool entrypoint_inherited =
      SameSetting(Member(config, "Entrypoint"), Member(image_config, "Entrypoint"));
  out["entrypoint"] = entrypoint_inherited ? Value() : StringList(Member(config, "Entrypoint"));
  out["command"] = entrypoint_inherited && SameSetting(Member(config, "Cmd"),
                                                       Member(image_config, "Cmd"))
                       ? Value()
                       : StringList(Member(config, "Cmd"));
  out["env"] = OwnEnv(Member(config, "Env"), Member(image_config, "Env"));
  out["labels"] = OwnLabels(Member(config, "Labels"), Member(image_config, "Labels"));
  out["ports"] = Ports(host_config);
  out["mounts"] = Mounts(host_config);
  out["network_mode"] = StringMember(host_config, "NetworkMode");
  out["restart"] = RestartText(host_config);
  out["healthcheck"] = SameSetting(Member(config, "Healthcheck"), Member(image_config, "Healthcheck"))
                           ? Value()
                           : HealthcheckValue(Member(config, "Healthcheck"));
  out["init"] = Member(host_config, "Init") == json(true);
  return out;
}

std::string NormalizeDesired(Value::Map* desired) {
  for (auto& [name, value] : *desired) {
    if (value.is_unknown() || value.is_null()) continue;
    if (name == "env" || name == "labels") {
      if (!value.is_map()) return name + " must be a map of strings";
      for (auto& [key, item] : value.as_map()) {
        bool sensitive = item.sensitive() || (name == "env" && IsSecretEnvKey(key));
        if (!item.is_unknown()) item = Value(item.ToInterpolation());
        item.MarkSensitive(sensitive);
      }
    } else if (name == "command" || name == "entrypoint" || name == "mounts" || name == "ports") {
      if (value.is_string() && (name == "command" || name == "entrypoint")) {
        value = Value(Value::List{"/bin/sh", "-c", value.as_string()});
      }
      if (!value.is_list()) return name + " must be a list of strings";
      std::vector<std::string> items;
      for (const Value& item : value.as_list()) {
        std::string text = item.ToInterpolation();
        if (name == "ports") {
          auto spec = ParsePort(text);
          if (!spec) return "port " + text + " is not [IP:]HOST_PORT:CONTAINER_PORT[/PROTO]";
          text = PortText(*spec);
        }
        items.emplace_back(text);
      }
      if (name == "mounts" || name == "ports") {
        value = SortedStrings(std::move(items));
      } else {
        value = Value(Value::List(items.begin(), items.end()));
      }
    } else if (name == "healthcheck") {
      if (!value.is_map()) return "healthcheck must be a map with a test";
      Value test = value.Get("test");
      if (test.is_string()) test = Value(Value::List{"CMD-SHELL", test.as_string()});
      if (!test.is_list() || test.as_list().empty()) return "healthcheck needs a test";
      std::string first = test.as_list()[0].ToInterpolation();
      if (first != "CMD" && first != "CMD-SHELL" && first != "NONE") {
        test.as_list().insert(test.as_list().begin(), Value("CMD"));
      }
      Value::Map check = value.as_map();
      check["test"] = test;
      value = Value(std::move(check));
      value = HealthcheckValue(HealthcheckJson(value));
    } else if (name == "restart") {
      std::string text = value.ToInterpolation();
      if (text.empty()) text = "no";
      std::string policy = text.substr(0, text.find(':'));
      if (policy != "no" && policy != "always" && policy != "unless-stopped" &&
          policy != "on-failure") {
        return "restart must be no, always, unless-stopped or on-failure[:N], not " + text;
      }
      value = Value(text);
    } else if (name == "state") {
      std::string text = value.ToInterpolation();
      if (text != "running" && text != "stopped" && text != "absent") {
        return "state must be running, stopped or absent, not " + text;
      }
    }
  }
  return "";
}

std::string AsidePrefix(const std::string& name) { return name + "-upgrade-old-"; }

std::string AsideName(const std::string& name, const std::string& run_id) {
  std::string safe;
  for (char c : run_id) {
    safe += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ? c
                                                                                          : '-';
  }
  return AsidePrefix(name) + (safe.empty() ? "run" : safe);
}

bool IsSecretEnvKey(const std::string& key) {
  std::string upper = Upper(key);
  for (const char* word : {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "PRIVATE_KEY",
                           "API_KEY", "ACCESS_KEY"}) {
    if (upper.find(word) != std::string::npos) return true;
  }
  return false;
}

DiffResult DiffContainer(const std::string& name, const State& prior, const Value::Map& desired) {
  DiffResult result;
  Value::Map wanted = desired;
  if (std::string error = NormalizeDesired(&wanted); !error.empty()) {
    result.error = "docker.container " + name + ": " + error;
    return result;
  }
  Value::Map settings;
  for (const std::string& key : ContainerSettings()) {
    if (auto it = wanted.find(key); it != wanted.end()) {
      settings[key] = it->second;
      wanted.erase(it);
    }
  }
  bool absent = wanted.count("absent") && wanted.at("absent").IsTrue();
  wanted.erase("absent");
  if (wanted.count("state") && wanted.at("state") == Value("absent")) absent = true;
  wanted.erase("name");

  Change& change = result.change;
  change.before = prior;
  change.private_data = Value(settings);
  change.after = prior;
  if (absent) {
    if (prior.exists) {
      change.action = ChangeAction::kDelete;
      change.after = State{};
      change.attributes.push_back({"state", prior.attributes.at("state"), Value("absent")});
      change.notes.push_back("stopped and kept aside until the run ends, then removed");
    }
    return result;
  }
  if (!prior.exists) {
    if (!wanted.count("image") || wanted.at("image").is_null()) {
      result.error = "docker.container " + name + " does not exist; give `image` to create it";
      return result;
    }
    if (!wanted.count("state")) wanted["state"] = Value("running");
    change.action = ChangeAction::kCreate;
    change.after.exists = true;
    change.after.attributes = wanted;
    change.after.attributes["name"] = Value(name);
    for (const char* computed : {"id", "image_id", "health"}) {
      change.after.attributes[computed] = Value(Unknown{});
    }
    for (const auto& [key, value] : wanted) change.attributes.push_back({key, Value(), value});
    return result;
  }

  const auto& recreate = RecreateAttributes();
  bool replace = false;
  for (const auto& [key, value] : wanted) {
    auto before = prior.attributes.find(key);
    Value old = before == prior.attributes.end() ? Value() : before->second;
    if (!value.is_unknown() && old == value) continue;
    bool forces = std::find(recreate.begin(), recreate.end(), key) != recreate.end();
    replace = replace || forces;
    AttributeChange attribute{key, old, value, forces, value.sensitive() || old.sensitive()};
    change.attributes.push_back(attribute);
    change.after.attributes[key] = value;
  }
  if (replace) {
    change.action = ChangeAction::kReplace;
    for (const char* computed : {"id", "image_id", "health"}) {
      change.after.attributes[computed] = Value(Unknown{});
    }
    change.notes.push_back(
        "recreated with the rest of its configuration kept; the old container is kept aside "
        "until the run ends");
  } else if (!change.attributes.empty()) {
    change.action = ChangeAction::kUpdate;
    change.after.attributes["health"] = Value(Unknown{});
  }
  return result;
}

CreateRequest RecreateRequest(const json& inspect, const json& old_image_config,
                              const Value::Map& desired) {
  json config = Member(inspect, "Config");
  config.erase("Hostname");
  DropInherited(old_image_config, &config);
  json host_config = Member(inspect, "HostConfig");
  ApplyDesired(desired, &config, &host_config);

  CreateRequest request;
  json endpoints = json::object();
  bool network_changed = desired.count("network_mode") != 0 &&
                         desired.at("network_mode").ToInterpolation() !=
                             StringMember(Member(inspect, "HostConfig"), "NetworkMode");
  const json& networks = Member(Member(inspect, "NetworkSettings"), "Networks");
  if (networks.is_object() && !network_changed) {
    std::string mode = StringMember(host_config, "NetworkMode");
    std::string primary = mode == "default" || mode.empty() ? "bridge" : mode;
    std::string short_id = StringMember(inspect, "Id").substr(0, 12);
    for (const auto& [network, settings] : networks.items()) {
      json endpoint = {{"IPAMConfig", Member(settings, "IPAMConfig")},
                       {"Links", Member(settings, "Links")}};
      json aliases = json::array();
      for (const auto& alias : Member(settings, "Aliases").is_array() ? settings["Aliases"]
                                                                       : json::array()) {
        if (alias != short_id) aliases.push_back(alias);
      }
      endpoint["Aliases"] = aliases;
      if (network == primary || networks.size() == 1) {
        endpoints[network] = endpoint;
      } else {
        request.extra_networks.emplace_back(network, json{{"Container", ""},
                                                          {"EndpointConfig", endpoint}}.dump());
      }
    }
  }
  json body = config;
  body["HostConfig"] = host_config;
  body["NetworkingConfig"] = {{"EndpointsConfig", endpoints}};
  request.body = body.dump();
  return request;
}

CreateRequest NewContainerRequest(const Value::Map& desired, const std::string& run_label) {
  json config = json::object();
  json host_config = json::object();
  ApplyDesired(desired, &config, &host_config);
  if (!config["Labels"].is_object()) config["Labels"] = json::object();
  config["Labels"][kRunLabel] = run_label;
  config["HostConfig"] = host_config;
  CreateRequest request;
  request.body = config.dump();
  return request;
}

}  // namespace upgrade::docker
