#!/usr/bin/env python3
"""Memory and CPU of `fswatch-stats -r --by path` over N distinct file names,
each created, closed and deleted (bench/gen.c churn), with and without
--max-rows. As root; re-executes itself in a private mount namespace and
mounts a fresh tmpfs per run. Prints a markdown table of medians.

Usage: bench/stats_memory.sh [--runs N] [--files N] [--max-rows N] [--binary PATH]
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.normpath(os.path.join(HERE, '..', 'build', 'tools', 'fswatch-stats'))


def log(msg):
    print(f'[stats_memory] {msg}', file=sys.stderr, flush=True)


def status_kb(pid, field):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return None


def cpu_seconds(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def one(args, gen, extra, scratch):
    work = tempfile.mkdtemp(dir=scratch)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=512m', 'none', work], check=True)
    try:
        w = os.path.join(work, 'w')
        os.mkdir(w)
        out_path, err_path = os.path.join(scratch, 'table.out'), os.path.join(scratch, 'stderr')
        with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
            proc = subprocess.Popen([args.binary, '-r', '--by', 'path'] + extra + [w],
                                    stdout=out, stderr=err)
        deadline = time.monotonic() + 30
        while b'now collecting statistics' not in open(err_path, 'rb').read():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f'fswatch-stats did not start: {open(err_path).read()}')
            time.sleep(0.01)
        t0 = time.monotonic()
        subprocess.run([gen, 'churn', w, str(args.files)], check=True, stdout=subprocess.DEVNULL)
        wall = time.monotonic() - t0
        # Let it drain the queue: CPU time stops growing.
        last = -1.0
        while True:
            time.sleep(0.5)
            now = cpu_seconds(proc.pid)
            if now == last:
                break
            last = now
        hwm = status_kb(proc.pid, 'VmHWM')
        cpu = cpu_seconds(proc.pid)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        with open(out_path, 'rb') as f:
            rows = sum(1 for _ in f) - 1
        return {'hwm_mib': hwm / 1024, 'cpu_s': cpu, 'rows': rows, 'wall': wall}
    finally:
        subprocess.run(['umount', work])
        os.rmdir(work)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--files', type=int, default=1_000_000)
    ap.add_argument('--max-rows', type=int, default=10_000)
    ap.add_argument('--binary', default=os.environ.get('FSWATCH_STATS', DEFAULT))
    args = ap.parse_args()
    if os.environ.get('STATS_MEMORY_NS') != '1':
        os.execvpe('unshare', ['unshare', '-m', '--propagation', 'private', sys.executable,
                               os.path.abspath(__file__)] + sys.argv[1:],
                   dict(os.environ, STATS_MEMORY_NS='1'))
    scratch = tempfile.mkdtemp(prefix='stats-memory.')
    subprocess.run(['mount', '-t', 'tmpfs', 'none', scratch], check=True)
    try:
        gen = os.path.join(scratch, 'gen')
        subprocess.run(['cc', '-O2', '-o', gen, os.path.join(HERE, 'gen.c')], check=True)
        modes = {'unbounded': [], f'--max-rows {args.max_rows}': ['--max-rows', str(args.max_rows)]}
        res = {m: [] for m in modes}
        for r in range(args.runs):
            for m, extra in modes.items():
                x = one(args, gen, extra, scratch)
                log(f'run {r + 1}/{args.runs} {m}: {x}')
                res[m].append(x)
    finally:
        subprocess.run(['umount', scratch])
        shutil.rmtree(scratch, ignore_errors=True)
    print(f'\n### fswatch-stats -r --by path: {args.files:,} distinct files created, closed, deleted '
          f'(tmpfs)\n\nMedians of {args.runs} run(s).\n')
    print('| metric | ' + ' | '.join(f'`{m}`' for m in modes) + ' |')
    print('|---|' + '---|' * len(modes))
    for label, key, fmt in [('peak RSS (VmHWM, MiB)', 'hwm_mib', '{:.1f}'),
                            ('CPU time, whole run (s)', 'cpu_s', '{:.2f}'),
                            ('table rows printed (incl. (other))', 'rows', '{:,.0f}'),
                            ('workload wall time (s)', 'wall', '{:.2f}')]:
        cells = [fmt.format(statistics.median(x[key] for x in res[m])) for m in modes]
        print(f'| {label} | ' + ' | '.join(cells) + ' |')
    print(f'\n- command: `fswatch-stats -r --by path [--max-rows {args.max_rows}] W`, ended with '
          'SIGINT once its CPU time stopped growing; the table goes to a file.')
    print(f'- workload: `gen churn W {args.files}` (open O_CREAT, close, unlink of W/n<i>).')


if __name__ == '__main__':
    main()
