#!/bin/sh
# deploy/build-deb.sh [BUILD_DIR] - build the Debian package
# kensaku_<version>_<arch>.deb in BUILD_DIR (default build-deb): a Release
# build for prefix /usr with Debian's compiler and linker flags
# (dpkg-buildflags: every hardening feature, reproducible paths), without the tests, then
# cpack. Prints the package's path last. Needs the build dependencies of the
# README, scdoc (man pages) and dpkg-dev (dpkg-shlibdeps).
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build-deb}
jobs=${KS_JOBS:-$(nproc 2>/dev/null || echo 2)}

# every hardening feature (bindnow too), as a debian/rules with hardening=+all
DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+all}
export DEB_BUILD_MAINT_OPTIONS
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)
# the changelog's date: the last commit's, when this is a git checkout
if [ -z "${SOURCE_DATE_EPOCH:-}" ] && command -v git >/dev/null &&
	epoch=$(git log -1 --format=%ct 2>/dev/null); then
	export SOURCE_DATE_EPOCH="$epoch"
fi

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DKS_TESTS=OFF \
	-DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build "$dir" -j"$jobs"
out=$(cd "$dir" && cpack -G DEB)
deb=$(printf '%s\n' "$out" | sed -n 's/^CPack: - package: \(.*\) generated\.$/\1/p')
[ -n "$deb" ] || {
	printf '%s\n' "$out" >&2
	echo "build-deb.sh: cpack made no package" >&2
	exit 1
}
echo "$deb"
