# `cmake --install build [--prefix DIR]` (native builds only; included from CMakeLists.txt):
#
#   bin/verdict                               the command line
#   lib/libverdict.so.* , lib/libverdict.a    the library (cmake/library.cmake)
#   include/verdict/*.h                       the public headers (self-contained)
#   lib/pkgconfig/verdict.pc                  pkg-config: `pkg-config --cflags --libs verdict`
#   lib/cmake/verdict/                        find_package(verdict): verdict::verdict (shared),
#                                             verdict::verdict_static
#   share/doc/verdict/                        README, LICENSE, CHANGELOG, docs/*.md
#   share/verdict/policies, samples, ci       the shipped policies (with their tests and the
#                                             samples they read) and the CI gate scripts
#
# tests/install/install.sh installs into a temporary prefix and builds a C program (pkg-config)
# and a CMake project (find_package) against the result.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(VERDICT_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/verdict")

install(TARGETS verdict RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(TARGETS verdict_shared verdict_core EXPORT verdictTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(DIRECTORY core/include/verdict DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING PATTERN "*.h")

# CMake package.
install(EXPORT verdictTargets NAMESPACE verdict:: DESTINATION "${VERDICT_CMAKE_DIR}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/verdictConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/verdictConfig.cmake" INSTALL_DESTINATION "${VERDICT_CMAKE_DIR}")
# 0.x: a minor version may change the API, so only the same MAJOR.MINOR is compatible.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/verdictConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/verdictConfig.cmake" "${PROJECT_BINARY_DIR}/verdictConfigVersion.cmake"
  DESTINATION "${VERDICT_CMAKE_DIR}")

# pkg-config. The prefix is found from the file's own place (${pcfiledir}), so the same file
# is right under `--prefix`, DESTDIR and in the Debian package.
file(RELATIVE_PATH VERDICT_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" VERDICT_PC_TO_PREFIX "${VERDICT_PC_TO_PREFIX}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/verdict.pc.in" "${PROJECT_BINARY_DIR}/verdict.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/verdict.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")

# Documentation.
install(FILES README.md LICENSE CHANGELOG.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY docs/ DESTINATION "${CMAKE_INSTALL_DOCDIR}/docs" FILES_MATCHING PATTERN "*.md")

# The shipped policies with their test files, and the samples those tests read
# (policies/*/*.test.json name ../../samples/...): `verdict test --allow-path share/verdict
# share/verdict/policies` passes.
install(DIRECTORY policies/ DESTINATION "${CMAKE_INSTALL_DATADIR}/verdict/policies")
# (samples/ci/changes stays: policies/change reads it; the CI files beside it are in ci/; the
# systemd unit is installed as a unit by cmake/package.cmake.)
install(DIRECTORY samples/ DESTINATION "${CMAKE_INSTALL_DATADIR}/verdict/samples"
  PATTERN "gen" EXCLUDE PATTERN "malformed" EXCLUDE PATTERN "systemd" EXCLUDE REGEX "/ci/[^/]+\\.(sh|yml)$" EXCLUDE)
# The CI gate (ci/, used by action.yml and the GitLab template) for runners that install the package.
install(PROGRAMS ci/install.sh ci/gate.sh DESTINATION "${CMAKE_INSTALL_DATADIR}/verdict/ci")
install(FILES ci/gitlab/verdict-change.yml DESTINATION "${CMAKE_INSTALL_DATADIR}/verdict/ci/gitlab")
