# The Debian package (native builds only; included from CMakeLists.txt):
#
#   scripts/package.sh deb      ->  build/verdict_VERSION_ARCH.deb
#   (or: cmake --build build && cd build && cpack -G DEB)
#
# One package, `verdict`, with everything cmake/install.cmake installs under /usr. Its
# Depends are computed by dpkg-shlibdeps from the binary and the library (libre2-9,
# libsimdjson14, libyaml-cpp0.7, libstdc++6, libc6, libgcc-s1 on Debian 12), and it ships
# a shlibs file for libverdict.so.
#
# `verdict serve` as a service: samples/systemd/verdict-serve.service is installed as
# /usr/lib/systemd/system/verdict-serve.service (the prefix's lib/systemd/system, so that
# `cmake --install --prefix DIR` stays inside DIR; on Debian 12, merged /usr, it is the same
# folder as /lib/systemd/system). It is not enabled or started: the administrator puts a
# bundle in /etc/verdict/policies first (docs/serve.md, "Running under systemd").
install(FILES "${PROJECT_SOURCE_DIR}/samples/systemd/verdict-serve.service" DESTINATION lib/systemd/system)

set(CPACK_PACKAGE_NAME verdict)
set(CPACK_PACKAGE_VENDOR "verdict")
set(CPACK_PACKAGE_CONTACT "verdict maintainers <verdict@localhost>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "verdict evaluates TriageRouting, ChangeRisk, ErrorBudget and AlertDedup
policies over incident, change, alert, CMDB and SLI documents, natively and in
WebAssembly with byte-identical decisions. This package has the verdict command,
libverdict (shared and static, C ABI and C++ API) with headers, pkg-config and
CMake files, the documentation, the standard policies in /usr/share/verdict/policies
and the CI gate scripts in /usr/share/verdict/ci.")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_FILE_NAME "verdict")   # replaced by DEB-DEFAULT below
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # verdict_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# For users of the headers and verdict.pc; not needed to run the command.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "pkg-config, libsimdjson-dev, libre2-dev, nlohmann-json3-dev")

include(CPack)
