#!/bin/sh
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for SECONDS
# (default 60) on a fresh copy of its seed corpus. Prints "ok fuzz-NAME" or
# "FAIL fuzz-NAME" per target, then "N passed, N failed"; exits 1 on any
# finding. Idempotent. Build dir: $FUZZ_BUILD (default build-fuzz, in the
# source tree). Findings are kept as BUILD/fuzz-run/NAME/crash-* etc.;
# replay one with: BUILD/fuzz/fuzz-NAME FILE
set -eu
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-60}
BUILD=${FUZZ_BUILD:-build-fuzz}
TARGETS="format event_names options csv json"
# libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes for clang.
PACKAGES="clang libclang-rt-14-dev"

case "$SECONDS_EACH" in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "fuzz/run.sh: missing packages:$missing (install them, or run me as root)" >&2
        exit 1
    fi
    echo "fuzz/run.sh: installing$missing" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Every option is given on each run, so an existing build dir is brought to
# this configuration rather than trusted; its compiler cannot be changed.
OPTIONS="-Dfuzzing=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true"
if [ ! -f "$BUILD/build.ninja" ]; then
    if ! out=$(CXX=clang++ meson setup "$BUILD" --wrap-mode=nodownload $OPTIONS 2>&1); then
        echo "$out" >&2
        exit 1
    fi
else
    if ! grep -q '^ *command = clang++ .* -c ' "$BUILD/build.ninja"; then
        echo "fuzz/run.sh: $BUILD was not configured with clang; remove it or set FUZZ_BUILD" >&2
        exit 1
    fi
    meson configure "$BUILD" $OPTIONS >/dev/null
fi
ninja -C "$BUILD" >"$BUILD/fuzz-build.log" 2>&1 || { cat "$BUILD/fuzz-build.log" >&2; exit 1; }

# UBSan is compiled not to recover (meson.build); halt_on_error covers a
# target built some other way. -close_fd_mask=2 silences getopt's messages
# in the targets; libFuzzer and the sanitizers keep their own copy of fd 2.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

passed=0
failed=0
for name in $TARGETS; do
    work="$BUILD/fuzz-run/$name"
    rm -rf "$work"
    mkdir -p "$work"
    cp -R "fuzz/corpus/$name" "$work/corpus"
    status=0
    "$BUILD/fuzz/fuzz-$name" -max_total_time="$SECONDS_EACH" -timeout=10 -close_fd_mask=2 \
        -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
    cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1 | cut -d' ' -f2)
    findings=$(find "$work" -maxdepth 1 -type f ! -name log | head -n 1)
    if [ "$status" = 0 ] && [ -z "$findings" ]; then
        passed=$((passed + 1))
        echo "ok fuzz-$name  (${runs:-?} runs, ${rate:-?}/s, cov ${cov:-?})"
    else
        failed=$((failed + 1))
        echo "FAIL fuzz-$name  (exit $status${findings:+, input $findings}; log $work/log)"
        grep -E 'ERROR|SUMMARY|runtime error|property violated' "$work/log" | head -n 5 | sed 's/^/    /'
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
