// Starts and stops testdata/test_server.py for the http client and provider tests.
#include "providers/http/test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace upgrade::testing {

LocalHttpServer::LocalHttpServer(const std::string& unix_socket) {
  std::string script = SourceDir() + "/providers/http/testdata/test_server.py";
  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    if (unix_socket.empty()) {
      execl("/usr/bin/python3", "python3", script.c_str(), "--port", "0", nullptr);
    } else {
      execl("/usr/bin/python3", "python3", script.c_str(), "--unix", unix_socket.c_str(),
            nullptr);
    }
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  if (line.rfind("READY ", 0) != 0) {
    ADD_FAILURE() << "test server did not start: " << line;
    return;
  }
  port_ = std::stoi(line.substr(6));
}

LocalHttpServer::~LocalHttpServer() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

std::string LocalHttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace upgrade::testing
