#!/usr/bin/env python3
"""Soak: several monitors watch one tmpfs for DURATION seconds (default 600) while
several processes make a steady stream of events (default 5,000 a second); every minute
each monitor's RSS, open fds, threads and CPU time are sampled from /proc.

Usage: bench/soak.sh [--duration S] [--rate N] [--fswait PATH] [--monitors LIST]
                     [--csv FILE] [options]  (see --help and bench/README.md, "soak.sh")

Monitors, all in the same run, all on the same tmpfs, each writing to its own file on a
separate (unwatched) scratch tmpfs:
    fswait -m -r --format '%w%f %e %p %c %u' ROOT       (attribution on)
    fswait --json -m -r ROOT
    inotifywait -m -r ROOT
    cd MOUNT && fatrace -c                              (the whole private tmpfs)

Workload: WORKERS long-lived python processes (create, write, close, rename, unlink of a
bounded set of names; now and then mkdir, a file inside, rmdir) and one spawner that runs
`touch FILE` then `rm FILE` as short-lived processes; each paces itself with a sleep per
20 ms batch against an absolute schedule.  Prints a markdown report on stdout (progress on
stderr) and writes every sample to a CSV file.  As root; the script re-executes itself in a
private mount namespace (unshare -m), so no mount outlives it.  Python standard library.

Files: this one holds the command line and the run (mounts, monitors, schedule, drain);
soak_workload.py the worker processes and their shared counters; soak_common.py the
monitor names, the log and the /proc sampling; soak_report.py the reading of the outputs,
the CSV and the report.  Workers are started as `soak.py _worker ...` so that a worker is
the same interpreter and command name (`python3`) that the report expects as their comm.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import fsbench_common
from fsbench_common import DEFAULT_FSWAIT, RES, Failed, Monitor, write_file
from soak_common import OPTIONAL, TOOLS, OutCount, cpu_busy, forks, loadavg, log, sample_proc
from soak_report import analyze, report, write_csv
from soak_workload import EV_RM, EV_TOUCH, Counters, worker

TEXT_FORMAT = '%w%f %e %p %c %u'


def first_line(argv):
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        return r.stdout.decode(errors='replace').splitlines()[0].strip()
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return 'not installed'


def dpkg_version(pkg):
    try:
        r = subprocess.run(['dpkg-query', '-W', '-f', '${Version}', pkg], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=10)
        return r.stdout.decode().strip() or 'not installed'
    except OSError:
        return '?'


def reap_stale_soak():
    """Remove /tmp/fswait-soak.PID.* of runs that were killed (that pid is gone)."""
    for name in os.listdir('/tmp'):
        m = re.match(r'fswait-soak\.(\d+)\.', name)
        if not m:
            continue
        try:
            with open(f'/proc/{m.group(1)}/cmdline', 'rb') as f:
                if b'soak' in f.read():
                    continue
        except OSError:
            pass
        log(f'removing /tmp/{name} left by an earlier run that was killed')
        shutil.rmtree(os.path.join('/tmp', name), ignore_errors=True)


def sample_times(duration, first, interval):
    ts = [first] if first < duration else []
    t = interval
    while t < duration:
        if t > first:
            ts.append(t)
        t += interval
    ts.append(duration)
    return ts


def run(args):
    reap_stale_soak()
    RES.base = tempfile.mkdtemp(prefix=f'fswait-soak.{os.getpid()}.', dir='/tmp')
    scratch = RES.mount_tmpfs('scratch', size=args.scratch_size)
    mnt = RES.mount_tmpfs('watched', size='256m')
    root = os.path.join(mnt, 'w')
    os.mkdir(root)
    dirs = [os.path.join(root, f'w{i}') for i in range(args.workers)] + [os.path.join(root, 's')]
    for d in dirs:
        os.mkdir(d)

    bins = {'fswait': args.fswait, 'fswait-json': args.fswait, 'fswait-plain': args.fswait,
            'inotifywait': shutil.which('inotifywait'), 'fatrace': shutil.which('fatrace')}
    argvs = {'fswait': ['-m', '-r', '--format', TEXT_FORMAT, root],
             'fswait-json': ['--json', '-m', '-r', root],
             'inotifywait': ['-m', '-r', root],
             'fatrace': ['-c'],
             'fswait-plain': ['-m', '-r', root]}
    cmdlines = {'fswait': f"fswait -m -r --format '{TEXT_FORMAT}' ROOT > OUT",
                'fswait-json': 'fswait --json -m -r ROOT > OUT',
                'inotifywait': 'inotifywait -m -r ROOT > OUT',
                'fatrace': 'cd MOUNT && fatrace -c > OUT',
                'fswait-plain': 'fswait -m -r ROOT > OUT'}
    na = {}
    tools = []
    for t in TOOLS + OPTIONAL:
        if t not in args.monitors:
            continue
        b = bins[t]
        if not b or not os.access(b, os.X_OK):
            na[t] = f'{t} not installed' if t in ('inotifywait', 'fatrace') else \
                f'no executable {args.fswait}; build it'
            log(f'{t}: n/a ({na[t]})')
            continue
        tools.append(t)

    # Monitors: all on the same tmpfs, all at once, outputs on the scratch tmpfs.
    mons = {}
    for t in tools:
        out = os.path.join(scratch, f'{t}.out')
        if t == 'fatrace':
            mons[t] = Monitor(t, [bins[t]] + argvs[t], out, cwd=mnt, ready='fdinfo')
        else:
            mons[t] = Monitor(t, [bins[t]] + argvs[t], out)
        mons[t].start()
    for t in list(tools):
        try:
            mons[t].wait_ready(60)
        except Failed as e:
            na[t] = str(e)[:200]
            log(f'{t}: n/a ({na[t]})')
            mons[t].stop(quiet=True)
            tools.remove(t)
            del mons[t]
    if not tools:
        raise Failed('no monitor could be started')
    counts = {t: OutCount(mons[t].out_path) for t in tools}

    # Workers: long-lived loops and one spawner, sharing one rate budget.
    cpath = os.path.join(scratch, 'counters')
    nw = args.workers + 1
    counters = Counters(cpath, 0, create=True, slots=nw)
    spawn_rate = args.spawn_rate / 2 * (EV_TOUCH + EV_RM)      # events/s from touch + rm
    loop_rate = (args.rate - spawn_rate) / args.workers
    if loop_rate <= 0:
        raise Failed(f'--spawn-rate {args.spawn_rate} alone makes more than --rate {args.rate}')
    time.sleep(args.settle)      # let start-up walks finish before the clock starts
    t0 = time.monotonic() + 1.0
    end = t0 + args.duration
    workers = []
    for i in range(nw):
        kind, d, rate = ('spawn', dirs[-1], spawn_rate) if i == args.workers else \
            ('loop', dirs[i], loop_rate)
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), '_worker', kind, str(i),
                              d, repr(rate), repr(t0), repr(end), cpath],
                             stdin=subprocess.DEVNULL, preexec_fn=fsbench_common.PDEATH)
        workers.append(p)
        WORKERS.append(p)
    time.sleep(0.3)
    with open(f'/proc/{workers[0].pid}/comm') as f:
        worker_comm = f.read().strip()
    log(f'{len(tools)} monitors ready ({", ".join(tools)}); {args.workers} loop workers at '
        f'{loop_rate:.0f} events/s each, spawner at {args.spawn_rate:g} processes/s '
        f'({spawn_rate:.0f} events/s); {args.duration:g} s')

    samples = []          # dicts: phase, t, tool, pid, rss, hwm, threads, fds, fdmap, cpu, lines, ev

    def take(phase, t_rel):
        vals = [counters.get(i) for i in range(nw)]
        ev = sum(v[0] for v in vals)
        closes = sum(v[1] for v in vals)
        la = loadavg()
        busy = cpu_busy()
        for t in tools:
            s = sample_proc(mons[t].pid)
            if s is None:
                log(f'{t}: gone at {t_rel:.0f} s (status {mons[t].proc.poll()})')
                continue
            s.update(phase=phase, t=t_rel, tool=t, pid=mons[t].pid, lines=counts[t].update(),
                     ev=ev, closes=closes, load=la)
            samples.append(s)
        return ev, busy

    time.sleep(max(0.0, t0 - time.monotonic()))
    w_ru = {}

    def reap(flags):
        for i, p in enumerate(workers):
            if i in w_ru:
                continue
            pid, status, ru = os.wait4(p.pid, flags)
            if pid == 0:
                continue
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode != 0:
                raise Failed(f'worker {i} failed with status {p.returncode}: the workload '
                             'did not happen as counted')
            w_ru[i] = ru.ru_utime + ru.ru_stime

    busy0, forks0 = cpu_busy(), forks()
    take('start', 0.0)
    ev_t = {}
    for ts in sample_times(args.duration, args.first, args.interval):
        while True:
            left = t0 + ts - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 1.0))
            reap(os.WNOHANG)
        ev, busy1 = take('load', ts)
        ev_t[ts] = ev
        line = ', '.join(f'{s["tool"]} {s["rss"] / 1024:.1f} MiB {s["fds"]} fds '
                         f'{s["cpu"]:.1f} s' for s in samples if s['t'] == ts)
        log(f't={ts:>4.0f} s: {ev:,} events ({ev / ts:,.0f}/s); {line}')
    reap(0)
    vals = [counters.get(i) for i in range(nw)]
    total = {k: sum(v[n] for v in vals) for n, k in enumerate(
        ('events', 'closes', 'file_cycles', 'dir_cycles', 'touches', 'rms'))}
    machine = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
    machine_forks = forks() - forks0

    # Drain: an end marker, written after everything else; each monitor has read every
    # event once it prints the marker (the kernel queues events in order).
    token = f'zz_end_{os.getpid()}'
    write_file(os.path.join(root, token))
    drained = {}
    for t in tools:
        drained[t] = counts[t].wait_for(token.encode(), mons[t], args.drain_timeout)
        if not drained[t]:
            log(f'{t}: end marker not printed within {args.drain_timeout} s')
    time.sleep(0.5)
    take('drained', time.monotonic() - t0)
    cpu_total, stderr_msgs = {}, {}
    for t in tools:
        mons[t].stop()
        cpu_total[t] = mons[t].cpu_seconds()
        stderr_msgs[t] = [l for l in mons[t].stderr_text().splitlines()
                          if l.strip() and 'Setting up watches' not in l
                          and 'Watches established' not in l]
    log('reading the outputs')
    results = {}
    for t in tools:
        results[t] = analyze(t, mons[t].out_path, token, worker_comm)
        results[t]['out_bytes'] = os.path.getsize(mons[t].out_path)
        os.unlink(mons[t].out_path)
        log(f'{t}: {results[t]["lines"]:,} lines')
    info = {'args': args, 'tools': tools, 'na': na, 'total': total,
            'samples': samples, 'cpu_total': cpu_total, 'stderr': stderr_msgs,
            'results': results, 'drained': drained, 'cmdlines': cmdlines,
            'loop_rate': loop_rate, 'spawn_rate': spawn_rate, 'worker_cpu': sum(w_ru.values()),
            'machine_busy': machine, 'machine_forks': machine_forks, 'ev_t': ev_t, 'worker_comm': worker_comm,
            'versions': {'fswait': first_line([args.fswait, '--version']),
                         'inotifywait': first_line(['inotifywait', '--help']),
                         'fatrace': dpkg_version('fatrace')}}
    write_csv(args.csv, samples)
    report(info)


# Module-level so that main() can kill the workers even when run() is interrupted midway.
WORKERS = []


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '_worker':
        return worker(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--duration', type=float, default=600, help='seconds of load (default 600)')
    ap.add_argument('--rate', type=float, default=5000, help='events/s in all (default 5000)')
    ap.add_argument('--workers', type=int, default=3,
                    help='long-lived loop workers, besides the spawner (default 3)')
    ap.add_argument('--spawn-rate', type=float, default=200,
                    help='short-lived processes/s, touch and rm alternately (default 200)')
    ap.add_argument('--interval', type=float, default=60, help='seconds between samples (60)')
    ap.add_argument('--first', type=float, default=10, help='first sample at S s (10)')
    ap.add_argument('--fswait', default=os.environ.get('FSWAIT', DEFAULT_FSWAIT),
                    help=f'fswait binary (default {DEFAULT_FSWAIT})')
    ap.add_argument('--monitors', default=','.join(TOOLS),
                    help='comma-separated, from ' + ','.join(TOOLS + OPTIONAL)
                    + ' (default: all but fswait-plain)')
    ap.add_argument('--csv', default=None,
                    help='where the samples go (default ./soak-YYYYmmddTHHMMSS.csv)')
    ap.add_argument('--settle', type=float, default=2.0,
                    help='seconds between "ready" and the start of the load (2)')
    ap.add_argument('--drain-timeout', type=float, default=300,
                    help='seconds to wait for each monitor to print the end marker (300)')
    ap.add_argument('--scratch-size', default='8g', help='size of the output tmpfs (8g)')
    args = ap.parse_args()
    args.monitors = [m.strip() for m in args.monitors.split(',') if m.strip()]
    bad = [m for m in args.monitors if m not in TOOLS + OPTIONAL]
    if bad:
        ap.error(f'unknown monitor(s) {",".join(bad)}; choose from {",".join(TOOLS + OPTIONAL)}')
    if args.duration <= 0 or args.workers < 1 or args.spawn_rate < 0 or args.interval <= 0:
        ap.error('--duration, --workers and --interval must be positive')
    if args.csv is None:
        args.csv = os.path.abspath(time.strftime('soak-%Y%m%dT%H%M%S.csv', time.gmtime()))
    args.csv = os.path.abspath(args.csv)
    args.fswait = os.path.abspath(args.fswait)
    if os.geteuid() != 0:
        print('soak: must run as root (mount, fanotify filesystem marks)', file=sys.stderr)
        return 1
    fsbench_common.enter_private_mounts('SOAK_IN_NS', __file__)
    fsbench_common.trap_signals()
    fsbench_common.PDEATH = fsbench_common._make_pdeath()
    try:
        run(args)
    except KeyboardInterrupt:
        log('interrupted; cleaning up')
        return 130
    except Failed as e:
        log(f'FAILED: {e}')
        return 1
    finally:
        for p in WORKERS:
            if p.poll() is None:
                p.kill()
                p.wait()
        RES.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
