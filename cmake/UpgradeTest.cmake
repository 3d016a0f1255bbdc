# upgrade_test(NAME LABEL SOURCES ... [LIBS ...]): one GoogleTest binary registered with CTest
# under LABEL: `unit` (no services), `integration` (real services), `e2e` (runs the binary).
# It links `upgrade_lib` unless LIBS names the narrower module libraries a unit test needs.
function(upgrade_test name label)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_LIBS)
    set(ARG_LIBS upgrade_lib)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} upgrade_test_support GTest::gmock
    GTest::gtest_main)
  gtest_discover_tests(${name}
    PROPERTIES LABELS ${label}
    DISCOVERY_TIMEOUT 60)
endfunction()
