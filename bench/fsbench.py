#!/usr/bin/env python3
"""fswait benchmarks against inotifywait (and fatrace where it makes sense).

Usage: fsbench.py WORKLOAD [--runs N] [options]
       WORKLOAD: burst setup rmrf noise throughput attribution

Every workload runs on a private tmpfs mounted here (setup: an ext4 loop image), each
measurement N times, with every monitor in the same run, and prints a markdown table of
medians.  A value that cannot be measured is printed as `n/a (reason)`, never guessed.
See bench/README.md for what each workload measures.  Needs root (mount, drop_caches,
fanotify filesystem marks).

The script re-executes itself in a private mount namespace (unshare -m), so no mount can
outlive it even if it is killed; monitors are started with a parent-death signal and in
their own process group, and are stopped (SIGINT, then SIGTERM, then SIGKILL) before every
mount is undone.  Python 3 standard library only; a C compiler is used for the workload
generator (gen.c) when present, else an equivalent Python generator is used and said so.
"""
import argparse
import os
import sys

import fsbench_common
from fsbench_attr import bench_attribution
from fsbench_burst import bench_burst
from fsbench_capture import bench_rmrf
from fsbench_common import DEFAULT_FSWAIT, IMAGE_DIR, MONITORS, RES, log
from fsbench_cost import bench_noise, bench_setup, bench_throughput
from fsbench_fs import FS_KINDS
from fsbench_ctx import Ctx, gen_python


WORKLOADS = {'burst': bench_burst, 'setup': bench_setup, 'rmrf': bench_rmrf,
             'noise': bench_noise, 'throughput': bench_throughput,
             'attribution': bench_attribution}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '_gen':
        gen_python(sys.argv[2:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('workload', choices=sorted(WORKLOADS))
    ap.add_argument('--runs', type=int, default=5, help='measurements per monitor (default 5)')
    ap.add_argument('--fswait', default=os.environ.get('FSWAIT', DEFAULT_FSWAIT),
                    help=f'fswait binary (default {DEFAULT_FSWAIT})')
    ap.add_argument('--monitors', default=','.join(MONITORS),
                    help='comma-separated subset of fswait,inotifywait,fatrace')
    ap.add_argument('--quiet', type=float, default=1.0,
                    help='rmrf, attribution (stopped): seconds without output/CPU that end '
                         'a capture (default 1.0)')
    ap.add_argument('--image-dir', default='/var/tmp',
                    help='setup: directory for the ext4 image (default /var/tmp, on disk)')
    ap.add_argument('--gen', choices=('c', 'python'), default='c',
                    help='workload generator: c (gen.c, compiled with cc; python3 if no cc) '
                         'or python')
    ap.add_argument('--fs', choices=FS_KINDS, default='tmpfs',
                    help='burst: filesystem of the watched tree (default tmpfs; btrfs-subvol: '
                         'a subvolume of a loop-mounted btrfs image; overlay: an overlayfs)')
    ap.add_argument('--raw', action='store_true', help='also print every run\'s values')
    ap.add_argument('--no-unshare', action='store_true',
                    help='do not re-execute in a private mount namespace')
    args = ap.parse_args()
    if args.runs < 1:
        ap.error('--runs must be at least 1')
    if args.fs != 'tmpfs' and args.workload != 'burst':
        ap.error('--fs is for the burst workload only')
    args.monitors = [m.strip() for m in args.monitors.split(',') if m.strip()]
    if os.geteuid() != 0:
        print('fsbench: must run as root (mount, drop_caches, fanotify filesystem marks)',
              file=sys.stderr)
        return 1
    if not args.no_unshare:
        fsbench_common.enter_private_mounts('FSBENCH_IN_NS', __file__)
    fsbench_common.trap_signals()
    fsbench_common.PDEATH = fsbench_common._make_pdeath()
    IMAGE_DIR[0] = args.image_dir
    RES.start()
    try:
        ctx = Ctx(args)
        WORKLOADS[args.workload](ctx)
    except KeyboardInterrupt:
        log('interrupted; cleaning up')
        return 130
    finally:
        RES.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
