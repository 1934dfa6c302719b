#!/bin/bash
# contrib/logrotate/fswait: "logrotate -d" (debug: reads the configuration,
# changes nothing) accepts it; then, as root, a forced rotation of a copy
# whose paths point into a temporary directory shows that both stanzas do
# what their comments say (copytruncate keeps the file and empties it;
# create makes a new mode 0600 file and runs postrotate once).
#
# Usage: logrotate.sh CONFIG
# Exit: 0 pass, 1 fail, 77 (skip) when logrotate is not installed, unless
#       CI=true.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 CONFIG" >&2
    exit 1
fi
config=$1

if ! command -v logrotate >/dev/null 2>&1 && [ ! -x /usr/sbin/logrotate ]; then
    if [ "${CI:-}" = true ]; then
        echo "logrotate: logrotate is not installed (required when CI=true)" >&2
        exit 1
    fi
    echo "logrotate: logrotate is not installed; skipping" >&2
    exit 77
fi
PATH=$PATH:/usr/sbin

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
fail() {
    echo "FAIL: $*" >&2
    status=1
}

# 1. The file as shipped. logrotate -d exits 0 after some errors (a bad
#    value in one stanza), so error lines fail too.
out=$(logrotate -d -s "$tmp/state" "$config" 2>&1)
rc=$?
if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -qi '^error'; then
    fail "logrotate -d $config (status $rc):"
    printf '%s\n' "$out" >&2
else
    echo "logrotate -d: ok"
fi
for pattern in /var/log/fswait.log /var/log/fswait/*.jsonl; do
    printf '%s\n' "$out" | grep -qF "rotating pattern: $pattern " ||
        fail "logrotate -d does not show the stanza for $pattern"
done

# 2. A real rotation of a copy, in $tmp. Needs root for "create 0600 root root".
if [ "$(id -u)" != 0 ]; then
    echo "logrotate: not root; the forced rotation is not tried" >&2
    exit $status
fi
mkdir -m 0700 "$tmp/log" "$tmp/log/fswait"
# Never the real "systemctl kill": postrotate only leaves a mark.
sed -e "s|/var/log/|$tmp/log/|g" \
    -e "s|^\\( *\\)systemctl kill .*|\\1echo hup >>$tmp/postrotate|" \
    "$config" >"$tmp/fswait.conf"
grep -v '^ *#' "$tmp/fswait.conf" | grep -q 'systemctl\|pkill' && {
    fail "could not replace the postrotate command"
    exit 1
}
printf '{"event":"CREATE"}\n' >"$tmp/log/fswait.log"
printf '{"event":"MODIFY"}\n' >"$tmp/log/fswait/events.jsonl"
printf '{"event":"DELETE"}\n' >"$tmp/log/fswait/other.jsonl"
# Keep a descriptor open on fswait.log as the shell of "fswait >> FILE" does.
exec 3>>"$tmp/log/fswait.log"
ino_before=$(stat -c %i "$tmp/log/fswait.log")

out=$(logrotate -f -s "$tmp/state" "$tmp/fswait.conf" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
    fail "logrotate -f (status $rc):"
    printf '%s\n' "$out" >&2
fi

# copytruncate: same file (same inode), now empty; the copy has the line.
[ "$(stat -c %i "$tmp/log/fswait.log")" = "$ino_before" ] || fail "fswait.log was replaced, not truncated"
[ -s "$tmp/log/fswait.log" ] && fail "fswait.log was not truncated"
[ "$(cat "$tmp/log/fswait.log.1" 2>/dev/null)" = '{"event":"CREATE"}' ] || fail "fswait.log.1 does not hold the old line"
printf '{"event":"OPEN"}\n' >&3
exec 3>&-
[ "$(cat "$tmp/log/fswait.log")" = '{"event":"OPEN"}' ] || fail "the >> writer does not go on at the start of fswait.log"

# create: renamed, a new empty file with mode 0600 root root, one postrotate
# for both files (sharedscripts).
for f in events other; do
    [ "$(cat "$tmp/log/fswait/$f.jsonl.1" 2>/dev/null)" != "" ] || fail "$f.jsonl.1 missing or empty"
    [ -f "$tmp/log/fswait/$f.jsonl" ] || fail "$f.jsonl was not created again"
    [ -s "$tmp/log/fswait/$f.jsonl" ] && fail "the new $f.jsonl is not empty"
    mode=$(stat -c '%a %U %G' "$tmp/log/fswait/$f.jsonl" 2>/dev/null)
    [ "$mode" = "600 root root" ] || fail "new $f.jsonl has '$mode', not '600 root root'"
done
[ "$(cat "$tmp/postrotate" 2>/dev/null)" = hup ] || fail "postrotate did not run exactly once"

[ $status -eq 0 ] && echo "logrotate -f on a copy: ok"
exit $status
