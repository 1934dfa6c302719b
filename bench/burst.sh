#!/bin/sh
# See README.md. Usage: bench/burst.sh [--runs N] [--raw] [--fs tmpfs|btrfs-subvol|overlay] [--fswait PATH] [--monitors LIST]
exec python3 "$(dirname "$0")/fsbench.py" burst "$@"
