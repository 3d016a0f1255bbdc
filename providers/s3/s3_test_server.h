// A scripted HTTP server on a loopback port, inside the test process: it records each request
// (method, target, headers, body) and answers with the next scripted response, or 200 with
// an empty body. Lets tests see the exact Authorization header a request carried, and make
// an S3 answer 503 SlowDown on demand.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace upgrade::s3::testing {

/// One request as the server received it; header names lower-cased.
struct ReceivedRequest {
  std::string method;
  std::string target;
  std::multimap<std::string, std::string> headers;
  std::string body;
};

/// One scripted answer.
struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Serves on 127.0.0.1:port() until destroyed; one connection at a time, closed after each
/// answer.
class ScriptedServer {
 public:
  ScriptedServer();
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Script(ScriptedResponse response);
  std::vector<ReceivedRequest> requests() const;

 private:
  void Serve();
  void Handle(int connection);

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::deque<ScriptedResponse> script_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

}  // namespace upgrade::s3::testing
