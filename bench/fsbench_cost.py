"""fsbench workloads about what a monitor costs: (b) setup, (d) noise, (e) throughput."""
import os
import shutil
import statistics
import tempfile
import threading
import time

from fsbench_common import (NA, RES, Failed, log, proc_rss_kib, read_lines, run,
                            sentinel_name, wait_for_line, wait_quiet, write_file)
from fsbench_ctx import count_int


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
    kinds = ['none', 'fswait', 'fswait+who', 'inotifywait', 'fatrace']
    ctx.probe([k for k in kinds if k not in ('none', 'fswait+who')])
    ctx.avail['none'] = None
    # The same fswait with attribution on: %p %c %u start the process cache
    # (perf, proc connector, exec marks on every filesystem).
    ctx.avail['fswait+who'] = ctx.avail.get('fswait')
    if 'fswait' in ctx.bins:
        ctx.bins['fswait+who'] = ctx.bins['fswait']
    who_format = '%w%f %e %p %c %u'
    cmdlines = {'fswait': 'fswait -m -r DIR > OUT',
                'fswait+who': f"fswait -m -r --format '{who_format}' DIR > OUT",
                'inotifywait': 'inotifywait -m -r DIR > OUT'}
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
            argv = ['-m', '-r', d] if kind != 'fswait+who' else ['-m', '-r', '--format', who_format, d]
            mon = ctx.make_monitor(kind, argv, out, cwd=w, fatrace_dir=d)
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
