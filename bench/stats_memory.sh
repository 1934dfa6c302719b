#!/bin/sh
# See stats_memory.py. Usage: bench/stats_memory.sh [--runs N] [--files N] [--max-rows N]
exec python3 "$(dirname "$0")/stats_memory.py" "$@"
