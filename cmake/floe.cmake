# floe_module(NAME SOURCES ... DEPS ...): one static library per module, floe_<NAME>.
# Modules include each other as <floe/module/header.h>; dependencies point one way
# (see DESIGN.md: common -> util -> io -> compression -> parquet, avro -> iceberg -> ...).
function(floe_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(floe_${name} STATIC ${ARG_SOURCES})
  target_include_directories(floe_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(floe_${name} PUBLIC ${ARG_DEPS})
endfunction()

# floe_unit_test(NAME SOURCES ... DEPS ...): a GoogleTest executable whose tests are
# registered with ctest under the label "unit" (these also run under ASan/UBSan in CI).
# FLOE_FIXTURES_DIR names ../shared/fixtures/iceberg (read-only tables of other writers).
function(floe_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  get_filename_component(fixtures ${PROJECT_SOURCE_DIR}/../shared/fixtures/iceberg ABSOLUTE)
  target_compile_definitions(${name} PRIVATE FLOE_FIXTURES_DIR="${fixtures}")
  gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
