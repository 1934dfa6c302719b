"""Who caused the event: %p pid, %c command name, %u user (fswait only, root).

writer.sh records its own pid ($$) in p/pid, then writes w/f with a shell
builtin (so the writing process is the script itself, whose command name is
`writer.sh`), then stays alive for a second.
"""
import shlex

from casedef import Case, lifecycle

WRITER = r'''mkdir -m 777 w p
printf '#!/bin/sh\necho $$ > p/pid\necho x > w/f\nsleep 1\n' > writer.sh
chmod 755 writer.sh
'''
WHO_FORMAT = ['-q', '--format', '%p %c %u %e %f', '-e', 'close_write', 'w']


def writer_line(user):
    return lambda ctx: f'{ctx.text("p/pid")} writer.sh {user} CLOSE_WRITE,CLOSE f\n'.encode()


def attribution(name, run_as, user):
    return Case(name, WHO_FORMAT, setup=WRITER, workload=run_as + './writer.sh',
                stdout=writer_line(user), oracle=False, root=True)


CASES = [
    attribution('attr_writer_root', '', 'root'),
    attribution('attr_writer_nobody',
                'setpriv --reuid=nobody --regid=nogroup --clear-groups ', 'nobody'),
    attribution('attr_writer_uid_without_passwd_entry',
                'setpriv --reuid=54321 --regid=54321 --clear-groups ', '54321'),
    # The watcher's own writes (its -o file is inside the watched dir) never show.
    Case('attr_own_events_never_reported', '-q -m -t 1 -o w/log w', setup='mkdir w',
         workload='touch w/f', oracle=False, root=True,
         files={'w/log': lifecycle('w/ ', 'f')}, status=2),
]


# --- Part 3: the right process even after it exited, and while fswait is
# stopped (SIGSTOP for the whole workload, SIGCONT after it).
# Each writer records its pid in p/pid (p is not watched) before writing w/f.

def stopped(workload):
    """The workload runs while the watcher is stopped; every writer is gone
    (and reaped) before the watcher reads a thing."""
    return f'kill -STOP $WATCHER_PID\n{workload}\nsleep 0.2\nkill -CONT $WATCHER_PID'


def who_case(name, setup, workload, comm, user='root', retries=0):
    """Two cases: read live, and read after the writer exited while stopped."""
    expect = lambda ctx: f'{ctx.text("p/pid")} {comm} {user} CLOSE_WRITE,CLOSE f\n'.encode()
    setup = 'mkdir -m 777 w p\n' + setup
    return [Case(f'{name}_{mode}', WHO_FORMAT, setup=setup, stdout=expect, oracle=False, root=True,
                 workload=workload if mode == 'live' else stopped(workload),
                 retries=retries if mode == 'stopped' else 0)
            for mode in ('live', 'stopped')]


PRCTL = ('import ctypes, os\n'
         'ctypes.CDLL(None).prctl(15, b"renamed-worker-process", 0, 0, 0)\n')

CASES += [
    *who_case('attr_touch', '', 'touch w/f & echo $! > p/pid; wait', 'touch'),
    # sh is a symlink to dash: ps shows the name it was started by.
    *who_case('attr_sh_c_pid', '', "sh -c 'echo $$ > p/pid; echo x > w/f'", 'sh'),
    # A binary started through a symlink: the link's name, as comm has it.
    *who_case('attr_symlinked_binary', 'ln -s /usr/bin/touch my-touch-link-name',
              './my-touch-link-name w/f & echo $! > p/pid; wait', 'my-touch-link-n'),
    # A script: the script's name, not its interpreter's.
    *who_case('attr_script', WRITER.replace('mkdir -m 777 w p\n', '').replace('sleep 1', 'true'),
              './writer.sh', 'writer.sh'),
    # prctl(PR_SET_NAME) before writing: the new name, cut to 15 bytes.
    *who_case('attr_prctl_rename', '',
              'python3 -c \'' + PRCTL + 'open("p/pid", "w").write(str(os.getpid()))\n'
              'open("w/f", "w").write("x")\'', 'renamed-worker-'),
    # A child that forked without exec has its parent's name (renamed here,
    # so that it cannot be confused with anything else).
    *who_case('attr_fork_without_exec', '',
              'python3 -c \'' + PRCTL + 'import time\npid = os.fork()\nif pid == 0:\n'
              '    open("p/pid", "w").write(str(os.getpid()))\n    open("w/f", "w").write("x")\n'
              '    os._exit(0)\nos.waitpid(pid, 0)\'', 'renamed-worker-'),
    # setuid to another user before writing: that user. Read with fswait
    # stopped, about 1 run in 20 printed `root` (the user before the setuid)
    # in the full suite (never alone in 50 runs). Suspected cause, fixed: a
    # connector uid message ingested before the perf fork record of its
    # process (sources read perf-then-connector, the SIGSTOP landing in
    # between). Not confirmed, so one retry stays until it is; a failure is
    # reported with both attempts' details.
    *who_case('attr_setuid_nobody', WRITER.replace('mkdir -m 777 w p\n', '').replace('sleep 1', 'true'),
              'setpriv --reuid=nobody --regid=nogroup --clear-groups ./writer.sh', 'writer.sh', 'nobody',
              retries=1),
    *who_case('attr_setuid_without_passwd_entry',
              WRITER.replace('mkdir -m 777 w p\n', '').replace('sleep 1', 'true'),
              'setpriv --reuid=54321 --regid=54321 --clear-groups ./writer.sh', 'writer.sh', '54321',
              retries=1),
]


# --- Pid reuse. In a private pid namespace (fswait inside it too, so that it
# sees the namespace's pids) ns_last_pid forces three processes in a row onto
# one pid: `alpha` (a copy of touch), `beta` (another copy), and a subshell
# of bash that forks without exec. Read live, each event names its own
# process. Read after all three exited (fswait stopped), the queue holds three
# events of one pid and nothing says which process wrote which (the pid was
# alpha's, then beta's before its exec...): fswait prints `?` rather than
# guess, and never another process's command.
PID_REUSE = r'''
unshare --pid --fork --mount-proc bash -c '
set -u
"$FSWAIT" -m -q -e close_write --format "%p %c %f" w > out 2> err &
FS=$!
for i in $(seq 500); do grep -qs "fanotify ino:" /proc/$FS/fdinfo/* && break; sleep 0.01; done
settle() {  # live: the event was read, and the queue found empty since
    if [ "$MODE" = live ]; then
        for i in $(seq 500); do grep -q " $1\$" out && break; sleep 0.01; done
        sleep 0.3
    fi
}
if [ "$MODE" = stopped ]; then kill -STOP $FS; fi
./alpha w/a & N=$!; wait $N
settle a
echo $((N - 1)) > /proc/sys/kernel/ns_last_pid
./beta w/b & M=$!; wait $M
settle b
echo $((N - 1)) > /proc/sys/kernel/ns_last_pid
( echo $BASHPID > p/sub; echo x > w/c )
if [ "$MODE" = stopped ]; then sleep 0.2; kill -CONT $FS; fi
for i in $(seq 500); do grep -q " c\$" out && break; sleep 0.01; done
kill $FS; wait $FS
echo "$N $M $(cat p/sub)" > p/pids
'
cat out
'''


def reuse_expect(live):
    def expect(ctx):
        n, m, sub = ctx.text('p/pids').split()
        if not n == m == sub:
            return f'(the pid was not reused: {n} {m} {sub})\n'.encode()
        names = ('alpha', 'beta', 'bash') if live else ('?', '?', '?')
        return ''.join(f'{n} {c} {f}\n' for c, f in zip(names, 'abc')).encode()
    return expect


CASES += [
    Case(f'attr_pid_reuse_{mode}', shell=f'MODE={mode} exec bash -c {shlex.quote(PID_REUSE)}',
         setup='mkdir w p\ncp /usr/bin/touch alpha\ncp /usr/bin/touch beta',
         stdout=reuse_expect(mode == 'live'), oracle=False, root=True, ready='marks', marks=0,
         needs='unshare --pid --fork --mount-proc true')
    for mode in ('live', 'stopped')
]


# Many short-lived processes while stopped: more than one read's worth of
# queued events (a 256 KiB read holds ~1,000 of these touches), so that the
# processes of later reads must still be known after earlier reads.
BURST = 2000
CASES += [
    Case('attr_stopped_burst_spans_reads', ['-q', '-m', '--format', '%c %u %e %f', '-e', 'close_write', 'w'],
         setup='mkdir w', oracle=False, root=True, signal='TERM', status=143, deadline=30,
         workload=stopped(f'for i in $(seq {BURST}); do touch w/f$i; done'),
         stdout=''.join(f'touch root CLOSE_WRITE,CLOSE f{i}\n' for i in range(1, BURST + 1))),
]
