#!/usr/bin/env python3
"""End-to-end CLI tests for fswait (python3 standard library only).

  run.py --list [--tool T] [--variant V]
                                     every case name of tool T (wait: fswait, the
                                     default; stats: fswatch-stats) that runs in
                                     variant V (default: all), one per line
  run.py --list-oracle [--tool T]    cases that must also hold for inotifywait
                                     (inotifywatch with --tool stats) 3.22.6
  run.py --binary PATH [--variant V] CASE
                                     run one case: exit 0 pass, 1 fail, 77 skip
  run.py --binary PATH --all [--tool T] [--variant V] [--oracle-only] [-v]
                                     run all (or the oracle) cases, one line each,
                                     then `N passed, N failed`; -v prints the diffs

Variants (casedef.VARIANTS): default; nobody (the watcher runs as nobody, so
fswait falls back to inotify and says so once); inotify (-I first). The last
two run the cases whose expectations hold for the inotify backend: every
oracle case, and the others marked backends=BOTH.

Cases live in cases_*.py (one module per theme, each exporting CASES).
A case needing root exits 77 when not root, unless CI=true (then it fails).
"""
import argparse
import glob
import importlib
import os
import signal
import sys

sys.dont_write_bytecode = True      # keep the source tree free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from casedef import VARIANTS  # noqa: E402

EXIT_SKIP = 77


def load_cases():
    cases, seen = [], set()
    for path in sorted(glob.glob(os.path.join(HERE, 'cases_*.py'))):
        module = importlib.import_module(os.path.basename(path)[:-3])
        for case in module.CASES:
            if case.name in seen:
                raise SystemExit(f'duplicate case name {case.name}')
            seen.add(case.name)
            cases.append(case)
    return cases


def _exit_on_signal(signum, _frame):
    # Raise instead of dying, so that a case being torn down (meson timeout,
    # ^C) still kills its watcher and unmounts its tmpfs.
    raise SystemExit(128 + signum)


def main():
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--list-oracle', action='store_true')
    ap.add_argument('--tool', choices=('wait', 'stats'), default='wait')
    ap.add_argument('--variant', choices=VARIANTS, default='default')
    ap.add_argument('--binary')
    ap.add_argument('--all', action='store_true')
    ap.add_argument('--oracle-only', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('case', nargs='?')
    opts = ap.parse_args()
    cases = load_cases()

    if opts.list or opts.list_oracle:
        for case in cases:
            if case.tool == opts.tool and (case.oracle if opts.list_oracle
                                           else opts.variant in case.variants()):
                print(case.name)
        return 0
    if not opts.binary or bool(opts.all) == bool(opts.case):
        ap.error('give --binary PATH and either one CASE or --all')
    if not os.access(opts.binary, os.X_OK):
        ap.error(f'{opts.binary} is not an executable')

    if opts.case:
        by_name = {c.name: c for c in cases}
        if opts.case not in by_name:
            ap.error(f'no such case: {opts.case}')
        if opts.variant not in by_name[opts.case].variants():
            ap.error(f'{opts.case} does not run in variant {opts.variant}')
        result, details = harness.run_case(by_name[opts.case], opts.binary, opts.variant)
        print(f'{result} {opts.case}' + (f' ({opts.variant})' if opts.variant != 'default' else ''))
        for line in details:
            print(line)
        return {harness.PASS: 0, harness.FAIL: 1, harness.SKIP: EXIT_SKIP}[result]

    counts = {harness.PASS: 0, harness.FAIL: 0, harness.SKIP: 0}
    for case in cases:
        if (case.tool != opts.tool or (opts.oracle_only and not case.oracle)
                or opts.variant not in case.variants()):
            continue
        result, details = harness.run_case(case, opts.binary, opts.variant)
        counts[result] += 1
        reason = details[0].strip() if details else ''
        print(f'{result} {case.name}' + (f'  -- {reason}' if result != harness.PASS else ''),
              flush=True)
        if opts.verbose and result == harness.FAIL:
            for line in details:
                print(line)
    summary = f'{counts[harness.PASS]} passed, {counts[harness.FAIL]} failed'
    if counts[harness.SKIP]:
        summary += f', {counts[harness.SKIP]} skipped'
    print(summary)
    return 1 if counts[harness.FAIL] else 0


if __name__ == '__main__':
    sys.exit(main())
