# ds_add_qtest(NAME SOURCES... LIBS libs...)
# One Qt Test executable per suite, run by ctest without a display and with
# OpenMP threads that sleep instead of spinning (libgomp reads it at load time).
function(ds_add_qtest name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ds_options ${ARG_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OMP_WAIT_POLICY=PASSIVE;DEFECTSCOPE_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}")
endfunction()
