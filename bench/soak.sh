#!/bin/sh
# See README.md, "soak.sh". Usage: bench/soak.sh [--duration S] [--rate N] [--fswait PATH]
#   [--monitors LIST] [--csv FILE] [--no-install] ...   (bench/soak.py --help: all options)
# As root. Installs inotify-tools and fatrace with apt-get when they are missing (Debian),
# unless --no-install is given; a monitor still missing becomes an n/a column.
here=$(dirname "$0")
install=yes
for a in "$@"; do
    [ "$a" = --no-install ] && install=no
done
if [ "$install" = yes ] && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
    missing=
    command -v inotifywait > /dev/null 2>&1 || missing="$missing inotify-tools"
    command -v fatrace > /dev/null 2>&1 || [ -x /usr/sbin/fatrace ] || missing="$missing fatrace"
    if [ -n "$missing" ]; then
        echo "[soak] installing$missing" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends $missing > /dev/null ||
            echo "[soak] could not install$missing; those columns will be n/a" >&2
    fi
fi
for a in "$@"; do
    shift
    [ "$a" = --no-install ] || set -- "$@" "$a"
done
exec python3 "$here/soak.py" "$@"
