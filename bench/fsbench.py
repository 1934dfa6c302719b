#!/usr/bin/env python3
"""fswait benchmarks against inotifywait (and fatrace where it makes sense).

Usage: fsbench.py WORKLOAD [--runs N] [options]     WORKLOAD: burst setup rmrf noise throughput

Every workload runs on a private tmpfs mounted here (setup: an ext4 loop image), each
measurement N times, with every monitor in the same run, and prints a markdown table of
medians.  A value that cannot be measured is printed as `n/a (reason)`, never guessed.
See bench/README.md for what each workload measures.  Needs root (mount, drop_caches,
fanotify filesystem marks).

The script re-executes itself in a private mount namespace (unshare -m), so no mount can
outlive it even if it is killed; monitors are started with a parent-death signal and in
their own process group, and are stopped (SIGINT, then SIGTERM, then SIGKILL) before every
mount is undone.  Python 3 standard library only; a C compiler is used for the workload
generator (gen.c) when present, else an equivalent Python generator is used and said so.
"""
import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FSWAIT = os.path.normpath(os.path.join(HERE, '..', 'build', 'tools', 'fswait'))
MONITORS = ('fswait', 'inotifywait', 'fatrace')
READY_LINE = b'Watches established.'
STATS_RE = re.compile(r'fswait: stats:((?:\s+\w+=\d+)+)')


def log(msg):
    print(f'[fsbench] {msg}', file=sys.stderr, flush=True)


class NA:
    """A value that could not be measured, with the reason."""
    def __init__(self, reason):
        self.reason = reason

    def __str__(self):
        return f'n/a ({self.reason})'


class Failed(Exception):
    """One measurement could not be completed; the column becomes n/a with this reason."""


# --------------------------------------------------------------------------------------
# Resources: mounts, temp dirs, processes.  Everything registered here is undone at exit.

class Resources:
    def __init__(self):
        self.base = None
        self.mounts = []       # mountpoints we mounted, in order
        self.monitors = []     # Monitor objects that may still run
        self.files = []        # files to remove (ext4 images)
        self.counter = 0

    def start(self):
        reap_stale()
        self.base = tempfile.mkdtemp(prefix=f'fswait-bench.{os.getpid()}.', dir='/tmp')

    def newdir(self, stem):
        self.counter += 1
        path = os.path.join(self.base, f'{stem}{self.counter}')
        os.mkdir(path)
        return path

    def mount_tmpfs(self, stem, size='2g'):
        path = self.newdir(stem)
        run(['mount', '-t', 'tmpfs', '-o', f'size={size},mode=0755', 'fsbench', path])
        self.mounts.append(path)
        return path

    def mount_ext4(self, image, stem):
        path = self.newdir(stem)
        run(['mount', '-t', 'ext4', '-o', 'loop', image, path])
        self.mounts.append(path)
        return path

    def umount(self, path):
        if path in self.mounts:
            self.mounts.remove(path)
            r = subprocess.run(['umount', path], stderr=subprocess.PIPE, timeout=60)
            if r.returncode != 0:
                subprocess.run(['umount', '-l', path], timeout=60)
        try:
            os.rmdir(path)
        except OSError:
            pass

    def cleanup(self):
        for m in list(self.monitors):
            try:
                m.stop(quiet=True)
            except Exception as e:   # keep going: the mounts must still go
                log(f'cleanup: stopping {m.name}: {e}')
        for path in reversed(list(self.mounts)):
            try:
                self.umount(path)
            except Exception as e:
                log(f'cleanup: umount {path}: {e}')
        for f in self.files:
            try:
                os.unlink(f)
            except OSError:
                pass
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)


RES = Resources()


def bench_alive(pid):
    """Is pid a live (not zombie) fsbench process?"""
    try:
        with open(f'/proc/{pid}/stat') as f:
            state = f.read().rsplit(')', 1)[1].split()[0]
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            cmd = f.read()
    except (OSError, IndexError):
        return False
    return state != 'Z' and b'fsbench' in cmd


def reap_stale():
    """Remove what a killed earlier run (SIGKILL: no cleanup) left in /tmp and the image dir.

    Names carry the pid of their run; only dirs of runs that no longer exist are touched."""
    for pattern_dir, prefix in (('/tmp', 'fswait-bench.'), (IMAGE_DIR[0], 'fswait-bench-img.')):
        try:
            names = os.listdir(pattern_dir)
        except OSError:
            continue
        for name in names:
            m = re.match(re.escape(prefix) + r'(\d+)\.', name)
            if not m or bench_alive(int(m.group(1))):
                continue
            path = os.path.join(pattern_dir, name)
            with open('/proc/self/mounts') as f:
                mounted = [l.split()[1] for l in f if l.split()[1].startswith(path + '/')]
            for mp in sorted(mounted, reverse=True):
                subprocess.run(['umount', '-l', mp], stderr=subprocess.DEVNULL, timeout=60)
            log(f'removing {path} left by an earlier run that was killed')
            shutil.rmtree(path, ignore_errors=True)


IMAGE_DIR = ['/var/tmp']


def run(argv, timeout=600, **kw):
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                           preexec_fn=PDEATH, **kw)
    except subprocess.TimeoutExpired:
        raise Failed(f'{" ".join(argv[:3])}...: still running after {timeout} s, killed')
    if r.returncode != 0:
        raise Failed(f'{" ".join(argv[:3])}...: exit {r.returncode}: '
                     f'{r.stderr.decode(errors="replace").strip()[:200]}')
    return r.stdout.decode(errors='replace')


def _make_pdeath():
    """preexec_fn giving the child PR_SET_PDEATHSIG=SIGKILL: it dies with this script.

    Done in the forked child before exec (no wrapper process, so no extra exec in the
    start-up time that setup.sh measures)."""
    try:
        import ctypes
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec():
        prctl(1, int(signal.SIGKILL), 0, 0, 0)     # PR_SET_PDEATHSIG
        if os.getppid() != parent:                  # parent already gone
            os._exit(1)
    return preexec


PDEATH = None


# --------------------------------------------------------------------------------------
# Workload generator

class Gen:
    def __init__(self, scratch, force_python=False):
        self.cmd = None
        self.kind = 'python3 (no C compiler)' if not force_python else 'python3 (--gen python)'
        cc = None if force_python else (shutil.which('cc') or shutil.which('gcc'))
        if cc:
            exe = os.path.join(scratch, 'gen')
            r = subprocess.run([cc, '-O2', '-o', exe, os.path.join(HERE, 'gen.c')],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
            if r.returncode == 0:
                self.cmd, self.kind = [exe], 'C (gen.c)'
            else:
                log(f'cc failed, using the Python generator: {r.stdout.decode()[:300]}')
        if self.cmd is None:
            self.cmd = [sys.executable, os.path.abspath(__file__), '_gen']

    def __call__(self, *args, timeout=600):
        argv = self.cmd + [str(a) for a in args]
        out = run(argv, timeout=timeout)
        m = re.search(r'elapsed=([0-9.]+)', out)
        if not m:
            raise Failed(f'workload generator printed no elapsed time: {out[:200]!r}')
        return float(m.group(1))


def gen_python(argv):
    """Same workloads as gen.c, for machines without a C compiler."""
    mode, root, nums = argv[0], argv[1], [int(a) for a in argv[2:]]
    data = b'x' * 65536

    def put(p, n, unlink):
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        left = n
        while left > 0:
            left -= os.write(fd, data[:min(left, len(data))])
        os.close(fd)
        if unlink:
            os.unlink(p)

    def mkd(p):
        try:
            os.mkdir(p, 0o755)
        except FileExistsError:
            pass

    t0 = time.monotonic()
    if mode == 'burst':
        nd, nf, size = nums
        for i in range(nd):
            mkd(f'{root}/d{i}')
            mkd(f'{root}/d{i}/sub')
            for j in range(nf):
                put(f'{root}/d{i}/sub/f{j}', size, False)
    elif mode == 'tree':
        nd, nf = nums
        for i in range(nd):
            mkd(f'{root}/d{i}')
            for j in range(nf):
                put(f'{root}/d{i}/f{j}', 0, False)
    elif mode == 'dirs':
        n1, n2 = nums
        for i in range(n1):
            mkd(f'{root}/a{i}')
            for j in range(n2):
                mkd(f'{root}/a{i}/b{j}')
    elif mode == 'churn':
        for i in range(nums[0]):
            put(f'{root}/n{i}', 0, True)
    elif mode == 'cycle':
        n, size = nums
        for i in range(n):
            put(f'{root}/f{i}', size, True)
    else:
        sys.exit(f'gen: bad mode {mode}')
    print(f'elapsed={time.monotonic() - t0:.6f}')


# --------------------------------------------------------------------------------------
# Monitors

def proc_cpu_ticks(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            rest = f.read().rsplit(')', 1)[1].split()
        return int(rest[11]) + int(rest[12])
    except (OSError, IndexError, ValueError):
        return None


def proc_rss_kib(pid):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def has_fanotify_mark(pid):
    """True once one of pid's fanotify fds carries a mark (fdinfo lists it)."""
    try:
        fds = os.listdir(f'/proc/{pid}/fdinfo')
    except OSError:
        return False
    for fd in fds:
        try:
            with open(f'/proc/{pid}/fdinfo/{fd}') as f:
                text = f.read()
        except OSError:
            continue
        if re.search(r'^fanotify (sdev|mnt_id|ino):', text, re.M):
            return True
    return False


class Monitor:
    """One watcher process: stdout to a file, stderr collected by a thread."""

    def __init__(self, name, argv, out_path, cwd=None, env=None, ready='stderr'):
        self.name, self.argv, self.out_path = name, argv, out_path
        self.cwd, self.env, self.ready_mode = cwd, env, ready
        self.proc = None
        self.pid = None
        self.t_start = self.t_ready = None
        self.stderr = bytearray()
        self.ready_event = threading.Event()
        self.exited = None          # (status, rusage) once reaped
        self.reader = None

    def start(self):
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        with open(self.out_path, 'wb') as out:
            self.t_start = time.monotonic()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.PIPE, cwd=self.cwd,
                                         env=env, start_new_session=True, preexec_fn=PDEATH)
        self.pid = self.proc.pid
        RES.monitors.append(self)
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()

    def _read_stderr(self):
        fd = self.proc.stderr.fileno()
        pending = b''
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            now = time.monotonic()
            self.stderr += chunk
            pending += chunk
            if not self.ready_event.is_set() and READY_LINE in pending:
                self.t_ready = now
                self.ready_event.set()
            pending = pending[-len(READY_LINE):]

    def alive(self):
        if self.exited is not None:
            return False
        pid, status, ru = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            return True
        self._reaped(status, ru)
        return False

    def _reaped(self, status, ru):
        self.exited = (status, ru)
        self.proc.returncode = os.waitstatus_to_exitcode(status)

    def stderr_text(self):
        return self.stderr.decode(errors='replace')

    def died_reason(self):
        status = self.proc.returncode
        text = ' '.join(l for l in self.stderr_text().splitlines()
                        if 'Setting up watches' not in l).strip()
        return f'{self.name} exited with status {status} before it was ready: {text[:200]}'

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready_mode == 'stderr':
                if self.ready_event.wait(0.005):
                    return self.t_ready - self.t_start
            else:
                if has_fanotify_mark(self.pid):
                    self.t_ready = time.monotonic()
                    return self.t_ready - self.t_start
                time.sleep(0.005)
            if not self.alive():
                if self.reader:
                    self.reader.join(2)
                raise Failed(self.died_reason())
        raise Failed(f'{self.name} not ready after {timeout} s')

    def cpu_ticks(self):
        return proc_cpu_ticks(self.pid)

    def wait_exit(self, timeout):
        """Wait for the monitor to exit by itself (-t); True if it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                if self.reader:
                    self.reader.join(5)
                if self in RES.monitors:
                    RES.monitors.remove(self)
                return True
            time.sleep(0.01)
        return False

    def stop(self, quiet=False, timeout=10):
        """Stop it (SIGINT, SIGTERM, SIGKILL) and reap; returns (status, rusage)."""
        if self.exited is None:
            for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 3), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.pid, sig)  # its own process group (start_new_session)
                except ProcessLookupError:
                    pass
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline and self.alive():
                    time.sleep(0.01)
                if self.exited is not None:
                    break
                if not quiet:
                    log(f'{self.name} did not stop on {sig.name}')
            if self.exited is None:
                raise Failed(f'{self.name} (pid {self.pid}) could not be reaped')
        if self.reader:
            self.reader.join(5)
        if self in RES.monitors:
            RES.monitors.remove(self)
        return self.exited

    def cpu_seconds(self):
        """utime+stime of the whole process (all threads), from wait4 after stop()."""
        ru = self.exited[1]
        return ru.ru_utime + ru.ru_stime

    def stats(self):
        m = None
        for m in STATS_RE.finditer(self.stderr_text()):
            pass
        if not m:
            return None
        return {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', m.group(1))}


def wait_for_line(path, needle, pred, timeout, mon):
    """Wait until path has a line containing needle (bytes) for which pred(line) holds.

    Polls every 20 ms (never spins: the monitor may still be draining on a shared CPU);
    False if the monitor exits or the timeout passes first."""
    deadline = time.monotonic() + timeout
    offset, partial = 0, b''
    with open(path, 'rb') as f:
        while time.monotonic() < deadline:
            f.seek(offset)
            data = f.read()
            offset += len(data)
            if data:
                lines = (partial + data).split(b'\n')
                partial = lines.pop()
                for line in lines:
                    if needle in line and pred(line):
                        return True
            elif mon is not None and not mon.alive():
                return False
            time.sleep(0.02)
    return False


def wait_quiet(path, mon, quiet, timeout):
    """Wait until the output stops growing and the monitor stops using CPU for `quiet` s."""
    deadline = time.monotonic() + timeout
    last = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        state = (os.path.getsize(path), mon.cpu_ticks())
        now = time.monotonic()
        if state != last:
            last, since = state, now
        elif now - since >= quiet:
            return True
        if not mon.alive():
            return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------------------
# Context, probing, tables

class Ctx:
    def __init__(self, args):
        self.args = args
        self.runs = args.runs
        self.scratch = RES.mount_tmpfs('scratch', size='4g')
        self.gen = Gen(self.scratch, args.gen == 'python')
        self.avail = {}       # monitor -> None (usable) or NA
        self.bins = {}
        self.wanted = [m for m in MONITORS if m in args.monitors]
        self.notes = []

    def fatrace_has_dir(self):
        """fatrace >= 0.18 has -d/--dir (non-recursive inode marks); 0.17 does not."""
        if 'fatrace_dir' not in self.__dict__:
            r = subprocess.run([self.bins['fatrace'], '--help'], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=10)
            self.fatrace_dir = b'--dir' in r.stdout
        return self.fatrace_dir

    def make_monitor(self, kind, argv_tail, out, cwd=None, env=None, fatrace_dir=None):
        if kind == 'fatrace':
            if fatrace_dir and self.fatrace_has_dir():
                return Monitor(kind, [self.bins[kind], '-d', fatrace_dir], out, cwd=cwd,
                               ready='fdinfo')
            return Monitor(kind, [self.bins[kind], '-c'], out, cwd=cwd, ready='fdinfo')
        return Monitor(kind, [self.bins[kind]] + argv_tail, out, env=env)

    def probe(self, kinds, recursive=True):
        """Decide which monitor columns can be measured at all."""
        for kind in kinds:
            if kind not in self.wanted:
                self.avail[kind] = NA('not selected with --monitors')
                continue
            path = self.args.fswait if kind == 'fswait' else shutil.which(kind)
            if not path or not os.access(path, os.X_OK):
                self.avail[kind] = NA(f'{kind} not installed' if kind != 'fswait'
                                      else f'no executable {self.args.fswait}; build it')
                continue
            self.bins[kind] = path
            self.avail[kind] = None
            if kind == 'fswait' and recursive:
                d = os.path.join(self.scratch, 'probe')
                os.makedirs(d, exist_ok=True)
                mon = Monitor('fswait', [path, '-m', '-r', '-e', 'create', d],
                              os.path.join(self.scratch, 'probe.out'))
                mon.start()
                try:
                    mon.wait_ready(15)
                except Failed as e:
                    msg = [l for l in mon.stderr_text().strip().splitlines()
                           if 'Setting up watches' not in l]
                    reason = msg[-1] if msg and mon.exited else str(e)
                    self.avail[kind] = NA(f'fswait -r: {reason[:150]}')
                finally:
                    mon.stop(quiet=True)
        for kind, na in self.avail.items():
            if na:
                log(f'column {kind}: {na}')

    def columns(self, kinds):
        return [k for k in kinds if k in self.avail]

    def measure(self, kinds, one, setup_run=None):
        """Run one(kind, run_index) for every run and usable kind, rotating the order.

        Returns {kind: [dict | Failed]}."""
        results = {k: [] for k in kinds}
        order = [k for k in kinds if self.avail.get(k) is None]
        for r in range(self.runs):
            if setup_run:
                setup_run(r)
            rot = order[r % len(order):] + order[:r % len(order)] if order else []
            for kind in rot:
                log(f'run {r + 1}/{self.runs}: {kind}')
                t = time.monotonic()
                try:
                    res = one(kind, r)
                except (Failed, OSError) as e:
                    log(f'  {kind}: FAILED: {e}')
                    res = e
                else:
                    log(f'  {kind}: ' + ', '.join(f'{k}={fmt_raw(v)}' for k, v in res.items())
                        + f'  ({time.monotonic() - t:.1f} s)')
                results[kind].append(res)
        return results

    def table(self, title, kinds, results, rows, command_lines, extra_notes=()):
        print(f'\n### {title}\n')
        print(f'Medians of {self.runs} run(s); generator: {self.gen.kind}.\n')
        print('| metric | ' + ' | '.join(kinds) + ' |')
        print('|---|' + '---|' * len(kinds))
        for label, key, fmt in rows:
            cells = [cell(self.avail.get(k), results.get(k, []), key, fmt, k) for k in kinds]
            print(f'| {label} | ' + ' | '.join(cells) + ' |')
        print()
        for kind in kinds:
            if kind in command_lines and self.avail.get(kind) is None:
                print(f'- {kind}: `{command_lines[kind]}`')
        for n in list(extra_notes) + self.notes:
            print(f'- {n}')
        if self.args.raw:
            print('\nPer-run values:\n')
            for kind in kinds:
                for i, res in enumerate(results.get(kind, [])):
                    txt = (f'FAILED: {res}' if isinstance(res, Exception) else
                           ', '.join(f'{k}={fmt_raw(v)}' for k, v in res.items()))
                    print(f'- {kind} run {i + 1}: {txt}')
        sys.stdout.flush()


def fmt_raw(v):
    if isinstance(v, float):
        return f'{v:.4g}'
    return str(v)


def cell(na, runs, key, fmt, kind=None):
    if na is not None:
        return str(na)
    if isinstance(key, dict):       # a value derived from medians, one per column
        v = key.get(kind)
        if v is None or isinstance(v, NA):
            return str(v) if v is not None else 'n/a (not measured)'
        return fmt(v) if callable(fmt) else fmt.format(v)
    if not runs:
        return 'n/a (not run)'
    fails = [r for r in runs if isinstance(r, Exception)]
    if fails:
        return f'n/a ({len(fails)} of {len(runs)} runs failed: {str(fails[0])[:160]})'
    vals = [r.get(key) for r in runs]
    nas = [v for v in vals if isinstance(v, NA) or v is None]
    if nas:
        first = nas[0]
        return str(first) if isinstance(first, NA) else 'n/a (not measured)'
    med = statistics.median(vals)
    if callable(fmt):
        return fmt(med)
    return fmt.format(med)


def count_int(v):
    return f'{v:,.0f}' if float(v).is_integer() else f'{v:,.1f}'


def sentinel_name():
    return f'zz_end_{secrets.token_hex(4)}'


def write_file(path, data=b'end\n'):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, data)
    os.close(fd)


def read_lines(path):
    with open(path, 'rb') as f:
        return f.read().decode('utf-8', errors='surrogateescape').splitlines()


def fatrace_parse(line):
    """'comm(pid): TYPES path' -> (types, path) or None."""
    m = re.match(r'^.*?\(\d+\): (\S+)\s+(.*)$', line)
    return (m.group(1), m.group(2)) if m else None


# --------------------------------------------------------------------------------------
# (a) burst

def bench_burst(ctx):
    ND, NF = 2000, 5
    kinds = ['fswait', 'inotifywait', 'fatrace']
    ctx.probe(kinds)
    fmt_arg = '%e %w%f'
    cmdlines = {
        'fswait': f"fswait -m -r -e create,close_write --format '{fmt_arg}' ROOT > OUT",
        'inotifywait': f"inotifywait -m -r -e create,close_write --format '{fmt_arg}' ROOT > OUT",
        'fatrace': 'cd MOUNT && fatrace -c > OUT',
    }
    file_re = re.compile(r'd\d+/sub/f\d+$')
    dir_re = re.compile(r'd\d+(/sub)?$')

    def one(kind, r):
        w = RES.mount_tmpfs('burst')
        try:
            root = os.path.join(w, 'root')
            os.mkdir(root)
            out = os.path.join(ctx.scratch, f'burst-{kind}-{r}.out')
            mon = ctx.make_monitor(kind, ['-m', '-r', '-e', 'create,close_write',
                                          '--format', fmt_arg, root], out, cwd=w)
            mon.start()
            try:
                mon.wait_ready(60)
                wall = ctx.gen('burst', root, ND, NF, 100)
                tok = sentinel_name()
                write_file(os.path.join(root, tok))
                if kind == 'fatrace':
                    pred = lambda l: b'CW' in l.split(b': ', 1)[-1][:4]
                else:
                    pred = lambda l: l.startswith(b'CLOSE_WRITE')
                seen = wait_for_line(out, tok.encode(), pred, 120, mon)
                if not seen and not wait_quiet(out, mon, 2.0, 120):
                    raise Failed(f'{kind} output did not settle within 120 s')
            finally:
                mon.stop()
            nfiles = sum(len(fs) for _, _, fs in os.walk(root)) - 1
            if nfiles != ND * NF:
                raise Failed(f'workload made {nfiles} files, expected {ND * NF}')
            lines = read_lines(out)
            os.unlink(out)
            pre = root + '/'
            cre, cw, dcre = set(), set(), set()
            if kind == 'fatrace':
                for line in lines:
                    p = fatrace_parse(line)
                    if p and 'C' in p[0] and 'W' in p[0] and p[1].startswith(pre) \
                            and file_re.match(p[1][len(pre):]):
                        cw.add(p[1])
                na = NA('fatrace reports a create as the directory, without the name')
                return {'create': na, 'close_write': len(cw), 'dir_create': na,
                        'lines': len(lines), 'wall': wall}
            for line in lines:
                ev, _, path = line.partition(' ')
                evs = ev.split(',')
                if not path.startswith(pre):
                    continue
                rel = path[len(pre):]
                if 'CREATE' in evs:
                    if 'ISDIR' in evs:
                        if dir_re.match(rel):
                            dcre.add(rel)
                    elif file_re.match(rel):
                        cre.add(rel)
                if 'CLOSE_WRITE' in evs and file_re.match(rel):
                    cw.add(rel)
            return {'create': len(cre), 'close_write': len(cw), 'dir_create': len(dcre),
                    'lines': len(lines), 'wall': wall}
        finally:
            RES.umount(w)

    res = ctx.measure(kinds, one)
    rows = [
        (f'file CREATE captured (of {ND * NF:,})', 'create', count_int),
        (f'file CLOSE_WRITE captured (of {ND * NF:,})', 'close_write', count_int),
        (f'directory CREATE captured (of {2 * ND:,})', 'dir_create', count_int),
        ('output lines (incl. end marker)', 'lines', count_int),
        ('workload wall time (s)', 'wall', '{:.3f}'),
    ]
    ctx.table(f'(a) burst: {ND:,} new dirs x (mkdir -p dN/sub + {NF} files written), tmpfs',
              ctx.columns(kinds), res, rows, cmdlines,
              ['fatrace: a CLOSE_WRITE is a line whose type has C and W (CW) and names the file.',
               'Captured = distinct paths seen; the watcher is started on the empty root first.'])


# --------------------------------------------------------------------------------------
# (b) setup

def bench_setup(ctx):
    N1, N2 = 20, 1000
    kinds = ['fswait', 'inotifywait']
    ctx.probe(kinds)
    need = N1 * N2 + N1 + 1
    try:
        with open('/proc/sys/fs/inotify/max_user_watches') as f:
            mw = int(f.read())
        if mw < need + 1000 and ctx.avail.get('inotifywait') is None:
            ctx.avail['inotifywait'] = NA(f'fs.inotify.max_user_watches={mw} < {need} dirs')
    except OSError:
        pass
    imgdir = tempfile.mkdtemp(prefix=f'fswait-bench-img.{os.getpid()}.', dir=ctx.args.image_dir)
    image = os.path.join(imgdir, 'tree.ext4')
    RES.files.append(image)
    try:
        log(f'building ext4 image {image} with {N1 * N2:,} directories')
        run(['truncate', '-s', '1G', image])
        run(['mkfs.ext4', '-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image])
        mnt = RES.mount_ext4(image, 'ext4')
        root = os.path.join(mnt, 'tree')
        os.mkdir(root)
        ctx.gen('dirs', root, N1, N2)
        run(['sync'])
        cmdlines = {'fswait': 'fswait -m -r ROOT > /dev/null',
                    'inotifywait': 'inotifywait -m -r ROOT > /dev/null'}

        def one(kind, r):
            run(['sync'])
            with open('/proc/sys/vm/drop_caches', 'w') as f:
                f.write('3\n')
            mon = ctx.make_monitor(kind, ['-m', '-r', root], '/dev/null')
            mon.start()
            try:
                t = mon.wait_ready(300)
                time.sleep(1.0)
                rss = proc_rss_kib(mon.pid)
                if rss is None:
                    raise Failed('could not read VmRSS')
                if not mon.alive():
                    raise Failed(f'{kind} exited during the 1 s after "Watches established."')
            finally:
                mon.stop()
            return {'ready_ms': t * 1000.0, 'rss_mib': rss / 1024.0,
                    'cpu_ms': mon.cpu_seconds() * 1000.0}

        res = ctx.measure(kinds, one)
        RES.umount(mnt)
    finally:
        try:
            os.unlink(image)
        except OSError:
            pass
        shutil.rmtree(imgdir, ignore_errors=True)
    rows = [
        ('process start to "Watches established." (ms)', 'ready_ms', '{:.1f}'),
        ('VmRSS 1 s after that line (MiB)', 'rss_mib', '{:.1f}'),
        ('CPU time, start to 1 s after the line (ms)', 'cpu_ms', '{:.0f}'),
    ]
    ctx.table(f'(b) setup: {N1} x {N2} = {N1 * N2:,} directories on ext4 (loop image), '
              'cold cache', ctx.columns(kinds), res, rows, cmdlines,
              ['Before each measurement: `sync; echo 3 > /proc/sys/vm/drop_caches`.',
               f'Image file in {ctx.args.image_dir} (its disk backs the loop device).',
               'fatrace: no column (no per-directory set-up to measure).'])


# --------------------------------------------------------------------------------------
# (c) rm -rf

def bench_rmrf(ctx):
    ND, NF = 100, 1000
    TOTAL = ND * NF + ND
    T = 3
    kinds = ['fswait', 'inotifywait']
    ctx.probe(kinds)
    cmdlines = {'fswait': f"FSWAIT_STATS=1 fswait -m -r -t {T} -e delete --format '%w%f' ROOT > OUT",
                'inotifywait': f"inotifywait -m -r -t {T} -e delete --format '%w%f' ROOT > OUT"}
    named_re = re.compile(r'd\d+(/f\d+)?$')

    def one(kind, r):
        w = RES.mount_tmpfs('rmrf')
        try:
            root = os.path.join(w, 'tree')
            os.mkdir(root)
            ctx.gen('tree', root, ND, NF)
            out = os.path.join(ctx.scratch, f'rmrf-{kind}-{r}.out')
            mon = ctx.make_monitor(kind, ['-m', '-r', '-t', str(T), '-e', 'delete',
                                          '--format', '%w%f', root],
                                   out, env={'FSWAIT_STATS': '1'} if kind == 'fswait' else None)
            mon.start()
            try:
                mon.wait_ready(120)
                t0 = time.monotonic()
                run(['rm', '-rf', '--', root], timeout=600)
                rm_wall = time.monotonic() - t0
                # -t: the monitor exits by itself T s after its last event (a normal exit,
                # which is when fswait prints its stats line).  Fallback for one that
                # ignores -t: output and CPU unchanged for T + --quiet s.
                self_exit = wait_quiet(out, mon, T + ctx.args.quiet, 600)
                if not self_exit and mon.exited is None:
                    raise Failed(f'{kind} neither exited nor settled within 600 s')
                self_exit = mon.exited is not None
            finally:
                mon.stop()
            status = mon.proc.returncode
            if self_exit and status != 2:
                raise Failed(f'{kind} ended with status {status}, not 2 (-t expired): '
                             f'{mon.stderr_text().strip()[-200:]}')
            if not self_exit:
                log(f'  {kind} did not exit by itself {T} s after its last event; stopped it')
            lines = read_lines(out)
            os.unlink(out)
            pre = root + '/'
            named = {l for l in lines if l.startswith(pre) and named_re.match(l[len(pre):])}
            unnamed = [l for l in lines if not l.startswith(pre)]
            st = mon.stats()
            res = {'lines': len(lines), 'named': len(named), 'unnamed': len(unnamed),
                   'missing': max(0, TOTAL - len(named) - len(unnamed)), 'rm_wall': rm_wall}
            if kind == 'fswait':
                res['unresolved'] = (st['unresolved'] if st and 'unresolved' in st
                                     else NA('no "fswait: stats:" line with FSWAIT_STATS=1'))
            else:
                res['unresolved'] = NA('fswait only')
            return res
        finally:
            RES.umount(w)

    res = ctx.measure(kinds, one)
    rows = [
        ('DELETE lines printed', 'lines', count_int),
        (f'DELETEs named under the root (of {TOTAL:,})', 'named', count_int),
        ('DELETEs not named (path not under the root)', 'unnamed', count_int),
        (f'DELETEs missing ({TOTAL:,} - named - not named)', 'missing', count_int),
        ('fswait stats: unresolved', 'unresolved', count_int),
        ('rm -rf wall time (s)', 'rm_wall', '{:.3f}'),
    ]
    ctx.table(f'(c) rm -rf of a pre-existing tree: {ND} dirs x {NF:,} files, tmpfs',
              ctx.columns(kinds), res, rows, cmdlines,
              ['The tree is created before the watcher starts; `rm -rf ROOT` removes the root '
               'too (its own deletion is not a DELETE inside the root, so not counted).',
               f'End of capture: the monitor exits by itself {T} s after its last event (-t {T}, '
               'status 2), a normal exit, after which fswait prints its stats line.',
               'fatrace: no column (it prints the directory for deletes, never the name).'])


# --------------------------------------------------------------------------------------
# (d) noise in a sibling directory

def bench_noise(ctx):
    N = 100_000
    T = 3           # -t: lets the monitor exit normally (fswait prints stats only then)
    HB = 0.2        # heartbeat period: keeps -t from expiring while only noise happens
    kinds = ['fswait', 'inotifywait']
    ctx.probe(kinds)
    cmdlines = {'fswait': f'FSWAIT_STATS=1 fswait -m -r -t {T} MOUNT/tree > OUT',
                'inotifywait': f'inotifywait -m -r -t {T} MOUNT/tree > OUT'}

    def one(kind, r):
        w = RES.mount_tmpfs('noise')
        try:
            tree = os.path.join(w, 'tree')
            noise = os.path.join(w, 'noise')
            os.mkdir(tree)
            os.mkdir(noise)
            for i in range(10):
                os.mkdir(os.path.join(tree, f's{i}'))
                write_file(os.path.join(tree, f's{i}', 'f'))
            hb = os.path.join(tree, 'zz_heartbeat')
            write_file(hb)
            out = os.path.join(ctx.scratch, f'noise-{kind}-{r}.out')
            mon = ctx.make_monitor(kind, ['-m', '-r', '-t', str(T), tree], out,
                                   env={'FSWAIT_STATS': '1'} if kind == 'fswait' else None)
            mon.start()
            stop_hb = threading.Event()

            def heartbeat():
                while not stop_hb.wait(HB):
                    os.utime(hb)
            beat = threading.Thread(target=heartbeat, daemon=True)
            try:
                mon.wait_ready(60)
                beat.start()
                wall = ctx.gen('churn', noise, N)
                tok = sentinel_name()
                write_file(os.path.join(tree, tok))
                seen = wait_for_line(out, tok.encode(), lambda l: b'CLOSE_WRITE' in l, 120, mon)
                stop_hb.set()
                if not seen:
                    raise Failed(f'{kind} did not print the end marker (exited: '
                                 f'{mon.exited is not None}; -t {T} expired early?)')
                if not mon.wait_exit(T + 60):
                    raise Failed(f'{kind} did not exit {T} s after its last event (-t {T})')
            finally:
                stop_hb.set()
                if beat.is_alive():
                    beat.join(5)
                mon.stop()
            lines = [l for l in read_lines(out) if tok not in l and 'zz_heartbeat' not in l]
            os.unlink(out)
            ru = mon.exited[1]
            res = {'cpu_ms': mon.cpu_seconds() * 1000.0, 'user_ms': ru.ru_utime * 1000.0,
                   'sys_ms': ru.ru_stime * 1000.0, 'lines': len(lines), 'wall': wall}
            if kind == 'fswait':
                st = mon.stats()
                for k in ('foreign', 'read', 'fid_only', 'unresolved'):
                    res[k] = (st[k] if st and k in st else
                              NA('no "fswait: stats:" line with FSWAIT_STATS=1'))
            else:
                for k in ('foreign', 'read', 'fid_only', 'unresolved'):
                    res[k] = NA('inotify: kernel delivers only events of watched dirs')
            return res
        finally:
            RES.umount(w)

    res = ctx.measure(kinds, one)
    rows = [
        ('foreign events read (stats foreign=)', 'foreign', count_int),
        ('events read in total (stats read=)', 'read', count_int),
        ('FID-only events (stats fid_only=)', 'fid_only', count_int),
        ('unresolved (stats unresolved=)', 'unresolved', count_int),
        ('monitor CPU time, whole life (ms)', 'cpu_ms', '{:.0f}'),
        ('  of which user (ms)', 'user_ms', '{:.0f}'),
        ('  of which system (ms)', 'sys_ms', '{:.0f}'),
        ('lines printed (excl. end marker and heartbeat; should be 0)', 'lines', count_int),
        ('noise workload wall time (s)', 'wall', '{:.3f}'),
    ]
    ctx.table(f'(d) noise: {N:,} files created+deleted in a sibling of the watched tree, tmpfs',
              ctx.columns(kinds), res, rows, cmdlines,
              ['CPU = utime+stime of the monitor over its whole life (wait4 rusage), including '
               'start-up and the end-marker wait.',
               f'-t {T} makes the monitor exit normally {T} s after the end marker (fswait prints '
               'its stats line only on a normal exit, not when killed by a signal); meanwhile '
               f'the script touches tree/zz_heartbeat (one ATTRIB) every {HB} s so that -t '
               'cannot expire while only noise happens. Those events are in read=.',
               'fatrace: no column (it has no subtree filter; -c reports the whole mount).'])


# --------------------------------------------------------------------------------------
# (e) throughput

def bench_throughput(ctx):
    N, SIZE = 100_000, 4096
    kinds = ['none', 'fswait', 'inotifywait', 'fatrace']
    ctx.probe([k for k in kinds if k != 'none'])
    ctx.avail['none'] = None
    cmdlines = {'fswait': 'fswait -m -r DIR > OUT', 'inotifywait': 'inotifywait -m -r DIR > OUT'}
    if ctx.avail.get('fatrace') is None:
        cmdlines['fatrace'] = ('fatrace -d DIR > OUT' if ctx.fatrace_has_dir()
                               else 'cd MOUNT && fatrace -c > OUT')

    def one(kind, r):
        w = RES.mount_tmpfs('tput')
        try:
            d = os.path.join(w, 'watch')
            os.mkdir(d)
            if kind == 'none':
                na = NA('no monitor')
                return {'wall': ctx.gen('cycle', d, N, SIZE), 'lines': na, 'cpu_k': na,
                        'cpu_ms': na, 'user_ms': na, 'sys_ms': na}
            out = os.path.join(ctx.scratch, f'tput-{kind}-{r}.out')
            mon = ctx.make_monitor(kind, ['-m', '-r', d], out, cwd=w, fatrace_dir=d)
            mon.start()
            try:
                mon.wait_ready(60)
                wall = ctx.gen('cycle', d, N, SIZE)
                tok = sentinel_name()
                write_file(os.path.join(d, tok))
                if kind == 'fatrace':
                    pred = lambda l: b'CW' in l.split(b': ', 1)[-1][:4]
                else:
                    pred = lambda l: b'CLOSE_WRITE' in l
                if not wait_for_line(out, tok.encode(), pred, 300, mon):
                    if not wait_quiet(out, mon, 2.0, 300):
                        raise Failed(f'{kind} output did not settle within 300 s')
            finally:
                mon.stop()
            with open(out, 'rb') as f:
                data = f.read()
            os.unlink(out)
            lines = data.count(b'\n') - sum(1 for l in data.split(b'\n') if tok.encode() in l)
            cpu_ms = mon.cpu_seconds() * 1000.0
            ru = mon.exited[1]
            return {'wall': wall, 'lines': lines, 'cpu_ms': cpu_ms,
                    'user_ms': ru.ru_utime * 1000.0, 'sys_ms': ru.ru_stime * 1000.0,
                    'cpu_k': cpu_ms / (lines / 1000.0) if lines else NA('no events')}
        finally:
            RES.umount(w)

    res = ctx.measure(kinds, one)
    cols = ctx.columns(kinds)
    walls = {}
    for k in cols:
        runs = res.get(k, [])
        if runs and not any(isinstance(x, Exception) for x in runs):
            walls[k] = statistics.median(x['wall'] for x in runs)
    base = walls.get('none')
    slow = {}
    for k in cols:
        if k in walls and base:
            slow[k] = walls[k] / base
        else:
            slow[k] = NA('no unmonitored baseline' if not base else 'runs failed')
    rows = [
        ('events captured (lines out, excl. end marker)', 'lines', count_int),
        ('monitor CPU time, whole life (ms)', 'cpu_ms', '{:.0f}'),
        ('  of which user (ms)', 'user_ms', '{:.0f}'),
        ('  of which system (ms)', 'sys_ms', '{:.0f}'),
        ('monitor CPU ms per 1000 events', 'cpu_k', '{:.2f}'),
        ('workload wall time (s)', 'wall', '{:.3f}'),
        ('slowdown vs no monitor (ratio of median wall times)', slow, '{:.2f}x'),
    ]
    ctx.table(f'(e) throughput: {N:,} x (create, write {SIZE} B, close, unlink) in one watched '
              'directory, tmpfs', cols, res, rows, cmdlines,
              ['CPU = utime+stime of the monitor over its whole life (wait4 rusage).',
               'Output goes to a file on a separate tmpfs (not watched).',
               'An inotify-style monitor with all events prints 5 lines per file '
               '(CREATE, OPEN, MODIFY, CLOSE_WRITE,CLOSE, DELETE): 500,000.',
               'fatrace: without -d (0.17) `fatrace -c` marks only the private tmpfs of the '
               'workload, so it sees the same events; it prints them as O, W, CW, +, D lines, '
               'several merged into one line when they queue up.'])


WORKLOADS = {'burst': bench_burst, 'setup': bench_setup, 'rmrf': bench_rmrf,
             'noise': bench_noise, 'throughput': bench_throughput}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '_gen':
        gen_python(sys.argv[2:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('workload', choices=sorted(WORKLOADS))
    ap.add_argument('--runs', type=int, default=5, help='measurements per monitor (default 5)')
    ap.add_argument('--fswait', default=os.environ.get('FSWAIT', DEFAULT_FSWAIT),
                    help=f'fswait binary (default {DEFAULT_FSWAIT})')
    ap.add_argument('--monitors', default=','.join(MONITORS),
                    help='comma-separated subset of fswait,inotifywait,fatrace')
    ap.add_argument('--quiet', type=float, default=1.0,
                    help='rmrf: seconds without output/CPU that end a capture (default 1.0)')
    ap.add_argument('--image-dir', default='/var/tmp',
                    help='setup: directory for the ext4 image (default /var/tmp, on disk)')
    ap.add_argument('--gen', choices=('c', 'python'), default='c',
                    help='workload generator: c (gen.c, compiled with cc; python3 if no cc) '
                         'or python')
    ap.add_argument('--raw', action='store_true', help='also print every run\'s values')
    ap.add_argument('--no-unshare', action='store_true',
                    help='do not re-execute in a private mount namespace')
    args = ap.parse_args()
    if args.runs < 1:
        ap.error('--runs must be at least 1')
    args.monitors = [m.strip() for m in args.monitors.split(',') if m.strip()]
    if os.geteuid() != 0:
        print('fsbench: must run as root (mount, drop_caches, fanotify filesystem marks)',
              file=sys.stderr)
        return 1
    if not args.no_unshare and os.environ.get('FSBENCH_IN_NS') != '1' and shutil.which('unshare'):
        os.environ['FSBENCH_IN_NS'] = '1'
        sys.stdout.flush()
        os.execvp('unshare', ['unshare', '--mount', '--propagation', 'private', '--',
                              sys.executable, os.path.abspath(__file__)] + sys.argv[1:])

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f'signal {signum}')
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    # A Python-level handler (not SIG_IGN, which a background job inherits) makes the
    # monitors start with SIGINT at its default, so stop() can end them with SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    global PDEATH
    PDEATH = _make_pdeath()
    IMAGE_DIR[0] = args.image_dir
    RES.start()
    try:
        ctx = Ctx(args)
        WORKLOADS[args.workload](ctx)
    except KeyboardInterrupt:
        log('interrupted; cleaning up')
        return 130
    finally:
        RES.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
