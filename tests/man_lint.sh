#!/bin/bash
# Lint a man page the way lintian does (its groff-message check): render it
# with man-db and fail on anything written to stderr.
#
# Usage: man_lint.sh PAGE
# Exit:  0 clean, 1 warnings (printed) or usage error,
#        77 (skip) when man is not installed, unless CI=true.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 PAGE" >&2
    exit 1
fi
page=$1

if ! command -v man >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        echo "man_lint: man is not installed (required when CI=true)" >&2
        exit 1
    fi
    echo "man_lint: man is not installed; skipping" >&2
    exit 77
fi

if [ ! -r "$page" ]; then
    echo "man_lint: cannot read $page" >&2
    exit 1
fi

warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
    man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)

if [ -n "$warnings" ]; then
    echo "man_lint: $page:" >&2
    printf '%s\n' "$warnings" >&2
    exit 1
fi
exit 0
