"""soak helpers shared by the run and the report: the monitor names, the progress log, and
the readings of /proc and of the output files taken while the monitors run.
"""
import os
import re
import sys
import time

TOOLS = ('fswait', 'fswait-json', 'inotifywait', 'fatrace')
OPTIONAL = ('fswait-plain',)    # fswait without %p %c %u: no process tracking (on request)
LABEL = {'fswait': 'fswait', 'fswait-json': 'fswait --json', 'inotifywait': 'inotifywait',
         'fatrace': 'fatrace', 'fswait-plain': 'fswait (no %p %c %u)'}


def log(msg):
    print(f'[soak] {msg}', file=sys.stderr, flush=True)


def fd_kind(target):
    """'anon_inode:[pidfd]' -> 'pidfd', 'socket:[1]' -> 'socket', a path -> the path."""
    m = re.match(r'^anon_inode:\[?([^\]]+)\]?$', target)
    if m:
        return m.group(1)
    m = re.match(r'^(socket|pipe):', target)
    if m:
        return m.group(1)
    return target


def sample_proc(pid):
    """RSS, peak RSS, threads (status), fds (fd/), CPU (stat: all threads), or None."""
    try:
        s = {}
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                k, _, v = line.partition(':')
                if k in ('VmRSS', 'VmHWM', 'Threads'):
                    s[k] = int(v.split()[0])
        fds = {}
        for fd in os.listdir(f'/proc/{pid}/fd'):
            try:
                fds[int(fd)] = fd_kind(os.readlink(f'/proc/{pid}/fd/{fd}'))
            except OSError:
                fds[int(fd)] = '?'
        with open(f'/proc/{pid}/stat') as f:
            rest = f.read().rsplit(')', 1)[1].split()
        cpu = (int(rest[11]) + int(rest[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, IndexError, ValueError):
        return None
    return {'rss': s.get('VmRSS'), 'hwm': s.get('VmHWM'), 'threads': s.get('Threads'),
            'fds': len(fds), 'fdmap': fds, 'cpu': cpu}


def cpu_busy():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open('/proc/stat') as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    total = sum(v[:8])
    return total - idle, total


def forks():
    """Processes forked on the whole machine since boot (/proc/stat 'processes')."""
    with open('/proc/stat') as f:
        for line in f:
            if line.startswith('processes '):
                return int(line.split()[1])
    return 0


def loadavg():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


class OutCount:
    """Counts the lines of a growing output file without reading it twice."""
    def __init__(self, path):
        self.path, self.offset, self.lines = path, 0, 0

    def update(self):
        with open(self.path, 'rb') as f:
            f.seek(self.offset)
            while True:
                chunk = f.read(1 << 22)
                if not chunk:
                    break
                self.offset += len(chunk)
                self.lines += chunk.count(b'\n')
        return self.lines

    def wait_for(self, token, mon, timeout):
        """Wait until token appears in the output after what was already counted."""
        deadline = time.monotonic() + timeout
        start, tail = self.offset, b''
        with open(self.path, 'rb') as f:
            f.seek(start)
            while time.monotonic() < deadline:
                chunk = f.read(1 << 22)
                if chunk:
                    if token in tail + chunk:
                        return True
                    tail = chunk[-len(token):]
                    continue
                if not mon.alive():
                    return False
                time.sleep(0.05)
        return False
