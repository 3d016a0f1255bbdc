// exec.command with real processes: argv without a shell, shell = true, env, cwd, timeouts that
// kill the process group, non-zero exits, output to the log, undo.
#include "providers/exec/exec_provider.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "tests/support/test_support.h"

namespace upgrade {
namespace {

using testing::ReadFile;
using testing::TempDir;

// True when process `pid` exists and is not a zombie (killed orphans wait for init to reap).
bool Running(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return !stat.empty() && close != std::string::npos && stat.substr(close + 2, 1) != "Z";
}

class ExecProviderTest : public ::testing::Test {
 protected:
  ExecProviderTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_)),
        log_(std::make_shared<spdlog::logger>("exec-test", sink_)) {
    log_->set_pattern("%v");
    context_.log = log_.get();
  }

  ApplyResult Run(Value::Map config) {
    Operation operation{Operation::Kind::kAction, {"exec.command", "step1", std::move(config)},
                        {}};
    prepared_ = provider_.Prepare(operation, context_);
    EXPECT_EQ(prepared_.error, "");
    return provider_.Apply(operation, prepared_.undo, context_);
  }

  std::string Log() {
    log_->flush();
    return log_text_.str();
  }

  ExecProvider provider_;
  ProviderContext context_;
  PrepareResult prepared_;
  std::ostringstream log_text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> log_;
};

TEST_F(ExecProviderTest, RunsArgvWithoutAShell) {
  ApplyResult result = Run({{"argv", Value::List{"/bin/echo", "a  b", "$HOME", "*"}}});
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.output.Get("exit_code"), Value(0));
  EXPECT_EQ(result.output.GetString("stdout"), "a  b $HOME *\n");
  EXPECT_EQ(result.output.GetString("stderr"), "");
  EXPECT_FALSE(prepared_.reversible);
}

TEST_F(ExecProviderTest, RunsOneStringThroughTheShellWhenAsked) {
  ApplyResult result = Run({{"argv", Value::List{"echo $((1 + 2)) | tr 3 x"}}, {"shell", true}});
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.output.GetString("stdout"), "x\n");
  Operation two{Operation::Kind::kAction,
                {"exec.command", "s", {{"argv", Value::List{"a", "b"}}, {"shell", true}}},
                {}};
  EXPECT_EQ(provider_.Apply(two, Value(), context_).error,
            "with shell = true, argv must be one string for /bin/sh -c");
}

TEST_F(ExecProviderTest, PassesEnvironmentAndWorkingDirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir.Join("work"));
  context_.base_dir = dir.path();
  ApplyResult result = Run({{"argv", Value::List{"/bin/sh", "-c", "echo \"$GREETING\"; pwd"}},
                            {"env", Value::Map{{"GREETING", "hello there"}}},
                            {"cwd", "work"}});
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.output.GetString("stdout"), "hello there\n" + dir.Join("work") + "\n");
}

TEST_F(ExecProviderTest, FailsWithTheExitCodeAndTheLastLinesOfStderr) {
  ApplyResult result = Run({{"argv", Value::List{"/bin/sh", "-c",
                                                 "for i in 1 2 3 4 5 6 7; do echo line$i >&2; "
                                                 "done; echo out; exit 3"}}});
  EXPECT_EQ(result.error,
            "command /bin/sh -c 'for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; echo out; "
            "exit 3' exited with code 3:\nline3\nline4\nline5\nline6\nline7");
  EXPECT_EQ(result.output.Get("exit_code"), Value(3));
  EXPECT_EQ(result.output.GetString("stdout"), "out\n");
}

TEST_F(ExecProviderTest, ReportsAProgramThatCannotRun) {
  ApplyResult result = Run({{"argv", Value::List{"/nonexistent/program"}}});
  EXPECT_EQ(result.error, "cannot run /nonexistent/program: no such file or directory");
  ApplyResult bad_cwd = Run({{"argv", Value::List{"/bin/true"}}, {"cwd", "/nonexistent"}});
  EXPECT_EQ(bad_cwd.error, "cannot change directory: no such file or directory");
}

// The command leaves a background child behind; the timeout must kill the whole group.
TEST_F(ExecProviderTest, TimeoutKillsTheProcessGroup) {
  TempDir dir;
  std::string pid_file = dir.Join("pid");
  auto start = std::chrono::steady_clock::now();
  ApplyResult result = Run({{"argv", Value::List{"sleep 30 & echo $! > " + pid_file +
                                                 "; echo started; wait"}},
                            {"shell", true},
                            {"timeout", Duration(500)}});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.error.substr(0, 8), "command ");
  EXPECT_NE(result.error.find("timed out after 500ms and was killed"), std::string::npos)
      << result.error;
  EXPECT_EQ(result.output.GetString("stdout"), "started\n");
  EXPECT_LT(elapsed, std::chrono::seconds(4));
  pid_t background = std::stoi(ReadFile(pid_file));
  for (int i = 0; i < 50 && Running(background); ++i) usleep(20000);  // SIGKILL takes a moment
  EXPECT_FALSE(Running(background)) << "background sleep " << background << " survived";
}

TEST_F(ExecProviderTest, SendsOutputToTheLogLineByLine) {
  ApplyResult result = Run({{"argv", Value::List{"/bin/sh", "-c", "echo one; echo two >&2"}}});
  EXPECT_EQ(result.error, "");
  std::string log = Log();
  EXPECT_NE(log.find("step1: running /bin/sh -c 'echo one; echo two >&2'\n"), std::string::npos)
      << log;
  EXPECT_NE(log.find("step1: one\n"), std::string::npos) << log;
  EXPECT_NE(log.find("step1: stderr: two\n"), std::string::npos) << log;
  EXPECT_NE(log.find("step1: exited with code 0\n"), std::string::npos) << log;
}

TEST_F(ExecProviderTest, KeepsSensitiveArgumentsOutOfLogsAndErrors) {
  ApplyResult result = Run({{"argv", Value::List{"/bin/sh", "-c", "exit 1",
                                                 Value("hunter2").MarkSensitive()}},
                            {"env", Value::Map{{"TOKEN", Value("s3cret").MarkSensitive()}}}});
  EXPECT_EQ(result.error, "command /bin/sh -c 'exit 1' (sensitive value) exited with code 1");
  EXPECT_EQ(Log().find("hunter2"), std::string::npos);
  EXPECT_EQ(Log().find("s3cret"), std::string::npos);
}

TEST_F(ExecProviderTest, BoundsTheOutputItKeeps) {
  ApplyResult result =
      Run({{"argv", Value::List{"/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x"}}});
  EXPECT_EQ(result.error, "");
  std::string out = result.output.GetString("stdout");
  EXPECT_EQ(out.rfind("(134464 earlier bytes left out)\n", 0), 0u) << out.substr(0, 50);
  EXPECT_EQ(out.size(), std::string("(134464 earlier bytes left out)\n").size() + 65536);
}

TEST_F(ExecProviderTest, ReverseRunsTheUndoCommand) {
  TempDir dir;
  context_.base_dir = dir.path();
  ApplyResult result = Run({{"argv", Value::List{"/bin/sh", "-c", "echo x > marker"}},
                            {"undo", Value::List{"/bin/rm", "-f", "marker"}}});
  EXPECT_EQ(result.error, "");
  EXPECT_TRUE(prepared_.reversible);
  EXPECT_TRUE(std::filesystem::exists(dir.Join("marker")));
  ReverseRequest reverse{Operation::Kind::kAction, {"exec.command", "step1", {}}, prepared_.undo};
  context_.base_dir = "/";  // the undo record carries the directory it needs
  EXPECT_EQ(provider_.Reverse(reverse, context_).error, "");
  EXPECT_FALSE(std::filesystem::exists(dir.Join("marker")));
  EXPECT_EQ(provider_.Reverse(reverse, context_).error, "");  // rm -f: idempotent
}

TEST_F(ExecProviderTest, UndoThroughTheShellAndItsFailure) {
  ApplyResult result = Run({{"argv", Value::List{"/bin/true"}},
                            {"undo", Value::List{"echo undoing >&2; exit 4"}},
                            {"undo_shell", true}});
  EXPECT_EQ(result.error, "");
  ReverseRequest reverse{Operation::Kind::kAction, {"exec.command", "step1", {}}, prepared_.undo};
  EXPECT_EQ(provider_.Reverse(reverse, context_).error,
            "command /bin/sh -c 'echo undoing >&2; exit 4' exited with code 4:\nundoing");
  ReverseRequest none{Operation::Kind::kAction, {"exec.command", "step2", {}}, Value()};
  EXPECT_EQ(provider_.Reverse(none, context_).error, "step step2 ran a command without undo");
}

TEST_F(ExecProviderTest, DescribesItsActionSchema) {
  SchemaRegistry registry;
  provider_.Describe(registry);
  const ActionSchema* schema = registry.FindAction("exec.command");
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->undo_attribute, "undo");
  EXPECT_TRUE(schema->Find("argv")->required);
  EXPECT_EQ(schema->Find("timeout")->type, AttrType::kDuration);
  EXPECT_EQ(registry.ResourceNames().size(), 0u);
}

TEST_F(ExecProviderTest, HasNoResourceTypeToReadOrDiff) {
  ResourceConfig resource{"exec.file", "f", {}};
  EXPECT_EQ(provider_.Read(resource, context_).error,
            "the exec provider has no resource type exec.file");
  DiffRequest request;
  request.resource = resource;
  EXPECT_EQ(provider_.Diff(request).error, "the exec provider has no resource type exec.file");
}

}  // namespace
}  // namespace upgrade
