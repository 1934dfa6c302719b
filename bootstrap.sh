#!/bin/sh
# The README's commands. Idempotent; run as root on Debian 12.
#   ./bootstrap.sh demo [DIR]   install what is missing, build, watch DIR (default /tmp)
#   ./bootstrap.sh test         install what is missing, build, run the whole test suite
#   ./bootstrap.sh sanitize     the same with ASan+UBSan, in build-asan ($ASAN_BUILD)
#   ./bootstrap.sh fuzz [SECS]  fuzz/run.sh: each libFuzzer target for SECS (default 60)
set -eu
cd "$(dirname "$0")"

# systemd (systemd-analyze), bash-completion, logrotate and rsyslog: the
# tests of contrib/ (suite 'contrib') read its files with them.
# bindfs (and fuse3, what provides its `fuse`): the CLI tests of a path on a
# FUSE filesystem (tests/cli/cases_backends.py).
PACKAGES="g++ meson ninja-build pkg-config libfmt-dev libboost-test-dev python3 man-db inotify-tools util-linux e2fsprogs btrfs-progs logrotate jq systemd bash-completion rsyslog libsystemd-dev bindfs fuse3"
BUILD=build
ASAN_BUILD=${ASAN_BUILD:-build-asan}

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "bootstrap.sh: run me as root (apt-get, fanotify and the tests' tmpfs mounts need it)" >&2
        exit 1
    fi
}

install_missing() {
    missing=""
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "bootstrap.sh: installing$missing" >&2
    apt-get update -qq
    # Packages such as rsyslog start their daemon when installed (where
    # systemd runs). The tests need only their programs: while apt-get runs,
    # a policy-rc.d saying "no" (exit 101, honoured by invoke-rc.d and
    # deb-systemd-invoke) keeps every service stopped, unless the machine
    # has a policy of its own (Docker images ship one), which is left alone.
    policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        trap 'rm -f "$policy"' EXIT
        trap 'rm -f "$policy"; exit 1' HUP INT TERM
        printf '#!/bin/sh\n# bootstrap.sh: no services started while it installs packages\nexit 101\n' >"$policy"
        chmod 755 "$policy"
    fi
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null || rc=$?
    if [ -n "$policy" ]; then
        rm -f "$policy"
        trap - EXIT HUP INT TERM
    fi
    return "$rc"
}

# build [DIR [MESON_OPTION...]]: the options are also applied to an
# existing DIR, so that a change of mode never runs a stale configuration.
build() {
    dir=${1:-$BUILD}
    [ $# -gt 0 ] && shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" --wrap-mode=nodownload -Dwerror=true "$@" >/dev/null
    else
        meson configure "$dir" -Dwerror=true "$@" >/dev/null
    fi
    ninja -C "$dir" >/dev/null
}

# Every sanitizer report must fail the test that caused it. Unit tests only
# have their exit status, so UBSan must stop (it goes on by default) and all
# reports exit with a status neither tool uses (the CLI tests also fail on
# the report's text on stderr). Deaths by signal are left alone: ASan
# handles only SIGSEGV, SIGBUS and SIGFPE, and a process killed by SIGINT,
# SIGTERM or SIGPIPE never reaches the leak check, so 130/141/143 stay.
sanitizer_env() {
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23:check_initialization_order=1:strict_init_order=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=23"
}

summary() {
    python3 - "${1:-$BUILD}/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): passed += 1
    elif r == "SKIP": skipped += 1
    else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}

case "${1:-}" in
demo)
    need_root; install_missing; build
    dir=${2:-/tmp}
    echo "bootstrap.sh: watching $dir; change something there, Ctrl-C to stop" >&2
    exec "$BUILD/tools/fswait" -m --format '%T %p %c %u %e %w%f' --timefmt '%F %T' "$dir"
    ;;
test)
    need_root; install_missing; build
    status=0
    meson test -C "$BUILD" --print-errorlogs --num-processes 2 >"$BUILD/meson-test.out" 2>&1 || status=$?
    if [ "$status" != 0 ]; then cat "$BUILD/meson-test.out"; fi
    summary
    exit "$status"
    ;;
sanitize)
    # The oracle suite runs the system's inotifywait, not this build: it
    # is left to 'test'. ASan makes everything slower, hence the longer
    # timeouts. No vptr check: it probes memory through a pipe, so in the
    # tests that exhaust file descriptors (prlimit --nofile) it reports
    # every virtual call as "invalid vptr"; ASan still sees use after free,
    # and the fuzz build keeps the check for compat/.
    need_root; install_missing
    build "$ASAN_BUILD" -Db_sanitize=address,undefined -Dcpp_args=-fno-sanitize=vptr
    sanitizer_env
    status=0
    meson test -C "$ASAN_BUILD" --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
        --no-suite oracle >"$ASAN_BUILD/meson-test.out" 2>&1 || status=$?
    if [ "$status" != 0 ]; then cat "$ASAN_BUILD/meson-test.out"; fi
    summary "$ASAN_BUILD"
    exit "$status"
    ;;
fuzz)
    need_root
    PACKAGES="$PACKAGES clang libclang-rt-14-dev"
    install_missing
    exec ./fuzz/run.sh ${2:+"$2"}
    ;;
*)
    echo "usage: $0 demo [DIR] | test | sanitize | fuzz [SECONDS]" >&2
    exit 2
    ;;
esac
