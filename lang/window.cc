// Parsing of maintenance windows: DAYS START-END ZONE, where DAYS is `daily`, a day (`Sat`), a
// range (`Mon-Fri`, `Fri-Mon`) or a comma list of these, and ZONE is `UTC` or `+HH:MM`/`-HH:MM`.
// A window that crosses midnight belongs to the day it starts on.
#include "lang/window.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace upgrade {
namespace {

int DayIndex(const std::string& name) {
  static const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  for (int i = 0; i < 7; ++i)
    if (lower == kDays[i]) return i;
  return -1;
}

bool ParseDays(const std::string& text, std::vector<int>* days, std::string* error) {
  if (text == "daily") return true;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    std::size_t dash = item.find('-');
    int first = DayIndex(item.substr(0, dash));
    int last = dash == std::string::npos ? first : DayIndex(item.substr(dash + 1));
    if (first < 0 || last < 0) {
      *error = "expected days such as Sat, Mon-Fri or daily, got '" + text + "'";
      return false;
    }
    for (int day = first;; day = (day + 1) % 7) {
      days->push_back(day);
      if (day == last) break;
    }
  }
  std::sort(days->begin(), days->end());
  days->erase(std::unique(days->begin(), days->end()), days->end());
  return true;
}

/// "HH:MM" to minutes after midnight; -1 when malformed.
int ParseClock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (int i : {0, 1, 3, 4})
    if (text[i] < '0' || text[i] > '9') return -1;
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 24 || minutes > 59 || (hours == 24 && minutes != 0)) return -1;
  return hours * 60 + minutes;
}

}  // namespace

std::optional<MaintenanceWindow> ParseMaintenanceWindow(const std::string& text,
                                                        std::string* error) {
  std::stringstream words(text);
  std::vector<std::string> parts;
  for (std::string word; words >> word;) parts.push_back(word);
  if (parts.size() != 3) {
    *error = "expected DAYS START-END ZONE, such as \"Sat 02:00-04:00 UTC\"";
    return std::nullopt;
  }
  MaintenanceWindow window;
  window.text = text;
  if (!ParseDays(parts[0], &window.weekdays, error)) return std::nullopt;
  std::size_t dash = parts[1].find('-');
  window.start_minute = ParseClock(parts[1].substr(0, dash));
  window.end_minute = dash == std::string::npos ? -1 : ParseClock(parts[1].substr(dash + 1));
  if (window.start_minute < 0 || window.end_minute < 0) {
    *error = "expected a time range such as 02:00-04:00, got '" + parts[1] + "'";
    return std::nullopt;
  }
  if (window.start_minute == window.end_minute) {
    *error = "the window starts and ends at the same time";
    return std::nullopt;
  }
  const std::string& zone = parts[2];
  if (zone == "UTC" || zone == "Z") {
    window.utc_offset_minutes = 0;
  } else if ((zone[0] == '+' || zone[0] == '-') && ParseClock(zone.substr(1)) >= 0 &&
             ParseClock(zone.substr(1)) <= 14 * 60) {
    int offset = ParseClock(zone.substr(1));
    window.utc_offset_minutes = zone[0] == '-' ? -offset : offset;
  } else {
    *error = "expected the zone UTC or an offset such as +02:00, got '" + zone + "'";
    return std::nullopt;
  }
  return window;
}

}  // namespace upgrade
