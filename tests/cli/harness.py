"""Runs one Case against one binary and compares the outcome.

Per case: a fresh temp dir with a private tmpfs mounted on it (when root),
used as the working directory of setup, watcher and workload; the watcher's
stdout/stderr go to files outside that tmpfs.  A case with fs='ext4' gets a
64 MiB ext4 image (kept next to those files) loop-mounted there instead.
Everything is torn down again (processes killed, filesystem unmounted, loop
device detached, dirs removed) also on failure.

Variants (casedef.VARIANTS): 'inotify' puts -I first among the watcher's
arguments; 'nobody' (and a case with user='nobody') chowns the case's
directory to nobody:nogroup after the setup and runs the watcher through
`setpriv --reuid=nobody --regid=nogroup --clear-groups`, from a copy of the
binary that nobody can reach, with argv[0] as usual (`exec -a`); in the
'nobody' variant the expected stderr gets the fallback note
(casedef.with_fallback_note). A shell= case gets, as $FSWAIT, a wrapper
script that does the same (-I first, or setpriv), so that its pipelines run
in every variant too.
"""
import contextlib
import difflib
import os
import shutil
import signal as signals
import subprocess
import tempfile
import shlex
import time

from casedef import VARIANTS, Ctx, Match, with_fallback_note

PASS, FAIL, SKIP = 'PASS', 'FAIL', 'SKIP'
READY_TIMEOUT = 5.0
FLOOD = 16 << 20        # a watcher writing this much is looping: stop it
SHOW_CHARS = 1500       # longest repr() shown in a report
SHOW_LINES = 40         # longest line diff shown in a report
MARK_PREFIXES = ('fanotify ino:', 'inotify wd:')
# What fswait/inotifywait and fswatch-stats/inotifywatch say once watching.
READY_BANNERS = (b'Watches established.', b'now collecting statistics.')


def is_root():
    return os.geteuid() == 0


class Unavailable(Exception):
    """The filesystem a case asks for cannot be made here (no tool, no loop device)."""


EXT4_IMAGE_SIZE = 64 << 20
SBIN_PATH = os.pathsep.join([os.environ.get('PATH', ''), '/usr/sbin', '/sbin'])


def _ext4_image(image):
    """Creates an empty ext4 image file at IMAGE."""
    mkfs = shutil.which('mkfs.ext4', path=SBIN_PATH)
    if not mkfs:
        raise Unavailable('mkfs.ext4 not found')
    with open(image, 'wb') as f:
        f.truncate(EXT4_IMAGE_SIZE)
    r = subprocess.run([mkfs, '-q', '-F', image], capture_output=True)
    if r.returncode:
        raise Unavailable(f'mkfs.ext4 failed ({r.returncode}): {r.stderr!r}')


def _detach_loops(image):
    """Detaches loop devices still backed by IMAGE (mount -o loop normally
    sets autoclear, so umount has already done it)."""
    losetup = shutil.which('losetup', path=SBIN_PATH)
    if not losetup or not os.path.exists(image):
        return
    r = subprocess.run([losetup, '-j', image], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        device = line.split(':', 1)[0]
        if device:
            subprocess.run([losetup, '-d', device], stderr=subprocess.DEVNULL, check=False)


@contextlib.contextmanager
def scratch_dir(fs='tmpfs', image_dir=None):
    """A temp dir with a private tmpfs on it (plain dir when not root), or with
    a fresh ext4 image loop-mounted on it (fs='ext4': root only; the image goes
    into IMAGE_DIR).  Raises Unavailable when ext4 cannot be set up."""
    path = tempfile.mkdtemp(prefix='fswait-cli-')
    mounted = False
    image = os.path.join(image_dir, 'ext4.img') if image_dir else path + '.img'
    try:
        if fs == 'ext4':
            _ext4_image(image)
            r = subprocess.run(['mount', '-o', 'loop', image, path], capture_output=True)
            if r.returncode:
                raise Unavailable(f'cannot loop-mount an ext4 image ({r.returncode}): '
                                  f'{r.stderr!r}')
            mounted = True
        elif is_root():
            subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64m',
                            'fswait-test', path], check=True)
            mounted = True
        yield path
    finally:
        if mounted:
            if subprocess.run(['umount', path], stderr=subprocess.DEVNULL).returncode:
                subprocess.run(['umount', '-l', path], check=False)
            os.rmdir(path)
        else:
            shutil.rmtree(path, ignore_errors=True)
        if fs == 'ext4':
            _detach_loops(image)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(image)


def _reset_signals():
    # The watcher must die from signals the way a shell-started one would,
    # even if this runner was started with some of them ignored (nohup
    # ignores SIGHUP, a background job SIGINT).
    for sig in (signals.SIGINT, signals.SIGTERM, signals.SIGPIPE, signals.SIGQUIT, signals.SIGHUP):
        signals.signal(sig, signals.SIG_DFL)


def _children_of(pid):
    try:     # needs CONFIG_PROC_CHILDREN; children of the main thread only
        with open(f'/proc/{pid}/task/{pid}/children') as f:
            return [int(c) for c in f.read().split()]
    except FileNotFoundError:
        pass
    kids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                with open(f'/proc/{entry}/stat') as f:
                    if int(f.read().rsplit(')', 1)[1].split()[1]) == pid:
                        kids.append(int(entry))
    return kids


def _process_tree(pid):
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(_children_of(p))
    return tree


def count_marks(pid, tree=False):
    """Inode marks held by pid (and its descendants) from /proc/*/fdinfo."""
    total = 0
    for p in _process_tree(pid) if tree else [pid]:
        try:
            fds = os.listdir(f'/proc/{p}/fdinfo')
        except OSError:
            continue
        for fd in fds:
            try:
                with open(f'/proc/{p}/fdinfo/{fd}') as f:
                    total += sum(1 for line in f if line.startswith(MARK_PREFIXES))
            except OSError:
                continue
    return total


def _read(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        return None


def _shell_status(returncode):
    return 128 - returncode if returncode < 0 else returncode


def _wait_ready(case, proc, err_path):
    """True when ready, False when it gave up (the run still goes on)."""
    end = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < end:
        if proc.poll() is not None:
            return True
        if case.ready == 'marks':
            if count_marks(proc.pid, tree=case.shell is not None) >= case.marks:
                return True
        elif any(b in (_read(err_path) or b'') for b in READY_BANNERS):
            return True
        time.sleep(0.01)
    return False


def _wait_output(path, size, limit=5.0):
    end = time.monotonic() + limit
    while time.monotonic() < end and len(_read(path) or b'') < size:
        time.sleep(0.01)


def _kill_group(pid):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signals.SIGKILL)


def _sweep(work):
    """Kill leftovers that escaped the process group (e.g. a daemon that called
    setsid) but still sit in this case's private directory."""
    for entry in os.listdir('/proc'):
        if entry.isdigit() and int(entry) != os.getpid():
            with contextlib.suppress(OSError):
                cwd = os.readlink(f'/proc/{entry}/cwd')
                if cwd == work or cwd.startswith(work + '/'):
                    os.kill(int(entry), signals.SIGKILL)


def _wait_exit(proc, deadline, paths):
    """'exited', 'hung' or 'flood' (output grows without bound)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            return 'exited'
        if any(os.path.getsize(p) > FLOOD for p in paths if os.path.exists(p)):
            return 'flood'
        time.sleep(0.02)
    return 'exited' if proc.poll() is not None else 'hung'


def _clip(text, limit=SHOW_CHARS):
    return text if len(text) <= limit else text[:limit] + f'... ({len(text)} chars)'


def _resolve(expected, ctx, problems):
    """The expected value; a function of ctx is called (its failure is a problem)."""
    if not callable(expected):
        return expected
    try:
        return expected(ctx)
    except Exception as e:      # e.g. the workload never wrote its pid file
        problems.append(f'  expected value could not be computed: {e!r}')
        return e


def _show_bytes(label, expected, actual):
    """A readable, repr()-based comparison of two byte strings."""
    out = [f'  {label} differs:',
           '    expected: ' + _clip(repr(expected)),
           '    actual:   ' + _clip(repr(actual))]
    if isinstance(expected, bytes) and isinstance(actual, bytes):
        exp = [repr(x) for x in expected.splitlines(keepends=True)]
        act = [repr(x) for x in actual.splitlines(keepends=True)]
        diff = list(difflib.unified_diff(exp, act, 'expected', 'actual', lineterm='', n=2))
        if diff:
            out.append('    line diff (- expected, + actual):')
            body = diff[2:]
            out.extend('      ' + _clip(d, 300) for d in body[:SHOW_LINES])
            if len(body) > SHOW_LINES:
                out.append(f'      ... ({len(body) - SHOW_LINES} more diff lines)')
    return out


def _compare(label, expected, actual):
    if isinstance(expected, Match):
        return [] if expected.matches(actual) else [
            f'  {label} does not match {expected!r}:', '    actual:   ' + _clip(repr(actual))]
    return [] if expected == actual else _show_bytes(label, expected, actual)


# What fswait says when it runs without the privilege fanotify needs.
UNPRIVILEGED_MARKER = b'needs CAP_SYS_ADMIN'


def _skip(reason):
    """SKIP, or FAIL under CI=true (where a skipped kernel test is a failure)."""
    if os.environ.get('CI') == 'true':
        return FAIL, [f'  {reason}, and CI=true: a skipped kernel test is a failure']
    return SKIP, [f'  {reason}']


def run_case(case, binary, variant='default'):
    """Returns (PASS|FAIL|SKIP, [detail lines])."""
    if variant not in case.variants():
        raise ValueError(f'{case.name} does not run in variant {variant!r} '
                         f'(its variants: {case.variants()})')
    result, details = _run_case_once(case, binary, variant)
    for attempt in range(case.retries):
        if result != FAIL:
            break
        earlier = details
        result, details = _run_case_once(case, binary, variant)
        details = details + [f'  (attempt {attempt + 2}; the previous one failed:)'] + earlier
    return result, details


NOBODY = ('nobody', 'nogroup')
SETPRIV = ['setpriv', f'--reuid={NOBODY[0]}', f'--regid={NOBODY[1]}', '--clear-groups', '--']


def _as_nobody(case, variant):
    return variant == 'nobody' or case.user == 'nobody'


def _run_case_once(case, binary, variant='default'):
    if variant not in VARIANTS:
        raise ValueError(f'unknown variant {variant!r}')
    if case.root and not is_root():
        return _skip('needs root')
    if _as_nobody(case, variant) and not is_root():
        return _skip('needs root (to run the watcher as nobody)')
    if case.fs != 'tmpfs' and not is_root():
        return _skip(f'needs root (to loop-mount {case.fs})')
    if case.needs and subprocess.run(['bash', '-c', case.needs], capture_output=True).returncode:
        if os.environ.get('CI') == 'true':
            return FAIL, [f'  needs `{case.needs}`, and CI=true: a skip is a failure']
        return SKIP, [f'  needs `{case.needs}`']
    binary = os.path.abspath(binary)
    prog = os.path.basename(binary)
    os.umask(0o022)
    try:
        with tempfile.TemporaryDirectory(prefix='fswait-cli-log-') as logs, \
                scratch_dir(case.fs, logs) as work:
            return _run_in(case, binary, prog, work, logs, variant)
    except Unavailable as e:
        return _skip(f'{case.fs} unavailable: {e}')


def _reachable_copy(binary, logs):
    """A copy of BINARY (same basename) that nobody may run: LOGS becomes
    traversable (0711); the copy is in LOGS/bin (0755)."""
    os.chmod(logs, 0o711)
    bindir = os.path.join(logs, 'bin')
    os.mkdir(bindir, 0o755)
    copy = os.path.join(bindir, os.path.basename(binary))
    shutil.copy2(binary, copy)
    os.chmod(copy, 0o755)
    return copy


def _wrapper(logs, prog, binary, variant, as_nobody):
    """$FSWAIT for a shell= case: runs BINARY with -I first (variant
    'inotify') and/or as nobody, under the wrapper's own argv[0]."""
    wrapdir = os.path.join(logs, 'wrap')
    os.mkdir(wrapdir, 0o755)
    path = os.path.join(wrapdir, prog)
    extra = ' -I' if variant == 'inotify' else ''
    run = f'exec -a "$0" {shlex.quote(binary)}{extra} "$@"'
    if as_nobody:   # setpriv cannot set argv[0]: a bash in between does
        run = f'exec {" ".join(SETPRIV)} bash -c {shlex.quote(run)} "$0" "$@"'
    with open(path, 'w') as f:
        f.write(f'#!/bin/bash\n{run}\n')
    os.chmod(path, 0o755)
    return path


def _watcher_command(case, variant, prog, binary, logs, env):
    """(argv, executable) of the watcher in VARIANT; sets env['FSWAIT']."""
    as_nobody = _as_nobody(case, variant)
    if as_nobody:
        binary = env['FSWAIT'] = _reachable_copy(binary, logs)
    if case.shell is not None:
        if as_nobody or variant != 'default':
            env['FSWAIT'] = _wrapper(logs, prog, binary, variant, as_nobody)
        return ['bash', '-c', case.shell], None
    args = (['-I'] if variant == 'inotify' else []) + case.args
    if as_nobody:
        # setpriv cannot set argv[0]: bash execs the binary under its usual name.
        return SETPRIV + ['bash', '-c', 'exec -a "$0" "$FSWAIT" "$@"', prog] + args, None
    return [prog] + args, binary


def _run_in(case, binary, prog, work, logs, variant='default'):
    env = dict(os.environ, LC_ALL='C', LANG='C', FSWAIT=binary)
    env.pop('POSIXLY_CORRECT', None)     # getopt must permute (E76)
    notes = [f'  command: {case.command_line(prog, variant)}']
    if variant != 'default':
        notes.append(f'  variant: {variant}')
    if case.setup:
        r = subprocess.run(['bash', '-ec', case.setup], cwd=work, env=env,
                           capture_output=True, timeout=30)
        if r.returncode:
            return FAIL, [f'  setup failed ({r.returncode}): {r.stderr!r}'] + notes
    if _as_nobody(case, variant):
        r = subprocess.run(['chown', '-R', ':'.join(NOBODY), work], capture_output=True)
        if r.returncode:
            return FAIL, [f'  chown -R {":".join(NOBODY)} failed ({r.returncode}): '
                          f'{r.stderr!r}'] + notes
    out_path, err_path = f'{logs}/stdout', f'{logs}/stderr'
    argv, executable = _watcher_command(case, variant, prog, binary, logs, env)
    exp_out, exp_err, exp_status = case.expected(variant)
    with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
        proc = subprocess.Popen(
            argv, executable=executable, cwd=work, env=env, stdout=out, stderr=err,
            stdin=subprocess.DEVNULL if case.stdin is None else subprocess.PIPE,
            start_new_session=True, preexec_fn=_reset_signals)
    try:
        if case.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.write(case.stdin)
                proc.stdin.close()
        if not _wait_ready(case, proc, err_path):
            notes.append(f'  (watcher not ready after {READY_TIMEOUT:g} s; went on)')
        if case.workload:
            r = subprocess.run(['bash', '-c', case.workload], cwd=work,
                               env=dict(env, WATCHER_PID=str(proc.pid)),
                               capture_output=True, timeout=30)
            if r.returncode:
                notes.append(f'  workload failed ({r.returncode}): '
                             f'stdout {r.stdout!r} stderr {r.stderr!r}')
        if case.signal:
            if isinstance(exp_out, bytes):
                _wait_output(out_path, len(exp_out))
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, getattr(signals, 'SIG' + case.signal))
        watched_files = [f'{work}/{name}' for name in case.files]
        ended = _wait_exit(proc, case.deadline, [out_path, err_path] + watched_files)
    finally:
        _kill_group(proc.pid)
        proc.wait()
        _sweep(work)
    ctx = Ctx(work, binary, proc.pid)
    if (variant == 'default' and case.user is None and not is_root()
            and UNPRIVILEGED_MARKER in _read(err_path)):
        # fanotify needs CAP_SYS_ADMIN: the binary refused to watch (-F), or
        # fell back to inotify and said so; a fanotify case cannot run.
        if os.environ.get('CI') == 'true':
            return FAIL, ['  needs root, and CI=true: a skipped kernel test is a failure'] + notes
        return SKIP, ['  needs root (fanotify needs CAP_SYS_ADMIN, the binary said)'] + notes
    problems = []
    hung = ended != 'exited'
    if ended == 'hung':
        problems.append(f'  hung: still running {case.deadline} s after the workload; killed')
    elif ended == 'flood':
        problems.append(f'  output flood: more than {FLOOD} bytes written; killed')
    if any(n.startswith('  workload failed') for n in notes):
        problems.append('  the workload itself failed (see below)')
    problems += _compare('stdout', _resolve(exp_out, ctx, problems), _read(out_path))
    exp_err = _resolve(exp_err, ctx, problems)
    # The fallback note: not when inotify was asked for (-I: no fallback).
    if (variant == 'nobody' and case.backend_option is None
            and isinstance(exp_err, (str, bytes, Match))):
        try:
            exp_err = with_fallback_note(exp_err, case.quiet, prog, case.tool, case.opens)
        except ValueError as e:
            problems.append(f'  {e}')
    if isinstance(exp_err, str):
        exp_err = exp_err.replace('{prog}', prog).encode()
    problems += _compare('stderr', exp_err, _read(err_path))
    status = _shell_status(proc.returncode)
    if not hung and status != exp_status:
        problems.append(f'  exit status differs: expected {exp_status!r}, actual {status!r}')
    for name, expected in case.files.items():
        problems += _compare(f'file {name}', _resolve(expected, ctx, problems),
                             _read(f'{work}/{name}'))
    for name, mode in case.modes.items():
        try:
            actual = os.stat(f'{work}/{name}').st_mode & 0o7777
        except OSError as e:
            actual = f'({e.strerror})'
        if actual != mode:
            problems.append(f'  mode of {name} differs: expected {oct(mode)}, '
                            f'actual {oct(actual) if isinstance(actual, int) else actual}')
    if problems:
        return FAIL, problems + notes
    return PASS, []
