# upgrade_test(NAME LABEL SOURCES ... [LIBS ...] [LOCK NAME]): one GoogleTest binary registered
# with CTest under LABEL: `unit` (no services), `integration` (real services), `e2e` (runs the
# binary). It links `upgrade_lib` unless LIBS names the narrower module libraries a unit test
# needs. Tests holding the same LOCK never run at once (CTest RESOURCE_LOCK): for tests that
# change something every test shares, like a PostgreSQL server's system settings.
function(upgrade_test name label)
  cmake_parse_arguments(ARG "" "LOCK" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_LIBS)
    set(ARG_LIBS upgrade_lib)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} upgrade_test_support GTest::gmock
    GTest::gtest_main)
  set(properties LABELS ${label})
  if(ARG_LOCK)
    list(APPEND properties RESOURCE_LOCK ${ARG_LOCK})
  endif()
  gtest_discover_tests(${name}
    PROPERTIES ${properties}
    DISCOVERY_TIMEOUT 60)
endfunction()
