# deploy/cpack-check.cmake - read by cpack before it packs (CPACK_PROJECT_CONFIG_FILE):
# a Debian package's files belong under /usr, /etc and /lib; a build
# configured for another prefix (the default /usr/local) would put them in
# the wrong places and its units would name the wrong binaries.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "kensaku: a .deb needs a build configured with -DCMAKE_INSTALL_PREFIX=/usr "
    "(this one has ${CPACK_PACKAGING_INSTALL_PREFIX}); deploy/build-deb.sh does it")
endif()
