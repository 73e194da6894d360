# libverdict for embedders (native builds only; included from CMakeLists.txt).
#
#   libverdict.a                  verdict_core itself (position-independent objects)
#   libverdict.so.MAJOR.MINOR     the same objects, whole archive, as a shared library
#
# The shared library exports the C ABI (verdict_*, verdict/verdict.h) and the C++ API of
# namespace verdict (verdict/engine.h ...); everything else, simdjson, re2 and nlohmann/json
# inlines among it, stays local (cmake/libverdict.map), so an embedder's own copies never
# clash with ours. While the version is 0.x the C++ ABI may change with every minor
# version, so the SONAME carries MAJOR.MINOR (libverdict.so.0.1); from 1.0 on, MAJOR.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(VERDICT_SOVERSION "${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}")
else()
  set(VERDICT_SOVERSION "${PROJECT_VERSION_MAJOR}")
endif()

set_target_properties(verdict_core PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  OUTPUT_NAME verdict
  EXPORT_NAME verdict_static)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # PIC without the cost of semantic interposition: calls inside the core stay direct.
  target_compile_options(verdict_core PRIVATE -fno-semantic-interposition)
endif()
# The installed headers (cmake/install.cmake) replace the source tree's for consumers.
set_property(TARGET verdict_core PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/core/include>")

# A shared library needs one source of its own; the code is verdict_core's.
set(verdict_shared_stub "${PROJECT_BINARY_DIR}/verdict_shared.cc")
if(NOT EXISTS "${verdict_shared_stub}")
  file(WRITE "${verdict_shared_stub}" "// libverdict.so is verdict_core's objects, whole archive (cmake/library.cmake).\n")
endif()
add_library(verdict_shared SHARED "${verdict_shared_stub}")
target_link_libraries(verdict_shared PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,verdict_core>")
target_include_directories(verdict_shared PUBLIC "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/core/include>")
target_link_options(verdict_shared PRIVATE
  "LINKER:--version-script=${CMAKE_CURRENT_LIST_DIR}/libverdict.map"
  "LINKER:--no-undefined")
set_target_properties(verdict_shared PROPERTIES
  OUTPUT_NAME verdict
  EXPORT_NAME verdict
  VERSION "${PROJECT_VERSION}"
  SOVERSION "${VERDICT_SOVERSION}"
  LINK_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/libverdict.map")
add_library(verdict::verdict ALIAS verdict_shared)
add_library(verdict::verdict_static ALIAS verdict_core)
