"""fsbench measurement context: workload generator, monitor probing, run loop, tables."""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

from fsbench_common import HERE, MONITORS, NA, RES, Failed, Monitor, log, run


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
            self.cmd = [sys.executable, os.path.join(HERE, 'fsbench.py'), '_gen']

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

    def table(self, title, kinds, results, rows, command_lines, extra_notes=(), workload=None):
        print(f'\n### {title}\n')
        print(f'Medians of {self.runs} run(s); '
              + (f'workload: {workload}.\n' if workload else f'generator: {self.gen.kind}.\n'))
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
