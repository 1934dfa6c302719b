#!/bin/bash
# contrib/systemd/fswait.service: "systemd-analyze verify" accepts it, and
# "systemd-analyze security --offline=true" rates its exposure 2.5 or better.
#
# Usage: systemd_unit.sh UNIT FSWAIT MANPAGE
#   UNIT     contrib/systemd/fswait.service
#   FSWAIT   the fswait binary built here (ExecStart= is pointed at it, so
#            that the check does not need /usr/bin/fswait)
#   MANPAGE  man/fswait.1 (for the unit's Documentation=man:fswait(1))
# Exit: 0 pass, 1 fail, 77 (skip) when systemd-analyze is not installed,
#       unless CI=true.
set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 UNIT FSWAIT MANPAGE" >&2
    exit 1
fi
unit=$1 fswait=$2 manpage=$3
max_exposure=2.5

if ! command -v systemd-analyze >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        echo "systemd_unit: systemd-analyze is not installed (required when CI=true)" >&2
        exit 1
    fi
    echo "systemd_unit: systemd-analyze is not installed; skipping" >&2
    exit 77
fi

fswait=$(realpath "$fswait") || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
fail() {
    echo "FAIL: $*" >&2
    status=1
}

# The unit must keep the documented command line.
expected='ExecStart=/usr/bin/fswait --monitor --quiet --recursive --journal /srv'
grep -qxF "$expected" "$unit" || fail "$unit: no line '$expected'"

# The same unit, running the fswait built here.
mkdir -p "$tmp/unit" "$tmp/man/man1"
sed "s|^ExecStart=/usr/bin/fswait |ExecStart=$fswait |" "$unit" >"$tmp/unit/fswait.service"
grep -q "^ExecStart=$fswait " "$tmp/unit/fswait.service" || fail "could not rewrite ExecStart="

# verify runs "man fswait(1)" for Documentation=; let it find our page.
ln -s "$(realpath "$manpage")" "$tmp/man/man1/fswait.1"
man_arg=
command -v man >/dev/null 2>&1 || man_arg=--man=no

# verify exits 0 on mere warnings (an unknown key, a bad value), so any
# output at all is a failure.
out=$(cd "$tmp" && MANPATH="$tmp/man" SYSTEMD_LOG_COLOR=0 \
    systemd-analyze verify $man_arg "$tmp/unit/fswait.service" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
    fail "systemd-analyze verify (status $rc):"
    printf '%s\n' "$out" >&2
else
    echo "systemd-analyze verify: ok"
fi

# security prints a table and "→ Overall exposure level for fswait.service: 2.4 OK".
out=$(systemd-analyze security --offline=true --no-pager "$tmp/unit/fswait.service" 2>&1)
rc=$?
line=$(printf '%s\n' "$out" | grep 'Overall exposure level')
score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9][0-9]*\.[0-9]\).*/\1/p')
echo "systemd-analyze security: ${line:-no exposure line}"
if [ $rc -ne 0 ] || [ -z "$score" ]; then
    fail "systemd-analyze security --offline=true (status $rc):"
    printf '%s\n' "$out" >&2
elif ! awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
    fail "exposure $score is above $max_exposure:"
    printf '%s\n' "$out" | grep '✗' >&2
fi
# The same limit through systemd-analyze's own check (its unit is tenths).
if ! systemd-analyze security --offline=true --threshold=25 --no-pager \
    "$tmp/unit/fswait.service" >/dev/null 2>&1; then
    fail "systemd-analyze security --threshold=25 failed"
fi

exit $status
