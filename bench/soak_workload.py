"""soak workload: the processes that make the events, and the shared counters through which
they report what they did.

Each worker is a separate process (soak.py re-executes itself as `soak.py _worker ...`), so
that the monitors see real, distinct pids and commands; the counters live in an mmap'ed file
on the scratch tmpfs because the main process must read them while the workers run, without
a pipe that could stall a worker.
"""
import mmap
import os
import shutil
import struct
import sys
import time

TICK = 0.02                 # workers' batch period (s)
NAMES = 256                 # file names per worker, reused (bounded file set)
DIR_EVERY = 100             # long-lived workers: one directory step every N file cycles
SLOT = 64                   # bytes of the shared counter file per worker
# counters per worker (int64): events, close_writes, file_cycles, dir_cycles, touches, rms
N_COUNTERS = 6
# events one unit of work produces, as inotifywait reports them
EV_FILE = 7     # CREATE, OPEN, MODIFY, CLOSE_WRITE,CLOSE, MOVED_FROM, MOVED_TO, DELETE
EV_MKDIR = 1    # CREATE,ISDIR
EV_INNER = 5    # d/x: CREATE, OPEN, MODIFY, CLOSE_WRITE,CLOSE, DELETE
EV_RMDIR = 2    # DELETE_SELF (d's own watch), DELETE,ISDIR
EV_TOUCH = 4    # CREATE, OPEN, ATTRIB, CLOSE_WRITE,CLOSE
EV_RM = 1       # DELETE


class Counters:
    def __init__(self, path, slot, create=False, slots=0):
        if create:
            with open(path, 'wb') as f:
                f.write(b'\0' * SLOT * slots)
        self.f = open(path, 'r+b')
        self.mm = mmap.mmap(self.f.fileno(), 0)
        self.slot = slot

    def put(self, values):
        struct.pack_into(f'<{N_COUNTERS}q', self.mm, self.slot * SLOT, *values)

    def get(self, slot):
        return struct.unpack_from(f'<{N_COUNTERS}q', self.mm, slot * SLOT)


def worker(argv):
    kind, slot, d, rate, t0, end, cpath = argv[0], int(argv[1]), argv[2], float(argv[3]), \
        float(argv[4]), float(argv[5]), argv[6]
    cnt = Counters(cpath, slot)
    c = [0] * N_COUNTERS        # events, closes, file cycles, dir cycles, touches, rms
    data = b'x' * 100
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    touch, rm = shutil.which('touch'), shutil.which('rm')
    env = {'PATH': '/usr/bin:/bin', 'LC_ALL': 'C'}
    state = {'j': 0, 'since_dir': 0, 'dstep': 0}

    def put_file(p):
        fd = os.open(p, flags, 0o644)
        os.write(fd, data)
        os.close(fd)

    def spawn(exe, args):
        pid = os.posix_spawn(exe, args, env)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            sys.exit(f'soak worker: {" ".join(args)}: status {status}')

    def dir_step():
        # mkdir d; d/x written, closed, unlinked; rmdir d: one step every DIR_EVERY file
        # cycles (~0.5 s), so that inotifywait has long added its watch on d before x is
        # made (its known race with new directories is not what this measures).
        sub = f'{d}/d'
        step = state['dstep'] % 3
        if step == 0:
            os.mkdir(sub)
            c[0] += EV_MKDIR
        elif step == 1:
            put_file(f'{sub}/x')
            os.unlink(f'{sub}/x')
            c[0] += EV_INNER
            c[1] += 1
        else:
            os.rmdir(sub)
            c[0] += EV_RMDIR
            c[3] += 1
        state['dstep'] += 1

    def one():
        j = state['j']
        state['j'] = (j + 1) % NAMES
        if kind == 'spawn':
            p = f'{d}/t{j}'
            spawn(touch, ['touch', p])
            c[0] += EV_TOUCH
            c[1] += 1
            c[4] += 1
            spawn(rm, ['rm', p])
            c[0] += EV_RM
            c[5] += 1
            return
        if state['since_dir'] >= DIR_EVERY:
            state['since_dir'] = 0
            dir_step()
            return
        p, q = f'{d}/f{j}', f'{d}/g{j}'
        put_file(p)
        os.rename(p, q)
        os.unlink(q)
        c[0] += EV_FILE
        c[1] += 1
        c[2] += 1
        state['since_dir'] += 1

    time.sleep(max(0.0, t0 - time.monotonic()))
    while True:
        now = time.monotonic()
        if now >= end:
            break
        target = rate * (now - t0)
        while c[0] < target:
            one()
        cnt.put(c)
        time.sleep(TICK)
    if kind != 'spawn':
        while state['dstep'] % 3:       # leave no directory behind
            dir_step()
    cnt.put(c)
    return 0
