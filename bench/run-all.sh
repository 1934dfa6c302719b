#!/bin/bash
# Runs the six fswait benchmarks and prints their markdown tables one after the other,
# preceded by the machine, kernel, tool versions and date.  See bench/README.md.
#
# Usage: bench/run-all.sh [--runs N] [--raw] [--fswait PATH] [--monitors LIST] ...
# Every argument is passed to each benchmark.  Progress goes to stderr, tables to stdout:
#   sudo bench/run-all.sh --runs 5 > results.md
set -u
here=$(cd "$(dirname "$0")" && pwd)

fswait=${FSWAIT:-$here/../build/tools/fswait}
prev=
for a in "$@"; do
    case $prev in --fswait) fswait=$a ;; esac
    case $a in --fswait=*) fswait=${a#--fswait=} ;; esac
    prev=$a
done

version() {   # version NAME COMMAND...: first line of output, or "not installed"
    local name=$1; shift
    if command -v "$1" > /dev/null 2>&1; then "$@" 2>&1 | head -n 1; else echo "$name: not installed"; fi
}

commit=$(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "## fswait benchmarks"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- kernel: $(uname -sr) $(uname -m); $(nproc) CPUs;" \
     "$(awk '/^MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "- fswait: $(version fswait "$fswait" --version) ($fswait, built $(date -u -r "$fswait" '+%Y-%m-%d %H:%M UTC' 2>/dev/null || echo '?'), source commit $commit plus any uncommitted changes)"
echo "- inotifywait: $(version inotifywait inotifywait --help)"
echo "- fatrace: $(dpkg-query -W -f '${Version}' fatrace 2>/dev/null || echo 'not installed')"
echo "- arguments: ${*:-(none; 5 runs)}"

status=0
for w in burst setup rmrf noise throughput attribution; do
    "$here/$w.sh" "$@"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo
        echo "**$w.sh failed with status $rc** (see its messages on stderr)"
        status=1
    fi
done
exit $status
