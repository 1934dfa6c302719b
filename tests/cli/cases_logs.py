"""Logs that survive rotation: -o reopened on SIGHUP/SIGUSR1, `>>` with
copytruncate (fswait only: inotifywait never reopens)."""
import shlex

from casedef import BOTH, Case

CREATE_F = ['-m', '-q', '-e', 'create', '--format', '%f']


def rotation(name, signal):
    """a, b, c before the signal (c after the rename: still the old file),
    d, e after it (the new file, made 0600)."""
    return Case(name, CREATE_F + ['-t', '1', '-o', 'log', 'w'], setup='mkdir w', oracle=False,
                backends=BOTH,
                workload=f'touch w/a w/b; sleep 0.2; mv log log.1; touch w/c; sleep 0.2; '
                         f'kill -{signal} $WATCHER_PID; sleep 0.2; touch w/d w/e',
                files={'log.1': b'a\nb\nc\n', 'log': b'd\ne\n'}, modes={'log': 0o600}, status=2)


CASES = [
    rotation('log_o_reopened_on_sighup', 'HUP'),
    rotation('log_o_reopened_on_sigusr1', 'USR1'),
    # A reopen that fails keeps the old file and says so once.
    Case('log_o_reopen_failure_keeps_the_old_file', CREATE_F + ['-t', '1', '-o', 'd/log', 'w'],
         setup='mkdir w d', oracle=False, backends=BOTH,
         workload='touch w/a; sleep 0.2; mv d/log d.log; rmdir d; kill -HUP $WATCHER_PID; sleep 0.2; touch w/b',
         files={'d.log': b'a\nb\n'},
         stderr="fswait: cannot reopen 'd/log': No such file or directory; "
                "still writing to the file opened before\n", status=2),
    # Without -o, SIGHUP means what it always meant: the end (129).
    Case('log_sighup_without_o_ends', CREATE_F + ['w'], setup='mkdir w', oracle=False, backends=BOTH,
         workload='touch w/a', signal='HUP', stdout=b'a\n', status=129),
    # `>>` and copytruncate: after the truncation the next line starts the
    # file (O_APPEND), with no NUL hole where the old content was.
    Case('log_append_survives_copytruncate', shell='"$FSWAIT" -m -q -t 1 -e create --format %f w >> log',
         setup='mkdir w', oracle=False, backends=BOTH, ready='marks', marks=1,
         workload='touch w/a w/b; sleep 0.2; cp log log.1; truncate -s 0 log; touch w/c',
         files={'log.1': b'a\nb\n', 'log': b'c\n'}, status=2),
]


# The log's filesystem fills up (a 1 MiB tmpfs): one warning, no torn line
# (a line the disk could only take part of is taken back), and logging
# resumes once space is freed.
FULL_DISK = r'''
"$FSWAIT" -m -q -e create --format '%f 0123456789012345678901234567890123456789' -o lf/log w 2> err &
P=$!
for i in $(seq 500); do grep -qs "fanotify ino:" /proc/$P/fdinfo/* && break; sleep 0.01; done
for i in $(seq 30000); do : > w/f$i; done
sleep 0.5
python3 -c '
import sys
data = open("lf/log", "rb").read()
lines = data.split(b"\n")
torn = [l for l in lines[:-1] if not l.endswith(b"0123456789")]
print("full:", len(data) > 1000000, "torn:", len(torn), "tail:", lines[-1])'
truncate -s 0 lf/log
: > w/after
sleep 0.3
kill $P; wait $P
cat lf/log err
umount lf
'''
CASES += [
    Case('log_full_disk_no_torn_line_and_resumes', shell=FULL_DISK, setup='mkdir w lf; mount -t tmpfs -o size=1m none lf',
         oracle=False, root=True, ready='marks', marks=0, deadline=60,
         stdout=b"full: True torn: 0 tail: b''\n"
                b'after 0123456789012345678901234567890123456789\n'
                b"fswait: cannot write to 'lf/log': No space left on device; events are being lost\n"),
]


def daemon_log(ctx):
    """What -d -o d.log w writes: the events under the ABSOLUTE watch path."""
    import os
    w = os.path.realpath(ctx.dir) + '/w/'
    return f'{w} CREATE f\n'.encode()


# syslog(3) writes to /dev/log: a listener is put there in a private mount
# namespace (a tmpfs over /dev), and what it receives is printed with the
# time and pid masked.
SYSLOG = r'''
unshare -m bash -c '
mount -t tmpfs none /dev
python3 - <<PY &
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open("listening", "w").close()
s.settimeout(3)
with open("syslog.txt", "wb") as f:
    try:
        while True:
            f.write(s.recv(4096) + b"\n")
            f.flush()
    except socket.timeout:
        pass
PY
while [ ! -e listening ]; do sleep 0.01; done
"$FSWAIT" -s -t 1 w
echo "status $?"
wait
'
sed -E "s/^<([0-9]+)>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} fswait\[[0-9]+\]: /<\1>fswait[PID]: /" syslog.txt
'''

CASES += [
    # E89: the -o file must exist before -d forks.
    Case('e89_daemon_outfile_must_exist', '-d -t 1 -o d.log w', opens=True, setup='mkdir w',
         stderr='No such file or directory: d.log\n', status=1),
    # -d: the parent exits 0 at once; the daemon watches w although it was
    # given relative (deliberate fix: inotifywait loses it after chdir("/")).
    Case('log_daemon_relative_watch_path_is_resolved', '-d -t 1 -e create -o d.log w', opens=True,
         setup='mkdir w; touch d.log',
         oracle=False, backends=BOTH, workload='sleep 0.5; touch w/f; sleep 0.5', files={'d.log': daemon_log}),
    # -s: banner to syslog (facility daemon, LOG_INFO: <30>), ident fswait, with pid.
    Case('log_syslog_banner', shell=SYSLOG, setup='mkdir w', oracle=False, root=True,
         ready='marks', marks=0, deadline=20,
         stdout=b'status 2\n<30>fswait[PID]: Setting up watches.\n<30>fswait[PID]: Watches established.\n'),
]


# The real logrotate while fswait logs 10,000 events a second (20,000 files
# in 2 s). create + postrotate HUP: every event exactly once across the old
# and the new file, every line whole. copytruncate with `>>`: every line whole,
# none twice, no NUL bytes (what is written between logrotate's copy and its
# truncation is lost: logrotate's own documented limit; the count is printed).
LOGROTATE = r'''
set -e
if [ "$MODE" = copytruncate ]; then HUP=; else HUP="postrotate
        kill -HUP \$(cat $PWD/fswait.pid)
    endscript"; fi
cat > lr.conf <<CONF
$PWD/logs/log {
    $MODE
    rotate 1
    $HUP
}
CONF
if [ "$MODE" = copytruncate ]; then
    "$FSWAIT" -m -q -e create --format %f w >> logs/log & P=$!
else
    "$FSWAIT" -m -q -e create --format %f -o logs/log w & P=$!
fi
echo $P > fswait.pid
for i in $(seq 500); do grep -qs "fanotify ino:" /proc/$P/fdinfo/* && break; sleep 0.01; done
python3 -c '
import os, time
start = time.monotonic()
for i in range(1, 20001):
    open(f"w/f{i}", "w").close()
    ahead = i / 10000 - (time.monotonic() - start)
    if ahead > 0:
        time.sleep(ahead)
' &
G=$!
sleep 1
logrotate -f -s lr.state lr.conf
wait $G
sleep 0.5
kill $P
wait $P || true
python3 -c '
import collections
data = open("logs/log.1", "rb").read() + open("logs/log", "rb").read()
lines = data.split(b"\n")
assert lines[-1] == b"", "last line not whole"
lines = lines[:-1]
count = collections.Counter(lines)
want = {b"f%d" % i for i in range(1, 20001)}
print("rotated:", len(open("logs/log.1", "rb").read()) > 0 and len(open("logs/log", "rb").read()) > 0)
print("whole lines:", all(l in want for l in lines), "NUL bytes:", data.count(b"\0"))
print("twice:", sum(1 for n in count.values() if n > 1))
missing = len(want - set(count))
print("missing:", missing if "'"$MODE"'" != "copytruncate" else ("under 1%" if missing < 200 else missing))
'
'''


def logrotate_case(name, mode, missing):
    return Case(name, shell=f'MODE={shlex.quote(mode)} exec bash -c {shlex.quote(LOGROTATE)}',
                setup='mkdir w; mkdir -m 755 logs',
                oracle=False, root=True, ready='marks', marks=0, deadline=60,
                needs='command -v logrotate',
                stdout=f'rotated: True\nwhole lines: True NUL bytes: 0\ntwice: 0\nmissing: {missing}\n'.encode())


CASES += [
    logrotate_case('log_logrotate_create_and_hup_loses_nothing', "create 0600 root root", '0'),
    logrotate_case('log_logrotate_copytruncate_whole_lines', 'copytruncate', 'under 1%'),
]
