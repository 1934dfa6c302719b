#!/usr/bin/env python3
"""Workload tools for the reliability cases (cases_reliability.py).

  load.py create DIR N [--rate R]    create DIR/f000000 .. f(N-1), R per second (default: at once)
  load.py wait-written PID BYTES     wait (20 s at most) until PID has written BYTES in all
  load.py storm PID SECONDS RATE     send SIGHUP and SIGUSR1 in turn, RATE a second
  load.py fds PID                    how many fds PID has open
  load.py check-lines FILE N [--json]
                                     wait (10 s at most) for N event lines in FILE, then say
                                     whether they are f000000 .. f(N-1), each once, in order
  load.py summary [--json]           read lines on stdin; print runs of event lines as
                                     "N events" and any other record as "TYPE MESSAGE"
"""
import json
import os
import signal
import sys
import time


def create(directory, n, rate=None):
    start = time.monotonic()
    for i in range(n):
        os.close(os.open(f'{directory}/f{i:06d}', os.O_CREAT | os.O_WRONLY, 0o644))
        if rate and i % 10 == 9:
            ahead = start + (i + 1) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)


def written(pid):
    with open(f'/proc/{pid}/io') as f:
        for line in f:
            if line.startswith('wchar:'):
                return int(line.split()[1])
    return 0


def wait_written(pid, size):
    end = time.monotonic() + 20
    while written(pid) < size:
        if time.monotonic() > end:
            sys.exit(f'pid {pid} wrote {written(pid)} bytes, not {size}')
        time.sleep(0.01)


def storm(pid, seconds, rate):
    start = time.monotonic()
    sent = 0
    while time.monotonic() - start < seconds:
        os.kill(pid, signal.SIGHUP if sent % 2 == 0 else signal.SIGUSR1)
        sent += 1
        ahead = start + sent / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)


def event_names(path, as_json):
    names = []
    with open(path, 'rb') as f:
        for line in f.read().split(b'\n')[:-1]:
            if as_json:
                record = json.loads(line)
                if record['type'] == 'event':
                    names.append(record['name'])
            else:
                names.append(line.decode())
    return names


def check_lines(path, n, as_json):
    end = time.monotonic() + 10
    while len(event_names(path, as_json)) < n and time.monotonic() < end:
        time.sleep(0.05)
    names = event_names(path, as_json)
    wanted = [f'f{i:06d}' for i in range(n)]
    if names == wanted:
        print(f'{n} lines, each once, in order')
    else:
        print(f'{len(names)} lines, {len(set(names))} distinct, in order: {names == sorted(names)}')


def summary(as_json):
    run = 0
    for line in sys.stdin.buffer:
        record = json.loads(line) if as_json else None
        if record is None or record['type'] == 'event':
            run += 1
            continue
        if run:
            print(f'{run} events')
            run = 0
        print(record['type'], record['message'])
    if run:
        print(f'{run} events')


def main(argv):
    cmd, args = argv[1], argv[2:]
    as_json = '--json' in args
    args = [a for a in args if a != '--json']
    if cmd == 'create':
        rate = float(args[args.index('--rate') + 1]) if '--rate' in args else None
        create(args[0], int(args[1]), rate)
    elif cmd == 'wait-written':
        wait_written(int(args[0]), int(args[1]))
    elif cmd == 'storm':
        storm(int(args[0]), float(args[1]), float(args[2]))
    elif cmd == 'fds':
        print(len(os.listdir(f'/proc/{args[0]}/fd')))
    elif cmd == 'check-lines':
        check_lines(args[0], int(args[1]), as_json)
    elif cmd == 'summary':
        summary(as_json)
    else:
        sys.exit(f'unknown command {cmd}')


if __name__ == '__main__':
    main(sys.argv)
