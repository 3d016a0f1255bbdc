// Program's lookups by name: the same answers as a scan of the list, however the program was
// built, copied, grown or renamed since the last lookup.
#include "lang/ir.h"

#include <gtest/gtest.h>

#include <thread>

namespace upgrade {
namespace {

Program ProgramWithSteps(int count) {
  Program program;
  for (int i = 0; i < count; ++i) {
    Step step;
    step.name = "s" + std::to_string(i);
    program.steps.push_back(step);
    Resource resource;
    resource.name = "r" + std::to_string(i);
    program.resources.push_back(resource);
  }
  return program;
}

TEST(ProgramIndexTest, FindsEveryNameAndNothingElse) {
  for (int count : {0, 3, 8, 9, 1000}) {
    Program program = ProgramWithSteps(count);
    for (int i = 0; i < count; ++i) {
      const Step* step = program.FindStep("s" + std::to_string(i));
      ASSERT_NE(step, nullptr) << count << " " << i;
      EXPECT_EQ(step, &program.steps[static_cast<std::size_t>(i)]);
      EXPECT_EQ(program.FindResource("r" + std::to_string(i)),
                &program.resources[static_cast<std::size_t>(i)]);
    }
    EXPECT_EQ(program.FindStep("r0"), nullptr);
    EXPECT_EQ(program.FindStep("s" + std::to_string(count)), nullptr);
    EXPECT_EQ(program.FindStep(""), nullptr);
  }
}

TEST(ProgramIndexTest, TheFirstOfTwoItemsWithOneNameWins) {
  Program program = ProgramWithSteps(20);
  program.steps[15].name = "s3";
  EXPECT_EQ(program.FindStep("s3"), &program.steps[3]);
}

TEST(ProgramIndexTest, CopiesAndMovesAnswerForTheirOwnLists) {
  Program original = ProgramWithSteps(50);
  ASSERT_EQ(original.FindStep("s7"), &original.steps[7]);
  Program copy = original;
  EXPECT_EQ(copy.FindStep("s7"), &copy.steps[7]);
  Program moved = std::move(copy);
  EXPECT_EQ(moved.FindStep("s7"), &moved.steps[7]);
  Program assigned;
  ASSERT_EQ(assigned.FindStep("s7"), nullptr);
  assigned = moved;
  EXPECT_EQ(assigned.FindStep("s7"), &assigned.steps[7]);
  EXPECT_EQ(original.FindStep("s7"), &original.steps[7]);
}

TEST(ProgramIndexTest, SeesStepsAddedRemovedAndRenamedAfterALookup) {
  Program program = ProgramWithSteps(50);
  ASSERT_EQ(program.FindStep("late"), nullptr);
  Step late;
  late.name = "late";
  program.steps.push_back(late);
  EXPECT_EQ(program.FindStep("late"), &program.steps.back());
  program.steps.erase(program.steps.begin());
  EXPECT_EQ(program.FindStep("s0"), nullptr);
  EXPECT_EQ(program.FindStep("s1"), &program.steps[0]);
  program.steps[1].name = "renamed";  // was s2
  EXPECT_EQ(program.FindStep("s2"), nullptr);
  EXPECT_EQ(program.FindStep("renamed"), &program.steps[1]);
}

TEST(ProgramIndexTest, AnswersFromManyThreadsAtOnce) {
  const Program program = ProgramWithSteps(2000);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&program, &wrong, t] {
      for (int i = t; i < 2000; i += 4) {
        const Step* step = program.FindStep("s" + std::to_string(i));
        if (step != &program.steps[static_cast<std::size_t>(i)]) ++wrong[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace upgrade
