"""fsbench workload (f): is each event attributed to the process that caused it?

700 files are created and closed after writing by short-lived processes whose pid, command
and user are known (see WORKLOAD); each monitor prints pid, command and user for every
CLOSE_WRITE, live (reading normally) and stopped (SIGSTOP during the whole workload, then
SIGCONT: every process is gone by the time the monitor reads its event).
See bench/README.md, "attribution.sh".
"""
import os
import pwd
import re
import signal
import subprocess
import time

from fsbench_common import (NA, RES, Failed, Monitor, log, read_lines, run, sentinel_name,
                            wait_for_line, wait_quiet, write_file)
from fsbench_ctx import count_int

N_TOUCH, N_SH, N_NOBODY = 300, 300, 100
TOTAL = N_TOUCH + N_SH + N_NOBODY
MODES = ('live', 'stopped')
FORMAT = '%p|%c|%u|%f'

# Interleaved, sequential: per i, touch ti, then sh writing its own pid into si, and after
# every third i (i = 2, 5, 8, ...) touch n(i/3) as nobody.  `set -e`: a failed command
# ends the run (checked again afterwards from the files themselves).
WORKLOAD = r'''set -e
W=$1
for ((i = 0; i < %d; i++)); do
    touch "$W/t$i"
    sh -c 'echo $$ > "$1"' sh "$W/s$i"
    if ((i %% 3 == 2)); then
        setpriv --reuid=nobody --regid=nogroup --clear-groups touch "$W/n$((i / 3))"
    fi
done
''' % N_TOUCH

# name prefix -> (category key, expected command, expected user)
CATEGORIES = {'t': ('touch', 'touch', 'root'), 's': ('sh', 'sh', 'root'),
              'n': ('nobody', 'touch', 'nobody')}
NAME_RE = re.compile(r'^([tsn])(\d+)$')
# fatrace: "comm(pid): TYPES path", with -u (fatrace >= 0.18) "comm(pid) [uid:gid]: ..."
FATRACE_RE = re.compile(r'^(?P<comm>.*?)\((?P<pid>\d+)\)(?: \[(?P<uid>\d+):\d+\])?: '
                        r'(?P<types>\S+)\s+(?P<path>.*)$')


# --------------------------------------------------------------------------------------
# Processes: readiness on the watched filesystem, SIGSTOP

def kernel_dev(path):
    """st_dev in the kernel's encoding (major << 20 | minor), as fdinfo prints sdev."""
    d = os.stat(path).st_dev
    return (os.major(d) << 20) | os.minor(d)


def has_mark_on(pid, kdev, inode_only):
    """True once one of pid's fanotify fds has an inode (or, unless inode_only, a
    filesystem) mark on device kdev.

    Stricter than fsbench_common.has_fanotify_mark: fswait briefly marks "/" at start-up
    (a feature probe), and with %c/%u it puts an exec-only filesystem mark on every
    filesystem (the measured tmpfs too) before it marks the watched directory: only
    that inode mark means ready."""
    for text in fdinfo_texts(pid):
        pattern = r'^fanotify ino:[0-9a-f]+ sdev:([0-9a-f]+)' if inode_only else \
            r'^fanotify (?:ino:[0-9a-f]+ )?sdev:([0-9a-f]+)'
        for m in re.finditer(pattern, text, re.M):
            if int(m.group(1), 16) == kdev:
                return True
    return False


def wait_marked(mon, kdev, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if has_mark_on(mon.pid, kdev, mon.name == 'fswait'):
            mon.t_ready = time.monotonic()
            return
        if not mon.alive():
            if mon.reader:
                mon.reader.join(2)
            raise Failed(mon.died_reason())
        time.sleep(0.005)
    raise Failed(f'{mon.name}: no fanotify mark on the tmpfs after {timeout} s')


def task_states(pid):
    states = []
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/stat') as f:
                states.append(f.read().rsplit(')', 1)[1].split()[0])
        except (OSError, IndexError):
            pass
    return states


def sigstop(mon, timeout=5):
    """SIGSTOP the monitor and wait until every thread of it is stopped."""
    os.kill(mon.pid, signal.SIGSTOP)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = task_states(mon.pid)
        if st and all(s in 'Tt' for s in st):
            return
        time.sleep(0.005)
    raise Failed(f'{mon.name} not stopped {timeout} s after SIGSTOP')


def sigcont(mon):
    try:
        os.kill(mon.pid, signal.SIGCONT)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------------------
# Parsing and judging

def parse_fswait(lines):
    """'pid|comm|user|name' -> {name: (pid, comm, user)} (first line per name)."""
    seen = {}
    for line in lines:
        parts = line.split('|')
        if len(parts) == 4 and parts[3] not in seen:
            seen[parts[3]] = (parts[0], parts[1], parts[2])
    return seen


def parse_fatrace(lines, w, with_user):
    """CLOSE_WRITE lines (types with C and W) in w -> {name: (pid, comm, user)}."""
    names = {}
    if with_user:
        names = {str(u.pw_uid): u.pw_name for u in (pwd.getpwnam('root'), pwd.getpwnam('nobody'))}
    seen = {}
    for line in lines:
        m = FATRACE_RE.match(line)
        if not m or 'C' not in m['types'] or 'W' not in m['types']:
            continue
        d, _, name = m['path'].rpartition('/')
        if d != w or name in seen:
            continue
        user = None
        if with_user:
            user = names.get(m['uid'], m['uid']) if m['uid'] is not None else 'unknown'
        seen[name] = (m['pid'], m['comm'], user)
    return seen


def judge(seen, spids, unknown):
    """Count correct / missing / unknown / wrong over the 700 files.

    seen: {name: (pid, comm, user or None when the monitor cannot print users)};
    spids: {name of an s file: the pid it contains}; unknown: the monitor's word for a
    process it could not look up ('?' for fswait, 'unknown' for fatrace)."""
    res = {'correct': 0, 'touch': 0, 'sh': 0, 'nobody': 0,
           'missing': 0, 'unknown': 0, 'wrong': 0}
    all_spids = set(spids.values())
    tn_pids = {}
    for name, (pid, _, _) in seen.items():
        if name[:1] in 'tn' and NAME_RE.match(name):
            tn_pids[pid] = tn_pids.get(pid, 0) + 1
    expected = ([f't{i}' for i in range(N_TOUCH)] + [f's{i}' for i in range(N_SH)]
                + [f'n{i}' for i in range(N_NOBODY)])
    for name in expected:
        cat, want_comm, want_user = CATEGORIES[name[0]]
        if name not in seen:
            res['missing'] += 1
            continue
        pid, comm, user = seen[name]
        if comm == unknown or (user is not None and user == unknown):
            res['unknown'] += 1
            continue
        if not pid.isdigit() or int(pid) <= 0:
            ok = False
        elif cat == 'sh':
            ok = int(pid) == spids[name]
        else:   # unknowable in advance: positive, not an sh's pid, not shared by two files
            ok = int(pid) not in all_spids and tn_pids[pid] == 1
        ok = ok and comm == want_comm and (user is None or user == want_user)
        if ok:
            res['correct'] += 1
            res[cat] += 1
        else:
            res['wrong'] += 1
    return res


def read_spids(w):
    """Check the workload's result; {sN: pid written by that sh}."""
    names = set(os.listdir(w))
    nobody = pwd.getpwnam('nobody').pw_uid
    spids = {}
    for cat, n in (('t', N_TOUCH), ('s', N_SH), ('n', N_NOBODY)):
        for i in range(n):
            p = os.path.join(w, f'{cat}{i}')
            if f'{cat}{i}' not in names:
                raise Failed(f'workload did not create {p}')
            if cat == 'n' and os.stat(p).st_uid != nobody:
                raise Failed(f'{p} is not owned by nobody: setpriv did not work')
            if cat == 's':
                with open(p) as f:
                    txt = f.read().strip()
                if not txt.isdigit():
                    raise Failed(f'{p} holds {txt!r}, not a pid')
                spids[f's{i}'] = int(txt)
    return spids


# --------------------------------------------------------------------------------------
# The benchmark

def bench_attribution(ctx):
    kinds = ['fswait', 'fatrace']
    ctx.probe(kinds, recursive=False)
    fatrace_user = False
    if ctx.avail.get('fatrace') is None:
        r = subprocess.run([ctx.bins['fatrace'], '--help'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10)
        fatrace_user = b'--user' in r.stdout     # fatrace >= 0.18: -u, " [uid:gid]"
    cols = []
    for k in kinds:
        for mode in MODES:
            ctx.avail[f'{k} {mode}'] = ctx.avail[k]
            cols.append(f'{k} {mode}')
    # nobody must reach W: the run's base dir is 0700 (mkdtemp); search-only for others.
    os.chmod(RES.base, 0o711)
    fat_argv = ['-c', '-f', 'W'] + (['-u'] if fatrace_user else [])
    cmdlines = {}
    for mode in MODES:
        cmdlines[f'fswait {mode}'] = f"fswait -m -q -e close_write --format '{FORMAT}' W > OUT"
        cmdlines[f'fatrace {mode}'] = f"cd W && fatrace {' '.join(fat_argv)} > OUT"

    def one(col, r):
        kind, mode = col.split()
        mnt = RES.mount_tmpfs('attr', size='64m')
        mon = None
        try:
            w = os.path.join(mnt, 'w')
            os.mkdir(w)
            os.chmod(w, 0o1777)
            out = os.path.join(ctx.scratch, f'attr-{kind}-{mode}-{r}.out')
            if kind == 'fswait':
                argv = [ctx.bins[kind], '-m', '-q', '-e', 'close_write', '--format', FORMAT, w]
                mon = Monitor(kind, argv, out, ready='fdinfo')
            else:
                mon = Monitor(kind, [ctx.bins[kind]] + fat_argv, out, cwd=w, ready='fdinfo')
            mon.start()
            wait_marked(mon, kernel_dev(w), 60)
            if mode == 'stopped':
                sigstop(mon)
            t0 = time.monotonic()
            run(['bash', '-c', WORKLOAD, 'bash', w], timeout=600)
            wall = time.monotonic() - t0
            tok = sentinel_name()
            write_file(os.path.join(w, tok))       # queued after every workload event
            if mode == 'stopped':
                if not all(s in 'Tt' for s in task_states(mon.pid)):
                    raise Failed(f'{kind} did not stay stopped during the workload')
                sigcont(mon)
            seen = wait_for_line(out, tok.encode(), lambda l: True, 120, mon)
            if not seen:
                log(f'  {kind}: end marker not printed; waiting for the output to settle')
            if (not seen or mode == 'stopped') and not wait_quiet(out, mon, ctx.args.quiet, 120):
                raise Failed(f'{kind} output did not settle within 120 s')
            if mon.exited is not None:
                raise Failed(f'{kind} exited during the capture (status {mon.proc.returncode}): '
                             f'{mon.stderr_text().strip()[-200:]}')
            mon.stop()
            spids = read_spids(w)
            lines = [l for l in read_lines(out) if tok not in l]
            os.unlink(out)
            if kind == 'fswait':
                res = judge(parse_fswait(lines), spids, '?')
            else:
                res = judge(parse_fatrace(lines, w, fatrace_user), spids, 'unknown')
            res['lines'] = len(lines)
            res['wall'] = wall
            return res
        finally:
            if mon is not None and mon.exited is None:
                sigcont(mon)      # a stopped process would not act on SIGINT
                mon.stop(quiet=True)
            RES.umount(mnt)

    res = ctx.measure(cols, one)
    rows = [
        (f'correct, all (of {TOTAL})', 'correct', count_int),
        (f'  touch as root (of {N_TOUCH})', 'touch', count_int),
        (f'  sh, pid written in the file (of {N_SH})', 'sh', count_int),
        (f'  touch as nobody (of {N_NOBODY})', 'nobody', count_int),
        ('missing (no CLOSE_WRITE line for the file)', 'missing', count_int),
        ('unknown (command or user printed as `?` / `unknown`)', 'unknown', count_int),
        ('wrong (a known but different pid, command or user)', 'wrong', count_int),
        ('output lines (without the end marker)', 'lines', count_int),
        ('workload wall time (s)', 'wall', '{:.3f}'),
    ]
    notes = [
        'Workload (bash loop, sequential, interleaved): for i in 0..299: `touch W/ti`; '
        '`sh -c \'echo $$ > W/si\'`; and for i = 2, 5, 8, ...: `setpriv --reuid=nobody '
        '--regid=nogroup --clear-groups touch W/n(i/3)`. W is a 1777 directory on a fresh '
        'tmpfs.',
        'Correct: t* = command `touch`, user `root`; s* = command `sh`, user `root`, pid = '
        'the pid the sh wrote into the file; n* = command `touch`, user `nobody`. For t*/n* '
        'the pid cannot be known in advance: it must be a positive integer, not the pid of '
        'any s* process and not printed for another t*/n* file. The first CLOSE_WRITE line '
        'of a file is judged.',
        'live: the monitor reads during the workload. stopped: SIGSTOP once its mark is in '
        'place, the whole workload, an end-marker file, SIGCONT, then wait for the marker '
        f'and for {ctx.args.quiet:g} s without output or CPU (--quiet).',
    ]
    if fatrace_user:
        notes.append('fatrace: user from its -u `[uid:gid]` (uid 0 = root, 65534 = nobody); '
                     'a line without it counts as unknown.')
    else:
        notes.append('fatrace (0.17 has no user option): only pid and command are checked, '
                     'so its n* files are correct with command `touch` whatever the user.')
    notes.append('fatrace: a CLOSE_WRITE is a line whose type has C and W (CW, CWO) naming '
                 'the file; its -f W also prints modify-only `W` lines, counted in output '
                 'lines only.')
    ctx.table(f'(f) attribution: {TOTAL} files written by short-lived processes '
              f'({N_TOUCH} touch, {N_SH} sh, {N_NOBODY} touch as nobody), tmpfs',
              ctx.columns(cols), res, rows, cmdlines, notes,
              workload='bash loop (one fork+exec per file)')
