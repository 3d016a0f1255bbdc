// Reading and pulling images through the Engine API.
#include "providers/docker/image_ops.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "providers/docker/image_ref.h"

namespace upgrade::docker {
namespace {

using nlohmann::json;

// Turns the pull stream's JSON lines into progress reports and remembers the first error.
class PullProgress {
 public:
  PullProgress(std::string name, ProviderContext& context) : name_(std::move(name)),
                                                             context_(context) {}

  bool Feed(const char* data, size_t size) {
    pending_.append(data, size);
    size_t newline;
    while ((newline = pending_.find('\n')) != std::string::npos) {
      Line(pending_.substr(0, newline));
      pending_.erase(0, newline + 1);
    }
    return context_.cancelled == nullptr || !context_.cancelled->load();
  }

  void Finish() {
    if (!pending_.empty()) Line(pending_);
    pending_.clear();
  }

  const std::string& error() const { return error_; }

 private:
  void Line(const std::string& text) {
    auto line = json::parse(text, nullptr, false);
    if (!line.is_object()) return;
    if (line.contains("error") && error_.empty()) {
      error_ = line["error"].is_string() ? line["error"].get<std::string>() : line["error"].dump();
      return;
    }
    if (!context_.progress || !line.contains("status")) return;
    std::string report = "pulling " + name_ + ": ";
    if (line.contains("id") && line["id"].is_string()) report += line["id"].get<std::string>() + " ";
    report += line["status"].is_string() ? line["status"].get<std::string>() : "";
    const json& detail = line.value("progressDetail", json::object());
    if (detail.is_object() && detail.contains("current") && detail.contains("total") &&
        detail["total"].is_number() && detail["total"].get<double>() > 0) {
      char text_buffer[64];
      std::snprintf(text_buffer, sizeof text_buffer, " %.1f of %.1f MB",
                    detail["current"].get<double>() / 1e6, detail["total"].get<double>() / 1e6);
      report += text_buffer;
    }
    auto now = std::chrono::steady_clock::now();
    // Byte counts change many times a second; status changes always get through.
    bool status_changed = line["status"] != last_status_;
    if (!status_changed && now - last_report_ < std::chrono::milliseconds(250)) return;
    last_status_ = line["status"];
    last_report_ = now;
    context_.progress(report);
  }

  std::string name_;
  ProviderContext& context_;
  std::string pending_;
  std::string error_;
  json last_status_;
  std::chrono::steady_clock::time_point last_report_;
};

}  // namespace

ReadResult ReadImage(DockerApi& api, const std::string& name) {
  ReadResult result;
  ApiResponse response = api.Get("/images/" + name + "/json");
  if (response.status == 404) return result;
  if (!response.ok()) {
    result.error = DescribeFailure(api, "docker.image " + name + ": cannot inspect it", response);
    return result;
  }
  auto inspect = json::parse(response.body, nullptr, false);
  result.state.exists = true;
  result.state.attributes["name"] = name;
  result.state.attributes["id"] = inspect.value("Id", "");
  std::string digest;
  if (inspect.contains("RepoDigests") && inspect["RepoDigests"].is_array() &&
      !inspect["RepoDigests"].empty() && inspect["RepoDigests"][0].is_string()) {
    digest = inspect["RepoDigests"][0].get<std::string>();
    digest = digest.substr(digest.find('@') == std::string::npos ? 0 : digest.find('@') + 1);
  }
  result.state.attributes["digest"] = digest;
  return result;
}

std::string PullImage(DockerApi& api, const std::string& name, ProviderContext& context) {
  ImageRef ref = ParseImageRef(name);
  std::string path = "/images/create?fromImage=" + UrlEncode(ref.repository) +
                     "&tag=" + UrlEncode(ref.digest.empty() ? ref.tag : ref.digest);
  std::vector<std::pair<std::string, std::string>> headers;
  // The credentials travel only in this header; nothing here logs or returns them.
  std::string auth = RegistryAuthFor(ref.registry);
  if (!auth.empty()) headers.emplace_back("X-Registry-Auth", auth);
  PullProgress progress(name, context);
  ApiResponse response = api.Stream(
      "POST", path, "", headers,
      [&progress](const char* data, size_t size) { return progress.Feed(data, size); },
      std::chrono::minutes(30));
  progress.Finish();
  if (!response.ok()) return DescribeFailure(api, "cannot pull image " + name, response);
  if (!progress.error().empty()) return "cannot pull image " + name + ": " + progress.error();
  if (context.progress) context.progress("pulled " + name);
  return "";
}

std::string EnsureImage(DockerApi& api, const std::string& name, ProviderContext& context) {
  ApiResponse response = api.Get("/images/" + name + "/json");
  if (response.ok()) return "";
  if (response.status != 404) return DescribeFailure(api, "cannot inspect image " + name, response);
  return PullImage(api, name, context);
}

std::string ImageConfigJson(DockerApi& api, const std::string& image) {
  ApiResponse response = api.Get("/images/" + image + "/json");
  if (!response.ok()) return "null";
  auto inspect = json::parse(response.body, nullptr, false);
  if (!inspect.is_object() || !inspect.contains("Config")) return "null";
  return inspect["Config"].dump();
}

}  // namespace upgrade::docker
