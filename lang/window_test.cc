// ParseMaintenanceWindow: the forms plans write, and what is wrong with the others.
#include "lang/window.h"

#include <gtest/gtest.h>

namespace upgrade {
namespace {

TEST(WindowTest, ParsesDaysTimesAndZones) {
  std::string error;
  auto window = ParseMaintenanceWindow("Sat 02:00-04:00 UTC", &error);
  ASSERT_TRUE(window) << error;
  EXPECT_EQ(window->weekdays, std::vector<int>{6});
  EXPECT_EQ(window->start_minute, 120);
  EXPECT_EQ(window->end_minute, 240);
  EXPECT_EQ(window->utc_offset_minutes, 0);

  window = ParseMaintenanceWindow("Mon-Fri 22:00-02:00 +02:00", &error);
  ASSERT_TRUE(window) << error;
  EXPECT_EQ(window->weekdays, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(window->start_minute, 1320);
  EXPECT_EQ(window->end_minute, 120);  // crosses midnight
  EXPECT_EQ(window->utc_offset_minutes, 120);

  window = ParseMaintenanceWindow("daily 01:00-03:00 -05:30", &error);
  ASSERT_TRUE(window) << error;
  EXPECT_TRUE(window->weekdays.empty());
  EXPECT_EQ(window->utc_offset_minutes, -330);

  window = ParseMaintenanceWindow("Fri-Mon,Wed 23:00-24:00 UTC", &error);
  ASSERT_TRUE(window) << error;
  EXPECT_EQ(window->weekdays, (std::vector<int>{0, 1, 3, 5, 6}));
  EXPECT_EQ(window->end_minute, 1440);
}

TEST(WindowTest, SaysWhatIsWrong) {
  std::string error;
  EXPECT_FALSE(ParseMaintenanceWindow("Sat 02:00-04:00", &error));
  EXPECT_EQ(error, "expected DAYS START-END ZONE, such as \"Sat 02:00-04:00 UTC\"");
  EXPECT_FALSE(ParseMaintenanceWindow("Someday 02:00-04:00 UTC", &error));
  EXPECT_EQ(error, "expected days such as Sat, Mon-Fri or daily, got 'Someday'");
  EXPECT_FALSE(ParseMaintenanceWindow("Sat 2:00-04:00 UTC", &error));
  EXPECT_EQ(error, "expected a time range such as 02:00-04:00, got '2:00-04:00'");
  EXPECT_FALSE(ParseMaintenanceWindow("Sat 02:00-25:00 UTC", &error));
  EXPECT_EQ(error, "expected a time range such as 02:00-04:00, got '02:00-25:00'");
  EXPECT_FALSE(ParseMaintenanceWindow("Sat 02:00-02:00 UTC", &error));
  EXPECT_EQ(error, "the window starts and ends at the same time");
  EXPECT_FALSE(ParseMaintenanceWindow("Sat 02:00-04:00 CEST", &error));
  EXPECT_EQ(error, "expected the zone UTC or an offset such as +02:00, got 'CEST'");
}

}  // namespace
}  // namespace upgrade
