// The scripted loopback HTTP server of the s3 tests (see s3_test_server.h).
#include "providers/s3/s3_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace upgrade::s3::testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

bool ReadMore(int connection, std::string* buffer) {
  char chunk[65536];
  ssize_t got = ::recv(connection, chunk, sizeof chunk, 0);
  if (got <= 0) return false;
  buffer->append(chunk, static_cast<size_t>(got));
  return true;
}

}  // namespace

ScriptedServer::ScriptedServer() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::listen(listener_, 16);
  socklen_t size = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

ScriptedServer::~ScriptedServer() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  thread_.join();
  ::close(listener_);
}

void ScriptedServer::Script(ScriptedResponse response) {
  std::lock_guard<std::mutex> lock(mutex_);
  script_.push_back(std::move(response));
}

std::vector<ReceivedRequest> ScriptedServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void ScriptedServer::Serve() {
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 100) <= 0) continue;
    int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    Handle(connection);
    ::close(connection);
  }
}

void ScriptedServer::Handle(int connection) {
  std::string buffer;
  size_t header_end;
  while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos)
    if (!ReadMore(connection, &buffer)) return;
  ReceivedRequest request;
  size_t line_end = buffer.find("\r\n");
  std::string request_line = buffer.substr(0, line_end);
  size_t space = request_line.find(' ');
  request.method = request_line.substr(0, space);
  request.target = request_line.substr(space + 1, request_line.rfind(' ') - space - 1);
  size_t at = line_end + 2;
  while (at < header_end) {
    size_t end = buffer.find("\r\n", at);
    std::string line = buffer.substr(at, end - at);
    size_t colon = line.find(':');
    if (colon != std::string::npos)
      request.headers.emplace(Lower(Trim(line.substr(0, colon))), Trim(line.substr(colon + 1)));
    at = end + 2;
  }
  auto length = request.headers.find("content-length");
  size_t body_size = length == request.headers.end() ? 0 : std::strtoul(length->second.c_str(),
                                                                          nullptr, 10);
  auto expect = request.headers.find("expect");
  if (expect != request.headers.end() && Lower(expect->second) == "100-continue") {
    std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    ::send(connection, go_on.data(), go_on.size(), MSG_NOSIGNAL);
  }
  request.body = buffer.substr(header_end + 4);
  while (request.body.size() < body_size)
    if (!ReadMore(connection, &request.body)) break;
  ScriptedResponse response;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    if (!script_.empty()) {
      response = script_.front();
      script_.pop_front();
    }
  }
  std::string text = "HTTP/1.1 " + std::to_string(response.status) + " Scripted\r\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\r\n";
  if (request.method != "HEAD")
    text += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  text += "Connection: close\r\n\r\n";
  if (request.method != "HEAD") text += response.body;
  ::send(connection, text.data(), text.size(), MSG_NOSIGNAL);
}

}  // namespace upgrade::s3::testing
