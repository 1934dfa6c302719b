"""fsbench workloads about what a monitor captures: (a) burst and (c) rm -rf."""
import os
import re
import time

from fsbench_common import (NA, RES, Failed, fatrace_parse, log, read_lines, run,
                            sentinel_name, wait_for_line, wait_quiet, write_file)
from fsbench_ctx import count_int


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
