#!/bin/bash
# contrib/shippers/rsyslog-fswait.conf: "rsyslogd -N1" (configuration check
# only; no daemon is started) accepts it when included as a file of
# /etc/rsyslog.d/ would be, after a global(workDirectory=...) such as
# Debian's rsyslog.conf sets.
#
# Usage: rsyslog.sh CONFIG
# Exit: 0 pass, 1 fail, 77 (skip) when rsyslogd is not installed, unless
#       CI=true.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 CONFIG" >&2
    exit 1
fi
config=$(realpath "$1")
PATH=$PATH:/usr/sbin

if ! command -v rsyslogd >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        echo "rsyslog: rsyslogd is not installed (required when CI=true)" >&2
        exit 1
    fi
    echo "rsyslog: rsyslogd is not installed; skipping" >&2
    exit 77
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/rsyslog.conf" <<CONF
global(workDirectory="$tmp")
include(file="$config" mode="required")
CONF

# -N1 exits non-zero on errors and on warnings (an unknown parameter, a
# missing work directory).
out=$(rsyslogd -N1 -f "$tmp/rsyslog.conf" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q 'End of config validation run'; then
    echo "FAIL: rsyslogd -N1 (status $rc)" >&2
    exit 1
fi
for word in 'type="imfile"' 'reopenOnTruncate="on"' 'freshStartTail="on"' 'type="omfwd"' \
    'Protocol="tcp"' 'queue.filename='; do
    if ! grep -v '^ *#' "$config" | grep -qF "$word"; then
        echo "FAIL: $config has no $word" >&2
        exit 1
    fi
done
exit 0
