#!/bin/sh
# See README.md. Usage: bench/attribution.sh [--runs N] [--raw] [--fswait PATH] [--monitors LIST]
exec python3 "$(dirname "$0")/fsbench.py" attribution "$@"
