# deploy/package.cmake - the Debian package kensaku_<version>_<arch>.deb,
# made by `cpack` from what deploy/install.cmake installs, in a build
# configured with -DCMAKE_INSTALL_PREFIX=/usr (deploy/build-deb.sh does
# that, with Debian's hardening flags and without the tests).
#
# Depends: what dpkg-shlibdeps finds the binaries link, plus what they run or
# read that no library says: MeCab's UTF-8 dictionary, sqlite3 (used by
# kensaku-publish), systemd-sysusers and systemd-tmpfiles (postinst).
# Maintainer scripts (deploy/debian/): postinst creates the `kensaku` user
# and its folders and enables nothing; prerm stops the units on removal;
# postrm purges the index and the enable links. The sources file
# (/etc/default/kensaku) is a conffile.
set(KS_PACKAGE_MAINTAINER "kensaku maintainers <kensaku@example.org>" CACHE STRING
  "Maintainer field of the Debian package (name <address>)")

# /usr/share/doc/kensaku: the copyright file and changelog Debian requires.
# The changelog's date is the configure time, or $SOURCE_DATE_EPOCH.
string(TIMESTAMP KS_PACKAGE_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${KS_DEPLOY}/debian/changelog.in ${KS_DEPLOY_OUT}/debian/changelog @ONLY)
find_program(KS_GZIP gzip)
if(KS_GZIP)
  add_custom_command(OUTPUT ${KS_DEPLOY_OUT}/debian/changelog.gz
    COMMAND ${KS_GZIP} -9nkf ${KS_DEPLOY_OUT}/debian/changelog
    DEPENDS ${KS_DEPLOY_OUT}/debian/changelog
    VERBATIM)
  add_custom_target(debian_changelog ALL DEPENDS ${KS_DEPLOY_OUT}/debian/changelog.gz)
  install(FILES ${KS_DEPLOY_OUT}/debian/changelog.gz ${KS_DEPLOY}/debian/copyright
    DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

file(WRITE ${KS_DEPLOY_OUT}/debian/conffiles "${KS_ENV_FILE}\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kensaku)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${KS_PACKAGE_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "full-text search server for security newsletter archives")
set(CPACK_PACKAGE_DESCRIPTION
  "kensaku indexes newsletter issues in Japanese and English (plain text, JSON
Lines, HTML issue pages, RSS and Atom feeds) into an SQLite FTS5 index with
ICU normalization, MeCab and character bigrams, and serves it over HTTP: a
JSON API with highlights, facets and stable item ids, Atom feeds of
searches, and a web page.
.
The package holds the kensaku command, the kensakud server, systemd units
for the server and an hourly index job (both disabled until enabled), the
web UI, man pages and bash completion.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "mecab-ipadic-utf8, sqlite3, systemd | systemd-standalone-sysusers, systemd | systemd-standalone-tmpfiles")
# rollout.sh (scale-out) asks the replicas with curl; nginx fronts kensakud
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "curl")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${KS_DEPLOY}/debian/postinst ${KS_DEPLOY}/debian/prerm
  ${KS_DEPLOY}/debian/postrm ${KS_DEPLOY_OUT}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# cpack refuses a .deb whose paths are not Debian's (see the file's head)
set(CPACK_PROJECT_CONFIG_FILE ${KS_DEPLOY}/cpack-check.cmake)
include(CPack)
