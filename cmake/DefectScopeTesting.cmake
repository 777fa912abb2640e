# ds_add_qtest(NAME SOURCES... LIBS libs... [TIMEOUT s] [SHARDS n] [ENVIRONMENT VAR=value...])
# One Qt Test executable per suite, run by ctest without a display and with
# OpenMP threads that sleep instead of spinning (libgomp reads it at load time).
# SHARDS n: a long data-driven suite (tests/support/TestShard.h) runs as n ctest tests,
# NAME_0 .. NAME_n-1, of one OpenMP thread each, side by side under ctest -j: worth more
# than one process's second thread on a 2-core machine. They are started first.
function(ds_add_qtest name)
  cmake_parse_arguments(ARG "" "TIMEOUT;SHARDS" "SOURCES;LIBS;ENVIRONMENT" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ds_options ${ARG_LIBS})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  set(environment "QT_QPA_PLATFORM=offscreen;OMP_WAIT_POLICY=PASSIVE;DEFECTSCOPE_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}")
  list(APPEND environment ${ARG_ENVIRONMENT})
  if(NOT ARG_SHARDS)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "${environment}")
    return()
  endif()
  math(EXPR last "${ARG_SHARDS} - 1")
  foreach(shard RANGE ${last})
    add_test(NAME ${name}_${shard} COMMAND ${name})
    set_tests_properties(${name}_${shard} PROPERTIES TIMEOUT ${ARG_TIMEOUT} COST 1000
      ENVIRONMENT "${environment};OMP_NUM_THREADS=1;DEFECTSCOPE_TEST_SHARD=${shard}/${ARG_SHARDS}")
  endforeach()
endfunction()
