// http.get over the shared HTTP client: status, body, headers, and the body parsed as JSON
// when it is JSON. Transport failures are errors naming the url (its password masked).
#include "providers/http/http_provider.h"

#include <nlohmann/json.hpp>

#include "providers/http/http_client.h"

namespace upgrade {
namespace {

constexpr Duration kDefaultTimeout{10000};

Value JsonToValue(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::object: {
      Value::Map map;
      for (const auto& [key, item] : json.items()) map[key] = JsonToValue(item);
      return Value(std::move(map));
    }
    case nlohmann::json::value_t::array: {
      Value::List list;
      for (const auto& item : json) list.push_back(JsonToValue(item));
      return Value(std::move(list));
    }
    case nlohmann::json::value_t::string: return Value(json.get<std::string>());
    case nlohmann::json::value_t::boolean: return Value(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return Value(json.get<double>());
    default: return Value();
  }
}

// Reads the options map of http.get into `request`; returns an error text, empty when fine.
std::string ReadOptions(const Value& options, HttpRequest& request) {
  if (options.is_null()) return "";
  if (!options.is_map()) return "the second argument must be a map of options";
  for (const auto& [name, value] : options.as_map()) {
    if (name == "timeout") {
      if (value.is_duration()) request.timeout = value.as_duration();
      else if (value.is_number()) request.timeout = Duration(static_cast<long long>(value.as_number() * 1000));
      else return "timeout must be a duration, like 5s";
    } else if (name == "headers") {
      if (!value.is_map()) return "headers must be a map of names to values";
      for (const auto& [header, text] : value.as_map()) {
        request.headers.emplace_back(header, text.is_string() ? text.as_string()
                                                              : text.ToInterpolation());
      }
    } else {
      return "unknown option " + name + " (known: headers, timeout)";
    }
  }
  return "";
}

CallResult Get(const std::vector<Value>& args) {
  CallResult result;
  if (args.empty() || args.size() > 2) {
    result.error = "http.get takes a url and an optional map of options";
    return result;
  }
  if (!args[0].is_string()) {
    result.error = "http.get: the url must be a string";
    return result;
  }
  const std::string& url = args[0].as_string();
  std::string shown = args[0].sensitive() ? kSensitiveText : MaskUrlPassword(url);
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    result.error = "http.get " + shown + ": only http:// and https:// urls are supported";
    return result;
  }
  HttpRequest request;
  request.url = url;
  request.timeout = kDefaultTimeout;
  std::string error = ReadOptions(args.size() > 1 ? args[1] : Value(), request);
  if (!error.empty()) {
    result.error = "http.get: " + error;
    return result;
  }
  HttpClient client;
  HttpResponse response = client.Send(request);
  if (!response.error.empty()) {
    result.error = "http.get " + shown + ": " + response.error;
    return result;
  }
  Value::Map headers;
  for (const auto& [name, value] : response.headers) headers[name] = value;
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  Value::Map answer{{"status", response.status},
                    {"body", response.body},
                    {"json", json.is_discarded() ? Value() : JsonToValue(json)},
                    {"headers", std::move(headers)}};
  result.value = Value(std::move(answer));
  return result;
}

}  // namespace

void HttpProvider::Describe(SchemaRegistry& registry) const {
  FunctionSchema get;
  get.name = "http.get";
  get.min_args = 1;
  get.max_args = 2;
  get.arg_types = {AttrType::kString, AttrType::kMap};
  get.reads_systems = true;
  get.description =
      "GET url ({timeout = 10s, headers = {}}): {status, body, json, headers}; json is null "
      "unless the body is JSON";
  registry.AddFunction(std::move(get));
}

PrepareResult HttpProvider::Prepare(const Operation& operation, ProviderContext&) {
  PrepareResult result;
  result.error = "the http provider has nothing to change (" + operation.resource.type + ")";
  return result;
}

ApplyResult HttpProvider::Apply(const Operation& operation, const Value&, ProviderContext&) {
  ApplyResult result;
  result.error = "the http provider has nothing to change (" + operation.resource.type + ")";
  return result;
}

ReverseResult HttpProvider::Reverse(const ReverseRequest& request, ProviderContext&) {
  ReverseResult result;
  result.error = "the http provider has nothing to reverse (" + request.resource.type + ")";
  return result;
}

CallResult HttpProvider::Call(const std::string& name, const std::vector<Value>& args,
                              ProviderContext&) {
  if (name != "http.get") {
    CallResult result;
    result.error = "unknown function " + name;
    return result;
  }
  try {
    return Get(args);
  } catch (const std::exception& e) {
    CallResult result;
    result.error = std::string("http.get: ") + e.what();
    return result;
  }
}

std::string MaskUrlPassword(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t authority = scheme + 3;
  size_t end = url.find_first_of("/?#", authority);
  size_t at = url.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at == std::string::npos || at < authority) return url;
  size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace upgrade
