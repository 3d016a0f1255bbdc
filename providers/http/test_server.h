// A local HTTP server for tests: testdata/test_server.py run as a child process, on a free
// loopback port or on a unix socket, stopped when the object goes away.
#pragma once

#include <string>
#include <sys/types.h>

namespace upgrade::testing {

/// A running testdata/test_server.py; see that file for the paths it serves.
class LocalHttpServer {
 public:
  /// Starts on a free port of 127.0.0.1, or on the unix socket `unix_socket` when given.
  explicit LocalHttpServer(const std::string& unix_socket = "");
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT" + `path`.
  std::string Url(const std::string& path) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

/// A loopback port that nothing listens on (bound, then closed), for "connection refused".
int UnusedPort();

}  // namespace upgrade::testing
