#!/usr/bin/env bash
# deploy/quickstart.sh - on a fresh Debian machine: install what is missing,
# build, index the bundled sample archive and serve it on
# http://127.0.0.1:8080 (Ctrl-C stops the server).
#   KENSAKU_DB     index file (default ./kensaku.db)
#   KENSAKU_LISTEN address (default 127.0.0.1:8080)
#   QUICKSTART_NO_SERVE=1  stop after indexing (prints stats and a sample search)
set -euo pipefail
cd "$(dirname "$0")/.."
db=${KENSAKU_DB:-./kensaku.db}
listen=${KENSAKU_LISTEN:-127.0.0.1:8080}

pkgs=(build-essential cmake pkg-config libsqlite3-dev libicu-dev libmicrohttpd-dev
      libjansson-dev libxxhash-dev libxml2-dev libssl-dev
      libmecab-dev mecab-ipadic-utf8 libstemmer-dev libgmime-3.0-dev libcurl4-openssl-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

echo "indexing the sample archive into $db"
./build/bin/kensaku reindex --db "$db" sample/
./build/bin/kensaku stats --db "$db"
echo
./build/bin/kensaku search --db "$db" --limit 3 ランサムウェア

if [ "${QUICKSTART_NO_SERVE:-}" = 1 ] || [ ! -x build/bin/kensakud ]; then
  exit 0
fi
echo
echo "serving on http://$listen (Ctrl-C to stop)"
exec ./build/bin/kensakud --db "$db" --listen "$listen" --web web
