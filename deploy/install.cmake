# deploy/install.cmake - what `cmake --install` puts where (GNUInstallDirs),
# included by the top CMakeLists.txt. With the default prefix /usr/local the
# paths are the ones deploy/README.md names; deploy/build-deb.sh configures
# with prefix /usr for the Debian package (deploy/package.cmake).
#
#   bin/            kensaku, kensakud, kensaku-publish
#   libexec/kensaku/  rollout.sh (scale-out; run by a drop-in, not by users)
#   share/kensaku/web/                 the web UI (kensakud's default --web)
#   share/man/man1, man8               kensaku(1), kensakud(8), kensaku-publish(8)
#   share/bash-completion/completions  kensaku
#   share/doc/kensaku/examples/        nginx configs, the scale-out drop-in, cron
#   <systemd unit dir>                 kensakud.service, kensakud@.service,
#                                      kensaku-index.{service,timer},
#                                      kensaku-reindex.{service,timer}
#   <prefix>/lib/sysusers.d, tmpfiles.d  kensaku.conf
#   <sysconfdir>/default/kensaku       the sources kensaku-index.service reads
#
# The files of deploy/ name /usr/local/bin, /usr/local/share/kensaku,
# /usr/local/lib/kensaku and /etc/default/kensaku (what a hand install
# following deploy/README.md gives, and what tests/deploy substitutes); the
# installed copies name this install's directories instead.
include(GNUInstallDirs)

set(KS_DEPLOY ${PROJECT_SOURCE_DIR}/deploy)
set(KS_DEPLOY_OUT ${PROJECT_BINARY_DIR}/deploy)
set(KS_PRIVATE_DIR ${CMAKE_INSTALL_FULL_LIBEXECDIR}/kensaku)
set(KS_ENV_FILE ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default/kensaku)
set(KS_WEB_DIR ${CMAKE_INSTALL_FULL_DATADIR}/kensaku/web)

# systemd's folders: what systemd.pc says for a /usr install (Debian 12:
# /lib/systemd/system), else under the prefix (systemd also reads
# /usr/local/lib/systemd/system, sysusers.d and tmpfiles.d).
set(ks_unitdir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
set(ks_sysusersdir ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d)
set(ks_tmpfilesdir ${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d)
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  pkg_get_variable(ks_pc_unitdir systemd systemdsystemunitdir)
  pkg_get_variable(ks_pc_sysusersdir systemd sysusersdir)
  pkg_get_variable(ks_pc_tmpfilesdir systemd tmpfilesdir)
  foreach(d unitdir sysusersdir tmpfilesdir)
    if(ks_pc_${d})
      set(ks_${d} ${ks_pc_${d}})
    endif()
  endforeach()
endif()
set(KS_SYSTEMD_UNITDIR ${ks_unitdir} CACHE PATH "where the systemd units are installed")
set(KS_SYSUSERSDIR ${ks_sysusersdir} CACHE PATH "where kensaku's sysusers.d snippet is installed")
set(KS_TMPFILESDIR ${ks_tmpfilesdir} CACHE PATH "where kensaku's tmpfiles.d snippet is installed")

# A copy of deploy/SRC at OUT with the hand-install paths replaced by this
# install's; cmake runs again when SRC changes.
function(ks_deploy_file src out)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KS_DEPLOY}/${src})
  file(READ ${KS_DEPLOY}/${src} text)
  string(REGEX REPLACE "/usr/local/bin([/:])" "${CMAKE_INSTALL_FULL_BINDIR}\\1" text "${text}")
  string(REPLACE "/usr/local/share/kensaku/web" "${KS_WEB_DIR}" text "${text}")
  string(REPLACE "/usr/local/lib/kensaku/" "${KS_PRIVATE_DIR}/" text "${text}")
  string(REPLACE "/etc/default/kensaku" "${KS_ENV_FILE}" text "${text}")
  file(WRITE ${KS_DEPLOY_OUT}/${out} "${text}")
endfunction()

# --- programs and the web UI -------------------------------------------------
install(TARGETS kensaku kensakud RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS ${KS_DEPLOY}/kensaku-publish DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS ${KS_DEPLOY}/scaleout/rollout.sh DESTINATION ${KS_PRIVATE_DIR})
# web/README.md documents the folder; kensakud would serve it
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/kensaku/web
  PATTERN README.md EXCLUDE)

# --- systemd, sysusers, tmpfiles, the sources file ---------------------------
set(ks_units kensakud.service kensaku-index.service kensaku-index.timer
  kensaku-reindex.service kensaku-reindex.timer)
foreach(u ${ks_units})
  ks_deploy_file(${u} units/${u})
endforeach()
ks_deploy_file(scaleout/kensakud@.service units/kensakud@.service)
list(TRANSFORM ks_units PREPEND ${KS_DEPLOY_OUT}/units/)
install(FILES ${ks_units} ${KS_DEPLOY_OUT}/units/kensakud@.service DESTINATION ${KS_SYSTEMD_UNITDIR})
install(FILES ${KS_DEPLOY}/kensaku.sysusers DESTINATION ${KS_SYSUSERSDIR} RENAME kensaku.conf)
install(FILES ${KS_DEPLOY}/kensaku.tmpfiles DESTINATION ${KS_TMPFILESDIR} RENAME kensaku.conf)
install(FILES ${KS_DEPLOY}/kensaku.default DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default
  RENAME kensaku)

# --- examples: what an admin copies into /etc when they want it --------------
set(ks_examples ${CMAKE_INSTALL_DOCDIR}/examples)
ks_deploy_file(kensaku-reindex.cron examples/kensaku.cron)
ks_deploy_file(scaleout/kensaku-reindex-rollout.conf examples/kensaku-reindex-rollout.conf)
install(FILES ${KS_DEPLOY_OUT}/examples/kensaku.cron
  ${KS_DEPLOY_OUT}/examples/kensaku-reindex-rollout.conf
  ${KS_DEPLOY}/nginx/kensaku.conf ${KS_DEPLOY}/scaleout/nginx-replicas.conf
  DESTINATION ${ks_examples})

# --- bash completion ----------------------------------------------------------
install(FILES ${KS_DEPLOY}/completion/kensaku
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# --- man pages: scdoc sources (deploy/man/*.scd), @VARS@ set to this
# install's paths, gzip -9n as Debian ships them; built only when scdoc is
# installed (Debian: scdoc) -------------------------------------------------
find_program(KS_SCDOC scdoc)
find_program(KS_GZIP gzip)
if(KS_SCDOC AND KS_GZIP)
  set(ks_pages)
  foreach(page kensaku.1 kensakud.8 kensaku-publish.8)
    string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
    configure_file(${KS_DEPLOY}/man/${page}.scd ${KS_DEPLOY_OUT}/man/${page}.scd @ONLY)
    add_custom_command(OUTPUT ${KS_DEPLOY_OUT}/man/${page}.gz
      COMMAND sh -c "\"$0\" <\"$1\" >\"$2\"" ${KS_SCDOC}
              ${KS_DEPLOY_OUT}/man/${page}.scd ${KS_DEPLOY_OUT}/man/${page}
      COMMAND ${KS_GZIP} -9nf ${KS_DEPLOY_OUT}/man/${page}
      DEPENDS ${KS_DEPLOY_OUT}/man/${page}.scd
      COMMENT "scdoc: ${page}"
      VERBATIM)
    list(APPEND ks_pages ${KS_DEPLOY_OUT}/man/${page}.gz)
    install(FILES ${KS_DEPLOY_OUT}/man/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(man ALL DEPENDS ${ks_pages})
else()
  message(STATUS "scdoc or gzip not found: man pages not built (Debian: apt-get install scdoc)")
endif()
