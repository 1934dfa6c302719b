"""fsbench workload about what a monitor captures: (c) rm -rf ((a) burst: fsbench_burst.py)."""
import os
import re
import time

from fsbench_common import NA, RES, Failed, log, read_lines, run, wait_quiet
from fsbench_ctx import count_int


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
