"""Case definition for the fswait end-to-end CLI tests.

A case is data: a setup script, the watcher's arguments, a workload script and
the exact expected stdout bytes, stderr text and exit status.  The runner
(run.py / harness.py) gives every case a private tmpfs (or, with fs='ext4', a
loop-mounted ext4) as its working directory, so relative paths such as `w` are
all a case ever needs.

Expected values may be:
  * plain values (bytes for stdout, str for stderr, int for the status);
    stderr may contain `{prog}`, replaced by the basename of the binary;
  * a function of a Ctx (see below), for values only known after the run
    (e.g. a pid that the workload wrote into a file);
  * Match(regex) when part of the output is random (rename cookies).
"""
import copy
import re
import shlex

BANNER = 'Setting up watches.\nWatches established.\n'


def lines(*items):
    """Bytes of the given lines, each terminated by a newline."""
    return b''.join(
        (i if isinstance(i, bytes) else i.encode()) + b'\n' for i in items)


def lifecycle(prefix, name):
    """What inotify reports for `touch NAME` when NAME does not exist yet."""
    return lines(*(f'{prefix}{ev}{name}' for ev in
                   ('CREATE ', 'OPEN ', 'ATTRIB ', 'CLOSE_WRITE,CLOSE ')))


def lsdir(path):
    """Shell command that reads directory PATH with exactly one getdents call.

    `ls` calls getdents until it returns 0, and each call is one ACCESS event;
    whether the kernel merges the two depends on timing (flaky).  One readdir()
    gives OPEN,ISDIR / ACCESS,ISDIR / CLOSE_NOWRITE,CLOSE,ISDIR every time."""
    return f"perl -e 'opendir(D, shift) or die; readdir(D)' {path}"


class Match:
    """Expected output given as a regular expression (full match)."""

    def __init__(self, pattern, flags=0):
        self.regex = re.compile(pattern, flags)

    def matches(self, actual):
        return self.regex.fullmatch(actual) is not None

    def __repr__(self):
        return f'Match({self.regex.pattern!r})'


class Ctx:
    """What expectation functions may look at after the watcher has exited."""

    def __init__(self, directory, binary, pid):
        self.dir = directory            # the case's tmpfs (also its cwd)
        self.binary = binary            # absolute path of the binary under test
        self.prog = binary.rsplit('/', 1)[-1]
        self.pid = pid                  # pid of the watcher (or of its shell)

    def read(self, name):
        with open(f'{self.dir}/{name}', 'rb') as f:
            return f.read()

    def text(self, name):
        """A small file the workload wrote, as stripped text (e.g. a pid)."""
        return self.read(name).decode().strip()


FILESYSTEMS = ('tmpfs', 'ext4')


class Case:
    """One end-to-end behaviour.

    name      lower-case; starts with eNN_ when it reproduces experiment ENN
    args      watcher arguments (a list, or a string split like a shell would)
    setup     bash run in the tmpfs before the watcher starts (`set -e`)
    workload  bash run once the watcher is ready
    stdout    expected stdout bytes        stderr  expected stderr text
    status    expected exit status (shell style: 128+N for death by signal N)
    oracle    True if the real inotifywait 3.22.6 must behave exactly so
    root      needs root (fanotify attribution); skipped (77) when not root
    needs     a shell command that must succeed for the case to run (a tool it
              needs); skipped (77) otherwise, a failure when CI=true
    stdin     bytes fed to the watcher's stdin (default: /dev/null)
    shell     instead of running the binary directly, run this bash script;
              $FSWAIT is the binary (e.g. for pipelines)
    marks     how many inotify/fanotify inode marks mean "ready" for quiet runs
    ready     'banner' (stderr says Watches established.), 'marks', or None
              (= 'marks' when a -q option is present, else 'banner')
    signal    'INT'/'TERM'...: sent once stdout holds the expected bytes
    deadline  seconds the watcher may still run after the workload ended
    files     {name: expected bytes} checked in the tmpfs after the run
    modes     {name: expected permission bits} checked after the run
    retries   how many times a failure is run again (0): only for a case that
              pins down a known, open, intermittent defect (named at the case)
    tool      'wait' (fswait, oracle inotifywait) or 'stats' (fswatch-stats,
              oracle inotifywatch)
    fs        filesystem of the working directory: 'tmpfs' (default) or 'ext4'
              (a 64 MiB image, loop-mounted; needs root, mkfs.ext4 and a loop
              device, else skipped (77), or failed under CI=true)
    """

    def __init__(self, name, args=(), *, setup='', workload='', stdout=b'',
                 stderr='', status=0, oracle=True, root=False, stdin=None,
                 shell=None, marks=1, ready=None, signal=None, deadline=10,
                 files=None, modes=None, fs='tmpfs', needs=None, tool='wait', retries=0):
        if not re.fullmatch(r'[a-z0-9_]+', name):
            raise ValueError(f'bad case name {name!r}')
        self.name = name
        self.args = shlex.split(args) if isinstance(args, str) else list(args)
        self.setup = setup
        self.workload = workload
        self.stdout = stdout.encode() if isinstance(stdout, str) else stdout
        self.stderr = stderr
        self.status = status
        self.oracle = oracle
        self.root = root
        self.stdin = stdin
        self.shell = shell
        self.needs = needs  # shell check for a tool the case needs (else skip)
        self.marks = marks
        quiet = any(a == '--quiet' or re.fullmatch(r'-q+', a) for a in self.args)
        self.ready = ready or ('marks' if quiet else 'banner')
        self.signal = signal
        self.deadline = deadline
        self.files = files or {}
        self.modes = modes or {}
        if fs not in FILESYSTEMS:
            raise ValueError(f'{name}: fs must be one of {FILESYSTEMS}, not {fs!r}')
        self.fs = fs
        if tool not in ('wait', 'stats'):
            raise ValueError(f'{name}: tool must be wait or stats, not {tool!r}')
        self.tool = tool
        self.retries = retries

    def command_line(self, prog):
        if self.shell is not None:
            return f'bash -c {shlex.quote(self.shell)}  (FSWAIT={prog})'
        return ' '.join(shlex.quote(a) for a in [prog] + self.args)


def on_ext4(case):
    """The same case once more on a loop-mounted ext4, named NAME_ext4."""
    twin = copy.copy(case)
    twin.name = case.name + '_ext4'
    twin.fs = 'ext4'
    return twin
