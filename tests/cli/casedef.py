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

# The kernel interfaces a case's expectations can describe.
BACKENDS = ('fanotify', 'inotify')
BOTH = BACKENDS

# The suite runs in three variants (run.py --variant; meson suites cli,
# nobody and inotify):
#   default  the watcher as the case says (as root: fanotify)
#   nobody   the watcher as nobody (see Case.user): without CAP_SYS_ADMIN it
#            falls back to inotify and says so once on stderr (FALLBACK_NOTE,
#            placed by with_fallback_note)
#   inotify  the watcher with -I as its first argument (as root)
# Only cases whose backends include 'inotify' run in the last two.
VARIANTS = ('default', 'nobody', 'inotify')

# What fswait (fswatch-stats) says once, before anything else, when it
# watches with inotify because it lacks the privilege fanotify needs.
FALLBACK_NOTE = ('{prog}: watching with inotify, without process attribution: '
                 'fanotify needs CAP_SYS_ADMIN\n')

# Messages only printed once the backend is open, i.e. once option parsing is
# over: the note comes before the first of them. Option errors and
# parse-time warnings (--exclude given twice) come before it, or alone.
# inotifywait: parse, initialize, compile the regexes, check the format, read
# the path list, set up. inotifywatch compiles its regexes BEFORE it
# initializes: a regex error there is an option error.
AFTER_OPEN = {
    'wait': ('Setting up watches.', 'Setting up filesystem watches.', "Couldn't watch ",
             "Couldn't add filesystem watch ", 'Failed to watch ', 'Error in `',
             'No files specified to watch!', 'Something is wrong with your format string.',
             'Failed to open output file ', "Couldn't open "),
    'stats': ('Establishing watches...', "Couldn't add filesystem watch ", 'Failed to watch ',
              'No files specified to watch!', "Couldn't open "),
}


def with_fallback_note(stderr, quiet, prog, tool='wait', opens=False):
    """STDERR (text, bytes or Match) with FALLBACK_NOTE (of PROG) inserted
    before its first AFTER_OPEN[TOOL] line; unchanged when QUIET (-q/-qq
    hide the note) or when it has no such line (the watcher stopped while
    parsing options) -- unless OPENS (the case says it gets past opening
    the backend, e.g. -d, whose later messages go to syslog): then first."""
    note = FALLBACK_NOTE.replace('{prog}', prog)
    after_open = AFTER_OPEN[tool]
    if quiet:
        return stderr
    if isinstance(stderr, Match):
        pattern = stderr.regex.pattern
        text = pattern.decode() if isinstance(pattern, bytes) else pattern
        if not re.sub(r'\\(.)', r'\1', text).startswith(after_open):
            raise ValueError(f'cannot place the fallback note in {stderr!r}')
        note = re.escape(note)
        return Match(note.encode() + pattern if isinstance(pattern, bytes) else note + pattern,
                     stderr.regex.flags)
    raw = isinstance(stderr, bytes)
    text = stderr.decode() if raw else stderr
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(after_open):
            lines.insert(i, note)
            break
    else:
        if opens:
            lines.insert(0, note)
    text = ''.join(lines)
    return text.encode() if raw else text


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
    user      None, or 'nobody': the watcher runs as nobody:nogroup (setpriv,
              no supplementary groups) after `chown -R nobody:nogroup` of the
              working directory; setup and workload stay root
    backends  the backends whose output the expectations describe: a case
              runs in the variants 'nobody' and 'inotify' (see VARIANTS) only
              when 'inotify' is among them. Default: both for oracle cases
              (fswait's inotify backend must behave as inotifywait does),
              ('fanotify',) otherwise; mark a non-oracle case that holds for
              both with backends=BOTH
    stdout_inotify, stderr_inotify, status_inotify
              the expectation under the inotify backend (variants 'nobody'
              and 'inotify') where it differs on purpose; None: the same
    opens     the watcher gets past opening its backend although the expected
              stderr shows none of AFTER_OPEN (-d: later messages go to
              syslog): in the 'nobody' variant the fallback note comes first
    """

    def __init__(self, name, args=(), *, setup='', workload='', stdout=b'',
                 stderr='', status=0, oracle=True, root=False, stdin=None,
                 shell=None, marks=1, ready=None, signal=None, deadline=10,
                 files=None, modes=None, fs='tmpfs', needs=None, tool='wait', retries=0,
                 user=None, backends=None, stdout_inotify=None, stderr_inotify=None,
                 status_inotify=None, opens=False):
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
        self.ready = ready or ('marks' if self.quiet else 'banner')
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
        if user not in (None, 'nobody'):
            raise ValueError(f'{name}: user must be None or nobody, not {user!r}')
        self.user = user
        if backends is None:
            backends = BOTH if oracle else ('fanotify',)
        if not backends or set(backends) - set(BACKENDS):
            raise ValueError(f'{name}: backends must be some of {BACKENDS}, not {backends!r}')
        self.backends = tuple(backends)
        self.stdout_inotify = (stdout_inotify.encode() if isinstance(stdout_inotify, str)
                               else stdout_inotify)
        self.stderr_inotify = stderr_inotify
        self.status_inotify = status_inotify
        self.opens = opens
        if 'inotify' not in self.backends and (stdout_inotify, stderr_inotify,
                                               status_inotify) != (None, None, None):
            raise ValueError(f'{name}: *_inotify expectations but no inotify backend')

    @property
    def backend_option(self):
        """The last of -I/-F/-S (long or short, as an argument of its own)
        among the arguments: 'inotify', 'fanotify', 'filesystem' or None."""
        names = {'-I': 'inotify', '--inotify': 'inotify', '-F': 'fanotify',
                 '--fanotify': 'fanotify', '-S': 'filesystem', '--filesystem': 'filesystem'}
        chosen = [names[a] for a in self.args if a in names]
        return chosen[-1] if chosen else None

    @property
    def quiet(self):
        """-q/-qq/--quiet among the arguments (never known for a shell= case)."""
        return any(a == '--quiet' or re.fullmatch(r'-q+', a) for a in self.args)

    def variants(self):
        """The variants of the suite this case runs in (see VARIANTS)."""
        return [v for v in VARIANTS if v == 'default' or 'inotify' in self.backends]

    def expected(self, variant):
        """(stdout, stderr, status) expected in VARIANT; stderr before the
        fallback note (see with_fallback_note) and before {prog}."""
        if variant == 'default':
            return self.stdout, self.stderr, self.status
        pick = lambda own, base: base if own is None else own
        return (pick(self.stdout_inotify, self.stdout), pick(self.stderr_inotify, self.stderr),
                pick(self.status_inotify, self.status))

    def command_line(self, prog, variant='default'):
        extra = ['-I'] if variant == 'inotify' else []
        as_nobody = variant == 'nobody' or self.user == 'nobody'
        if self.shell is not None:
            wrapped = (' -I' if extra else '') + (' as nobody' if as_nobody else '')
            return (f'bash -c {shlex.quote(self.shell)}  '
                    f'(FSWAIT={prog}{", wrapped:" + wrapped if wrapped else ""})')
        line = ' '.join(shlex.quote(a) for a in [prog] + extra + self.args)
        return ('setpriv --reuid=nobody --regid=nogroup --clear-groups ' + line if as_nobody
                else line)


def on_ext4(case):
    """The same case once more on a loop-mounted ext4, named NAME_ext4."""
    twin = copy.copy(case)
    twin.name = case.name + '_ext4'
    twin.fs = 'ext4'
    return twin
