// docker.exec through POST /containers/{id}/exec, /exec/{id}/start and /exec/{id}/json.
#include "providers/docker/exec_action.h"

#include <cctype>

#include <nlohmann/json.hpp>

namespace upgrade::docker {
namespace {

using nlohmann::json;

std::string Joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

std::string Tail(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.size() > 400) text = "..." + text.substr(text.size() - 400);
  return text;
}

}  // namespace

std::string ContainerNameOf(const Value& value) {
  if (value.is_map()) return value.GetString("name");
  return value.is_null() ? "" : value.ToInterpolation();
}

std::vector<std::string> ArgvOf(const Value& value) {
  if (value.is_string()) return {"/bin/sh", "-c", value.as_string()};
  std::vector<std::string> argv;
  if (value.is_list()) {
    for (const Value& item : value.as_list()) argv.push_back(item.ToInterpolation());
  }
  return argv;
}

ExecOutcome RunExec(DockerApi& api, const std::string& container,
                    const std::vector<std::string>& argv, const Value::Map& env,
                    const std::string& user, const std::string& workdir) {
  ExecOutcome outcome;
  json request = {{"AttachStdout", true}, {"AttachStderr", true}, {"Cmd", argv}};
  if (!env.empty()) {
    json list = json::array();
    for (const auto& [key, value] : env) list.push_back(key + "=" + value.ToInterpolation());
    request["Env"] = list;
  }
  if (!user.empty()) request["User"] = user;
  if (!workdir.empty()) request["WorkingDir"] = workdir;
  ApiResponse created = api.Post("/containers/" + UrlEncode(container) + "/exec", request.dump());
  if (!created.ok()) {
    outcome.error = created.status == 404
                        ? "container " + container + " does not exist"
                        : DescribeFailure(api, "container " + container + ": cannot exec", created);
    return outcome;
  }
  std::string exec_id = json::parse(created.body, nullptr, false).value("Id", "");
  StreamDemuxer demuxer;
  ApiResponse started = api.Stream(
      "POST", "/exec/" + exec_id + "/start", json{{"Detach", false}, {"Tty", false}}.dump(), {},
      [&demuxer](const char* data, size_t size) {
        demuxer.Feed(data, size);
        return true;
      },
      std::chrono::hours(1));
  if (!started.ok()) {
    outcome.error = DescribeFailure(api, "container " + container + ": cannot exec", started);
    return outcome;
  }
  outcome.out = demuxer.out;
  outcome.err = demuxer.err;
  ApiResponse inspected = api.Get("/exec/" + exec_id + "/json");
  if (!inspected.ok()) {
    outcome.error = DescribeFailure(api, "container " + container + ": cannot read exec result",
                                    inspected);
    return outcome;
  }
  outcome.exit_code = json::parse(inspected.body, nullptr, false).value("ExitCode", -1);
  return outcome;
}

ApplyResult ApplyExec(DockerApi& api, const Operation& operation) {
  ApplyResult result;
  const Value::Map& config = operation.resource.config;
  auto get = [&config](const char* key) {
    auto it = config.find(key);
    return it == config.end() ? Value() : it->second;
  };
  std::string container = ContainerNameOf(get("container"));
  std::vector<std::string> argv = ArgvOf(get("argv"));
  Value env = get("env");
  ExecOutcome outcome = RunExec(api, container, argv, env.is_map() ? env.as_map() : Value::Map{},
                                get("user").is_string() ? get("user").as_string() : "",
                                get("workdir").is_string() ? get("workdir").as_string() : "");
  if (!outcome.error.empty()) {
    result.error = "docker.exec: " + outcome.error;
    return result;
  }
  Value::Map output;
  output["exit_code"] = outcome.exit_code;
  output["stdout"] = outcome.out;
  output["stderr"] = outcome.err;
  result.output = Value(output);
  if (outcome.exit_code != 0) {
    std::string why = Tail(outcome.err.empty() ? outcome.out : outcome.err);
    result.error = "docker.exec in container " + container + ": `" + Joined(argv) +
                   "` exited with code " + std::to_string(outcome.exit_code) +
                   (why.empty() ? "" : ": " + why);
  }
  return result;
}

ReverseResult ReverseExec(DockerApi& api, const ReverseRequest& request) {
  ReverseResult result;
  std::vector<std::string> argv = ArgvOf(request.undo.Get("undo"));
  if (argv.empty()) return result;
  std::string container = request.undo.GetString("container");
  const Value& env = request.undo.Get("env");
  ExecOutcome outcome = RunExec(api, container, argv, env.is_map() ? env.as_map() : Value::Map{},
                                request.undo.GetString("user"), request.undo.GetString("workdir"));
  if (!outcome.error.empty()) {
    result.error = "docker.exec undo: " + outcome.error;
  } else if (outcome.exit_code != 0) {
    result.error = "docker.exec undo in container " + container + ": `" + Joined(argv) +
                   "` exited with code " + std::to_string(outcome.exit_code) + ": " +
                   Tail(outcome.err.empty() ? outcome.out : outcome.err);
  }
  return result;
}

}  // namespace upgrade::docker
