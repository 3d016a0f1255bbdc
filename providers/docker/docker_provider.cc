// The docker provider's schema and the dispatch of each verb to images, containers and exec.
#include "providers/docker/docker_provider.h"

#include "providers/docker/container_ops.h"
#include "providers/docker/container_spec.h"
#include "providers/docker/exec_action.h"
#include "providers/docker/image_ops.h"

namespace upgrade::docker {
namespace {

AttributeSchema Attr(std::string name, AttrType type, std::string description,
                     bool forces = false) {
  AttributeSchema attribute;
  attribute.name = std::move(name);
  attribute.type = type;
  attribute.description = std::move(description);
  attribute.forces_replacement = forces;
  return attribute;
}

AttributeSchema Identity(std::string name, std::string description, bool required) {
  AttributeSchema attribute = Attr(std::move(name), AttrType::kString, std::move(description));
  attribute.identity = true;
  attribute.required = required;
  return attribute;
}

AttributeSchema Computed(std::string name, AttrType type, std::string description) {
  AttributeSchema attribute = Attr(std::move(name), type, std::move(description));
  attribute.computed = true;
  return attribute;
}

ResourceTypeSchema ImageSchema() {
  ResourceTypeSchema schema;
  schema.type = "docker.image";
  schema.description = "an image present on the daemon, pulled from its registry when missing";
  schema.attributes = {
      Identity("name", "the reference: repository:tag or repository@sha256:digest", true),
      Identity("host", "the daemon: unix:///path or tcp://host:port", false),
      Attr("absent", AttrType::kBool, "true: remove the image (not reversible)"),
      Computed("id", AttrType::kString, "the image ID (sha256:...)"),
      Computed("digest", AttrType::kString, "the registry digest, when it has one"),
  };
  return schema;
}

ResourceTypeSchema ContainerSchema() {
  ResourceTypeSchema schema;
  schema.type = "docker.container";
  schema.description = "a container, recreated with its configuration kept when that changes";
  schema.attributes = {
      Identity("name", "the container's name", true),
      Identity("host", "the daemon: unix:///path or tcp://host:port", false),
      Attr("image", AttrType::kString, "the image it runs", true),
      Attr("command", AttrType::kAny, "Cmd; null: the image's default", true),
      Attr("entrypoint", AttrType::kAny, "Entrypoint; null: the image's default", true),
      Attr("env", AttrType::kMap, "its own environment (not what the image sets)", true),
      Attr("labels", AttrType::kMap, "its own labels (not the image's)", true),
      Attr("ports", AttrType::kList, "published ports, [IP:]HOST:CONTAINER[/PROTO]", true),
      Attr("mounts", AttrType::kList, "bind and volume mounts, SOURCE:TARGET[:ro]", true),
      Attr("network_mode", AttrType::kString, "host, none, bridge or a network's name", true),
      Attr("restart", AttrType::kString, "no, always, unless-stopped, on-failure[:N]", true),
      Attr("healthcheck", AttrType::kMap, "{test, interval, timeout, retries, start_period}",
           true),
      Attr("init", AttrType::kBool, "run an init process as PID 1", true),
      Attr("state", AttrType::kString, "running, stopped or absent"),
      Attr("absent", AttrType::kBool, "true: remove it (kept aside until the run ends)"),
      Attr("health_timeout", AttrType::kDuration, "how long to wait for healthy (60s)"),
      Attr("min_uptime", AttrType::kDuration,
           "without a healthcheck, how long it must keep running after start (1s)"),
      Attr("stop_timeout", AttrType::kDuration, "grace period before SIGKILL on stop"),
      Attr("keep_old", AttrType::kNumber, "old containers kept after a successful run (0)"),
      Computed("id", AttrType::kString, "the container ID"),
      Computed("image_id", AttrType::kString, "the ID of the image it runs"),
      Computed("health", AttrType::kString, "healthy, unhealthy, starting or none"),
  };
  return schema;
}

ActionSchema ExecSchema() {
  ActionSchema schema;
  schema.type = "docker.exec";
  schema.description = "runs a command inside a running container";
  AttributeSchema container = Attr("container", AttrType::kAny, "a docker.container or a name");
  container.required = true;
  AttributeSchema argv = Attr("argv", AttrType::kAny, "the command, a list (or a shell string)");
  argv.required = true;
  schema.attributes = {container, argv,
                       Attr("undo", AttrType::kAny, "the command that reverses it"),
                       Attr("env", AttrType::kMap, "extra environment"),
                       Attr("user", AttrType::kString, "user to run as"),
                       Attr("workdir", AttrType::kString, "working directory"),
                       Attr("host", AttrType::kString, "the daemon")};
  return schema;
}

FunctionSchema Function(std::string name, std::string description) {
  FunctionSchema schema;
  schema.name = std::move(name);
  schema.min_args = 1;
  schema.max_args = 1;
  schema.arg_types = {AttrType::kAny};
  schema.reads_systems = true;
  schema.description = std::move(description);
  return schema;
}

Value ConfigValue(const Value::Map& config, const char* key) {
  auto it = config.find(key);
  return it == config.end() ? Value() : it->second;
}

std::string ResourceName(const ResourceConfig& resource) {
  Value name = ConfigValue(resource.config, "name");
  return name.is_string() ? name.as_string() : resource.name;
}

}  // namespace

DockerProvider::DockerProvider(std::string default_host) : default_host_(std::move(default_host)) {}

void DockerProvider::Describe(SchemaRegistry& registry) const {
  registry.AddResource(ImageSchema());
  registry.AddResource(ContainerSchema());
  registry.AddAction(ExecSchema());
  registry.AddFunction(Function("docker.healthy",
                                "true when the container runs and Docker reports it healthy "
                                "(or it has no healthcheck)"));
  registry.AddFunction(Function("docker.running", "true when the container runs"));
  registry.AddFunction(Function("docker.health",
                                "Docker's health status: healthy, unhealthy, starting, none, "
                                "or absent"));
  registry.AddFunction(Function("docker.container_id", "the ID of the container with that name"));
  registry.AddFunction(Function("docker.image_id",
                                "the image ID of an image name, or of the image a container runs"));
}

std::unique_ptr<DockerApi> DockerProvider::Open(const Value& host_attribute, std::string* error) {
  std::string host = ChooseHost(host_attribute.is_string() ? host_attribute.as_string() : "",
                                default_host_);
  return OpenDockerApi(host, &versions_, error);
}

ReadResult DockerProvider::Read(const ResourceConfig& resource, ProviderContext&) {
  ReadResult result;
  std::string name = ResourceName(resource);
  auto api = Open(ConfigValue(resource.config, "host"), &result.error);
  if (!api) {
    result.error = resource.type + " " + name + ": " + result.error;
    return result;
  }
  if (resource.type == "docker.image") return ReadImage(*api, name);
  if (resource.type == "docker.container") return ReadContainer(*api, name);
  result.error = "unknown resource type " + resource.type;
  return result;
}

DiffResult DockerProvider::Diff(const DiffRequest& request) const {
  std::string name = ResourceName(request.resource);
  if (request.resource.type == "docker.container") {
    return DiffContainer(name, request.prior, request.desired);
  }
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  change.after = request.prior;
  auto absent = request.desired.find("absent");
  bool wants_absent = absent != request.desired.end() && absent->second.IsTrue();
  if (wants_absent && request.prior.exists) {
    change.action = ChangeAction::kDelete;
    change.after = State{};
    change.notes.push_back("an image removed is not put back by rollback");
  } else if (!wants_absent && !request.prior.exists) {
    change.action = ChangeAction::kCreate;
    change.after.exists = true;
    change.after.attributes = {{"name", Value(name)},
                               {"id", Value(Unknown{})},
                               {"digest", Value(Unknown{})}};
    change.attributes.push_back({"id", Value(), Value(Unknown{})});
    change.notes.push_back("pulled from its registry");
  }
  return result;
}

PrepareResult DockerProvider::Prepare(const Operation& operation, ProviderContext& context) {
  PrepareResult result;
  const ResourceConfig& resource = operation.resource;
  if (operation.kind == Operation::Kind::kAction) {
    Value::Map undo = resource.config;
    undo["container"] = ContainerNameOf(ConfigValue(resource.config, "container"));
    undo.erase("argv");
    result.reversible = !ArgvOf(ConfigValue(resource.config, "undo")).empty();
    result.undo = Value(undo);
    return result;
  }
  std::string name = ResourceName(resource);
  if (resource.type == "docker.image") {
    result.reversible = operation.change.action != ChangeAction::kDelete;
    result.undo = Value(Value::Map{{"op", Value(ChangeActionName(operation.change.action))},
                                   {"name", Value(name)}});
    return result;
  }
  auto api = Open(ConfigValue(resource.config, "host"), &result.error);
  if (!api) {
    result.error = "container " + name + ": " + result.error;
    return result;
  }
  return PrepareContainer(*api, operation, context);
}

ApplyResult DockerProvider::Apply(const Operation& operation, const Value& undo,
                                  ProviderContext& context) {
  ApplyResult result;
  const ResourceConfig& resource = operation.resource;
  bool action = operation.kind == Operation::Kind::kAction;
  std::string name = action ? "docker.exec" : ResourceName(resource);
  auto api = Open(ConfigValue(resource.config, "host"), &result.error);
  if (!api) {
    result.error = (action ? name : resource.type + " " + name) + ": " + result.error;
    return result;
  }
  if (action) return ApplyExec(*api, operation);
  if (resource.type == "docker.container") return ApplyContainer(*api, operation, undo, context);
  if (operation.change.action == ChangeAction::kCreate) {
    result.error = PullImage(*api, name, context);
    if (!result.error.empty()) {
      result.error = "docker.image " + name + ": " + result.error;
      return result;
    }
  } else if (operation.change.action == ChangeAction::kDelete) {
    ApiResponse removed = api->Delete("/images/" + name);
    if (!removed.ok() && removed.status != 404) {
      result.error = DescribeFailure(*api, "docker.image " + name + ": cannot remove it", removed);
      return result;
    }
  }
  ReadResult read = ReadImage(*api, name);
  result.state = read.state;
  result.error = read.error;
  return result;
}

ReverseResult DockerProvider::Reverse(const ReverseRequest& request, ProviderContext& context) {
  ReverseResult result;
  bool action = request.kind == Operation::Kind::kAction;
  std::string name = action ? "docker.exec" : ResourceName(request.resource);
  Value host = action ? request.undo.Get("host") : ConfigValue(request.resource.config, "host");
  auto api = Open(host, &result.error);
  if (!api) {
    result.error = (action ? name : request.resource.type + " " + name) + ": " + result.error;
    return result;
  }
  if (action) return ReverseExec(*api, request);
  if (request.resource.type == "docker.container") return ReverseContainer(*api, request, context);
  if (request.undo.GetString("op") == "create") {
    // The image was pulled by this run: take its name away again (the layers go with it when
    // no other name or container holds them).
    ApiResponse removed = api->Delete("/images/" + name);
    if (!removed.ok() && removed.status != 404) {
      result.error = DescribeFailure(*api, "docker.image " + name + ": cannot remove it", removed);
      return result;
    }
  }
  ReadResult read = ReadImage(*api, name);
  result.state = read.state;
  result.error = read.error;
  return result;
}

std::string DockerProvider::OnKeptContainer(
    const ReverseRequest& request, const std::function<std::string(DockerApi& api)>& act) {
  if (!KeepsAside(request)) return "";
  std::string error;
  auto api = Open(ConfigValue(request.resource.config, "host"), &error);
  if (!api) return "container " + ResourceName(request.resource) + ": " + error;
  return act(*api);
}

std::string DockerProvider::CheckReverse(const ReverseRequest& request, ProviderContext&) {
  return OnKeptContainer(request,
                         [&](DockerApi& api) { return CheckContainerReverse(api, request); });
}

// A recreated container keeps its old one aside (stopped and renamed) until the run succeeds.
bool DockerProvider::KeepsAside(const ReverseRequest& request) const {
  return request.kind == Operation::Kind::kChange && request.resource.type == "docker.container";
}

std::string DockerProvider::Release(const ReverseRequest& request, ProviderContext& context) {
  return OnKeptContainer(
      request, [&](DockerApi& api) { return ReleaseContainer(api, request, context); });
}

CallResult DockerProvider::Call(const std::string& name, const std::vector<Value>& args,
                                ProviderContext&) {
  CallResult result;
  if (args.size() != 1) {
    result.error = name + " takes one argument";
    return result;
  }
  std::string target = ContainerNameOf(args[0]);
  auto api = Open(args[0].is_map() ? args[0].Get("host") : Value(), &result.error);
  if (!api) {
    result.error = name + "(" + target + "): " + result.error;
    return result;
  }
  if (name == "docker.image_id" && !(args[0].is_map() && args[0].as_map().count("state"))) {
    ReadResult image = ReadImage(*api, args[0].is_map() ? args[0].GetString("name") : target);
    if (!image.error.empty() || image.state.exists) {
      result.error = image.error;
      result.value = image.state.attributes["id"];
      return result;
    }
  }
  ContainerStatus status;
  result.error = InspectStatus(*api, target, &status);
  if (!result.error.empty()) return result;
  if (name == "docker.healthy") {
    result.value = status.running && (status.health == "healthy" || status.health == "none");
  } else if (name == "docker.running") {
    result.value = status.running;
  } else if (name == "docker.health") {
    result.value = status.health;
  } else if (name == "docker.container_id" || name == "docker.image_id") {
    if (!status.exists) {
      result.error = name + ": no container or image named " + target;
    } else {
      result.value = name == "docker.container_id" ? status.id : status.image_id;
    }
  } else {
    result.error = "unknown function " + name;
  }
  return result;
}

}  // namespace upgrade::docker
