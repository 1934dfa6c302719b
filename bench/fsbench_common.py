"""fsbench machinery shared by every workload: resources, processes, monitors, helpers.

Mounts and temporary directories (undone at exit, and reaped after a killed run), child
processes with a parent-death signal, the Monitor class (start, ready detection, stop,
rusage, fswait's stats line), waits on a monitor's output, and small file helpers.
"""
import os
import re
import secrets
import shutil
import signal
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


def enter_private_mounts(flag, script):
    """Re-executes `script` with the same arguments in a private mount
    namespace (once: `flag` in the environment marks the second run), so that
    its tmpfs mounts vanish with it whatever happens."""
    if os.environ.get(flag) == '1' or not shutil.which('unshare'):
        return
    os.environ[flag] = '1'
    sys.stdout.flush()
    os.execvp('unshare', ['unshare', '--mount', '--propagation', 'private', '--',
                          sys.executable, os.path.abspath(script)] + sys.argv[1:])


def trap_signals():
    """SIGTERM and SIGHUP end the run through KeyboardInterrupt (so that the
    clean-up runs), and SIGINT gets a Python-level handler: not SIG_IGN, which
    a background job inherits, so that the monitors start with SIGINT at its
    default and stop() can end them with it."""
    def on_signal(signum, frame):
        raise KeyboardInterrupt(f'signal {signum}')
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


def fdinfo_texts(pid):
    """The text of each /proc/PID/fdinfo entry (those that could be read)."""
    try:
        fds = os.listdir(f'/proc/{pid}/fdinfo')
    except OSError:
        return
    for fd in fds:
        try:
            with open(f'/proc/{pid}/fdinfo/{fd}') as f:
                yield f.read()
        except OSError:
            continue


def has_fanotify_mark(pid):
    """True once one of pid's fanotify fds carries a mark (fdinfo lists it)."""
    for text in fdinfo_texts(pid):
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
# Small helpers for the workloads

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
