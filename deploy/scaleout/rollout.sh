#!/bin/sh
# deploy/scaleout/rollout.sh NEW_INDEX INDEX_PATH=URL [INDEX_PATH=URL ...]
#
# Rolls a new index generation out to kensakud replicas one at a time: for
# each replica, in the order given,
#   1. copy NEW_INDEX next to the replica's own index file and rename it into
#      place (kensaku-publish: SQLite backup, journal_mode=DELETE,
#      quick_check, the old file kept as INDEX_PATH.prev, atomic rename);
#   2. wait until the replica, asked directly at URL (its own address, not
#      the proxy's), reports the new generation on /healthz
#      ("generation": the id every `kensaku reindex` stamps into the file);
#   3. only then go on to the next replica.
# When a replica does not report the new generation within ROLLOUT_TIMEOUT
# seconds (it refused the file, or it is down), its previous file is put back
# and the rollout stops with exit 1: the replicas before it serve the new
# generation, it and the ones after it the old one (roll those back with
# `mv INDEX_PATH.prev INDEX_PATH`, or fix and run again).
#
# Environment: ROLLOUT_TIMEOUT (seconds per replica, default 30),
# KENSAKU_PUBLISH (default: ../kensaku-publish beside this script, else
# kensaku-publish in PATH). Needs sh, curl, sqlite3, coreutils.
# Exit 0 when every replica serves the new generation, 1 otherwise, 2 on
# usage errors.
set -eu

usage() {
	echo "usage: rollout.sh NEW_INDEX INDEX_PATH=URL [INDEX_PATH=URL ...]" >&2
	exit 2
}
say() { echo "rollout: $*"; }
die() {
	echo "rollout: $*" >&2
	exit 1
}

[ $# -ge 2 ] || usage
new=$1
shift
[ -f "$new" ] || die "$new: no such index file"
timeout=${ROLLOUT_TIMEOUT:-30}
case "$timeout" in '' | *[!0-9]*) die "ROLLOUT_TIMEOUT must be a number of seconds" ;; esac
here=$(cd "$(dirname -- "$0")" && pwd)
publish=${KENSAKU_PUBLISH:-}
if [ -z "$publish" ]; then
	if [ -x "$here/../kensaku-publish" ]; then
		publish=$here/../kensaku-publish
	else
		publish=$(command -v kensaku-publish) || die "kensaku-publish not found"
	fi
fi
command -v curl >/dev/null || die "curl is not installed"
for r in "$@"; do
	case "$r" in *=http://* | *=https://*) ;; *) usage ;; esac
done

# the generation the replicas must report: read from the new file itself
q="SELECT value FROM meta WHERE key='generation';"
gen=$(sqlite3 -readonly "$new" "$q" 2>/dev/null) ||
	gen=$(sqlite3 -readonly "file:$new?immutable=1" "$q" 2>/dev/null) || gen=
[ -n "$gen" ] || die "$new is not a kensaku index (no generation)"
say "generation $gen to $# replica(s)"

generation_of() { # URL -> the generation /healthz reports, or nothing
	curl -fsS --max-time 2 "$1/healthz" 2>/dev/null |
		sed -n 's/.*"generation": *"\([^"]*\)".*/\1/p'
}

i=0
for r in "$@"; do
	i=$((i + 1))
	path=${r%%=*}
	url=${r#*=}
	url=${url%/}
	[ -f "$path" ] || say "replica $i: $path does not exist yet: first rollout"
	start=$(date +%s)
	out=$("$publish" "$new" "$path") || die "replica $i: publishing to $path failed"
	[ "$out" = "$gen" ] || die "replica $i: published generation $out, expected $gen"
	while :; do
		now_gen=$(generation_of "$url")
		[ "$now_gen" = "$gen" ] && break
		if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
			if [ -f "$path.prev" ]; then
				mv -f -- "$path.prev" "$path"
				echo "rollout: replica $i ($url): put the previous file back" >&2
			fi
			die "replica $i ($url) still reports generation '${now_gen:-none}' after ${timeout}s; stopped: replicas 1-$((i - 1)) serve $gen, $i-$# the previous one"
		fi
		sleep 0.2
	done
	say "replica $i/$# $url serves generation $gen ($(($(date +%s) - start))s)"
done
say "done: $# replica(s) serve generation $gen"
