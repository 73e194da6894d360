# The IANA time zone table compiled into the core (core/src/time/zone.cc), generated at
# build time from Debian's tzdata by scripts/gen-tzdata.py into the build directory (never
# committed). Native and Wasm builds read the same files, so they carry the same zones; the
# Wasm module has no /usr/share/zoneinfo of its own. Included from CMakeLists.txt.
set(VERDICT_ZONEINFO_DIR "/usr/share/zoneinfo" CACHE PATH "Debian's tzdata (tzdata.zi and the TZif files) compiled into the core")
if(NOT EXISTS "${VERDICT_ZONEINFO_DIR}/tzdata.zi")
  message(FATAL_ERROR "${VERDICT_ZONEINFO_DIR}/tzdata.zi not found: install Debian's tzdata (scripts/setup.sh)")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(VERDICT_TZ_INC "${CMAKE_BINARY_DIR}/generated/time/tz_data.inc")
add_custom_command(OUTPUT "${VERDICT_TZ_INC}"
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_BINARY_DIR}/generated/time"
  COMMAND Python3::Interpreter "${CMAKE_SOURCE_DIR}/scripts/gen-tzdata.py" "${VERDICT_ZONEINFO_DIR}" "${VERDICT_TZ_INC}"
  DEPENDS "${CMAKE_SOURCE_DIR}/scripts/gen-tzdata.py" "${VERDICT_ZONEINFO_DIR}/tzdata.zi"
  COMMENT "Generating the time zone table from ${VERDICT_ZONEINFO_DIR}"
  VERBATIM)
target_sources(verdict_core PRIVATE "${VERDICT_TZ_INC}")
set_source_files_properties(core/src/time/zone.cc PROPERTIES
  INCLUDE_DIRECTORIES "${CMAKE_BINARY_DIR}/generated"
  OBJECT_DEPENDS "${VERDICT_TZ_INC}")
