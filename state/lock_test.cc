// Tests of the state lock: a live holder refuses others and is named; a dead holder's lock is
// taken over; force-unlock removes it.
#include "state/lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/test_support.h"

namespace upgrade {
namespace {

using testing::TempDir;

// Forks a child that takes the lock, tells the parent, then waits to be killed.
pid_t HoldLockInChild(const std::string& dir, const std::string& run_id) {
  int ready[2];
  EXPECT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    std::string error;
    auto lock = StateLock::Acquire(dir, LockHolder::Current(run_id), &error);
    char byte = lock ? '1' : '0';
    if (write(ready[1], &byte, 1) != 1) _exit(2);
    for (;;) pause();
  }
  close(ready[1]);
  char byte = 0;
  EXPECT_EQ(read(ready[0], &byte, 1), 1);
  EXPECT_EQ(byte, '1');
  close(ready[0]);
  return pid;
}

void KillHard(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

TEST(LockTest, SecondHolderIsRefusedNamingTheFirst) {
  TempDir dir;
  pid_t child = HoldLockInChild(dir.path(), "run-one");
  std::string error;
  auto lock = StateLock::Acquire(dir.path(), LockHolder::Current("run-two"), &error);
  EXPECT_EQ(lock, nullptr);
  LockHolder me = LockHolder::Current("");
  EXPECT_NE(error.find("state " + dir.path() + " is locked by " + me.user + "@" + me.host +
                       ", pid " + std::to_string(child) + ", run run-one, since "),
            std::string::npos)
      << error;
  bool held = false;
  std::optional<LockHolder> holder = StateLock::ReadHolder(dir.path(), &held);
  EXPECT_TRUE(held);
  ASSERT_TRUE(holder);
  EXPECT_EQ(holder->pid, child);
  KillHard(child);
}

TEST(LockTest, DeadHoldersLockIsTakenOver) {
  TempDir dir;
  pid_t child = HoldLockInChild(dir.path(), "run-dead");
  KillHard(child);
  bool held = true;
  std::optional<LockHolder> recorded = StateLock::ReadHolder(dir.path(), &held);
  EXPECT_FALSE(held);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->run_id, "run-dead");

  std::string error;
  std::optional<LockHolder> previous;
  auto lock = StateLock::Acquire(dir.path(), LockHolder::Current("run-new"), &error, &previous);
  ASSERT_NE(lock, nullptr) << error;
  ASSERT_TRUE(previous);
  EXPECT_EQ(previous->pid, child);
  EXPECT_EQ(previous->run_id, "run-dead");
}

TEST(LockTest, ReleasedLockIsFreeAndRecordsNoHolder) {
  TempDir dir;
  std::string error;
  {
    auto lock = StateLock::Acquire(dir.path(), LockHolder::Current("r"), &error);
    ASSERT_NE(lock, nullptr) << error;
    // A second acquisition from this same process is refused too: the lock is per open file.
    EXPECT_EQ(StateLock::Acquire(dir.path(), LockHolder::Current("r2"), &error), nullptr);
  }
  std::optional<LockHolder> previous;
  auto again = StateLock::Acquire(dir.path(), LockHolder::Current("r3"), &error, &previous);
  ASSERT_NE(again, nullptr) << error;
  EXPECT_FALSE(previous);
}

TEST(LockTest, ForceUnlockRemovesALiveHoldersLock) {
  TempDir dir;
  std::string error;
  std::optional<LockHolder> removed;
  EXPECT_FALSE(StateLock::ForceUnlock(dir.path(), &removed, &error));
  EXPECT_EQ(error, "state " + dir.path() + " is not locked");

  pid_t child = HoldLockInChild(dir.path(), "stuck");
  ASSERT_TRUE(StateLock::ForceUnlock(dir.path(), &removed, &error)) << error;
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->run_id, "stuck");
  auto lock = StateLock::Acquire(dir.path(), LockHolder::Current("after"), &error);
  EXPECT_NE(lock, nullptr) << error;
  KillHard(child);
}

}  // namespace
}  // namespace upgrade
