"""Logs that survive rotation: -o reopened on SIGHUP/SIGUSR1, `>>` with
copytruncate (fswait only: inotifywait never reopens)."""
from casedef import Case

CREATE_F = ['-m', '-q', '-e', 'create', '--format', '%f']


def rotation(name, signal):
    """a, b, c before the signal (c after the rename: still the old file),
    d, e after it (the new file, made 0600)."""
    return Case(name, CREATE_F + ['-t', '1', '-o', 'log', 'w'], setup='mkdir w', oracle=False,
                workload=f'touch w/a w/b; sleep 0.2; mv log log.1; touch w/c; sleep 0.2; '
                         f'kill -{signal} $WATCHER_PID; sleep 0.2; touch w/d w/e',
                files={'log.1': b'a\nb\nc\n', 'log': b'd\ne\n'}, modes={'log': 0o600}, status=2)


CASES = [
    rotation('log_o_reopened_on_sighup', 'HUP'),
    rotation('log_o_reopened_on_sigusr1', 'USR1'),
    # A reopen that fails keeps the old file and says so once.
    Case('log_o_reopen_failure_keeps_the_old_file', CREATE_F + ['-t', '1', '-o', 'd/log', 'w'],
         setup='mkdir w d', oracle=False,
         workload='touch w/a; sleep 0.2; mv d/log d.log; rmdir d; kill -HUP $WATCHER_PID; sleep 0.2; touch w/b',
         files={'d.log': b'a\nb\n'},
         stderr="fswait: cannot reopen 'd/log': No such file or directory; "
                "still writing to the file opened before\n", status=2),
    # Without -o, SIGHUP means what it always meant: the end (129).
    Case('log_sighup_without_o_ends', CREATE_F + ['w'], setup='mkdir w', oracle=False,
         workload='touch w/a', signal='HUP', stdout=b'a\n', status=129),
    # `>>` and copytruncate: after the truncation the next line starts the
    # file (O_APPEND), with no NUL hole where the old content was.
    Case('log_append_survives_copytruncate', shell='"$FSWAIT" -m -q -t 1 -e create --format %f w >> log',
         setup='mkdir w', oracle=False, ready='marks', marks=1,
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
