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
