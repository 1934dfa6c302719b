"""soak report: reading the monitors' outputs after they stopped (whose event is each line,
and is its process right), the CSV of samples, and the markdown report on stdout.
"""
import json
import os
import platform
import re
import sys
import time

from soak_common import LABEL, OPTIONAL, TOOLS, log

DIR_READS = {'OPEN', 'ACCESS', 'CLOSE_NOWRITE'}
MONITOR_COMMS = {'fswait', 'inotifywait', 'fatrace'}
FATRACE_RE = re.compile(rb'^(?P<comm>.*?)\((?P<pid>\d+)\)(?: \[\d+:\d+\])?: (?P<types>\S+)\s+(?P<path>.*)$')
T_NAME = re.compile(r'^t\d+$')


def new_result():
    return {'lines': 0, 'workload': 0, 'close_write': 0, 'monitor': 0, 'marker': 0,
            'unparsed': 0, 'right': 0, 'unknown': 0, 'wrong': 0, 'touch_cw': 0,
            'overflow': 0, 'records': 0, 'wrong_examples': [], 'unknown_examples': []}


def judge(res, evs, name, pid, comm, user, token, worker_comm, raw):
    """One event line: whose is it, and (fswait) is its process right?"""
    if 'ISDIR' in evs and DIR_READS & set(evs):
        res['monitor'] += 1          # the workload never opens a directory: a monitor did
        return
    if name.startswith(token):
        res['marker'] += 1
        return
    res['workload'] += 1
    is_t = bool(T_NAME.match(name))
    if 'CLOSE_WRITE' in evs:
        res['close_write'] += 1
        if is_t and comm == 'touch':
            res['touch_cw'] += 1
    if comm is None and pid is None and user is None and raw is None:
        return                       # inotifywait: nothing to judge
    expect = ('rm' if 'DELETE' in evs else 'touch') if is_t else worker_comm
    if pid in (None, '?') or comm in (None, '?') or user in (None, '?'):
        res['unknown'] += 1
        if len(res['unknown_examples']) < 5:
            res['unknown_examples'].append(raw.decode(errors='replace').strip()[:300])
    elif comm == expect and user == 'root' and str(pid).isdigit() and int(pid) > 0:
        res['right'] += 1
    else:
        res['wrong'] += 1
        if len(res['wrong_examples']) < 5:
            res['wrong_examples'].append(raw.decode(errors='replace').strip()[:200])


def analyze(tool, path, token, worker_comm):
    res = new_result()
    with open(path, 'rb') as f:
        for raw in f:
            res['lines'] += 1
            if tool == 'fswait':
                parts = raw.rstrip(b'\n').decode('utf-8', 'surrogateescape').rsplit(' ', 4)
                if len(parts) != 5:
                    res['unparsed'] += 1
                    continue
                p, events, pid, comm, user = parts
                judge(res, events.split(','), os.path.basename(p.rstrip('/')), pid, comm, user,
                      token, worker_comm, raw)
            elif tool == 'fswait-json':
                try:
                    o = json.loads(raw)
                except ValueError:
                    res['unparsed'] += 1
                    continue
                if o.get('type') != 'event':
                    res['records'] += 1
                    if o.get('type') == 'overflow':
                        res['overflow'] += 1
                    continue
                evs = list(o.get('events') or []) + (['ISDIR'] if o.get('is_dir') else [])
                p = o.get('path') or ((o.get('watch') or '') + (o.get('name') or ''))
                judge(res, evs, os.path.basename(p.rstrip('/')), o.get('pid'), o.get('comm'),
                      o.get('user'), token, worker_comm, raw)
            elif tool in ('inotifywait', 'fswait-plain'):
                parts = raw.rstrip(b'\n').decode('utf-8', 'surrogateescape').split(' ', 2)
                if len(parts) < 2:
                    res['unparsed'] += 1
                    continue
                if 'Q_OVERFLOW' in parts[1]:
                    res['overflow'] += 1
                name = parts[2] if len(parts) > 2 and parts[2] else \
                    os.path.basename(parts[0].rstrip('/'))
                judge(res, parts[1].split(','), name, None, None, None, token, worker_comm, None)
            else:   # fatrace: "comm(pid): TYPES path", merged records, no names for dirents
                m = FATRACE_RE.match(raw.rstrip(b'\n'))
                if not m:
                    res['unparsed'] += 1
                    continue
                comm, types = m.group('comm').decode(errors='replace'), m.group('types')
                if token.encode() in m.group('path'):
                    res['marker'] += 1
                elif comm in MONITOR_COMMS:
                    res['monitor'] += 1
                else:
                    res['workload'] += 1
                    if comm == 'unknown':
                        res['unknown'] += 1
                    if b'C' in types and b'W' in types:
                        res['close_write'] += 1
                        if comm == 'touch':
                            res['touch_cw'] += 1
    return res


def write_csv(path, samples):
    with open(path, 'w') as f:
        f.write('phase,t_s,tool,pid,rss_kib,hwm_kib,threads,fds,cpu_s,lines,events_generated,'
                'close_writes_generated,loadavg1,fd_kinds\n')
        for s in samples:
            kinds = {}
            for k in s['fdmap'].values():
                kinds[k] = kinds.get(k, 0) + 1
            kinds = ';'.join(f'{k}={v}' for k, v in sorted(kinds.items())).replace(',', '_')
            f.write(f'{s["phase"]},{s["t"]:.1f},{s["tool"]},{s["pid"]},{s["rss"]},{s["hwm"]},'
                    f'{s["threads"]},{s["fds"]},{s["cpu"]:.2f},{s["lines"]},{s["ev"]},'
                    f'{s["closes"]},{s["load"]:.2f},{kinds}\n')
    log(f'samples written to {path}')


def mib(kib):
    return f'{kib / 1024:.2f}'


def fmt_t(t):
    return f'{t / 60:g} min' if t % 60 == 0 else f'{t:g} s'


def fd_changes(series):
    """What changed among the fds between the first sample of series and the others."""
    out = []
    base = series[0]
    for s in series[1:]:
        kinds = {}
        for fd in set(base['fdmap']) | set(s['fdmap']):
            a, b = base['fdmap'].get(fd), s['fdmap'].get(fd)
            if a != b:
                if a:
                    kinds[a] = kinds.get(a, 0) - 1
                if b:
                    kinds[b] = kinds.get(b, 0) + 1
        diff = ', '.join(f'{v:+d} {k}' for k, v in sorted(kinds.items()) if v)
        if diff:
            out.append(f'{fmt_t(s["t"])}: {diff}')
    return out


def report(info):
    a = info['args']
    tools, total, samples = info['tools'], info['total'], info['samples']
    cols = [t for t in TOOLS + OPTIONAL if t in a.monitors]
    load = {t: [s for s in samples if s['tool'] == t and s['phase'] == 'load'] for t in tools}
    drained = {t: [s for s in samples if s['tool'] == t and s['phase'] == 'drained'] for t in tools}
    first_t = min(a.interval, a.duration)
    base_t = min((s['t'] for s in samples if s['phase'] == 'load' and s['t'] >= first_t),
                 default=a.duration)
    rows = []                # (label, {tool: text})

    def row(label, fn):
        cells = {}
        for t in cols:
            if t in info['na']:
                cells[t] = f'n/a ({info["na"][t]})'
            elif t not in tools or not load[t]:
                cells[t] = 'n/a (not measured)'
            else:
                try:
                    cells[t] = fn(t)
                except (ZeroDivisionError, IndexError, KeyError, TypeError, ValueError) as e:
                    cells[t] = f'n/a ({type(e).__name__})'
        rows.append((label, cells))

    def base(t):
        return next(s for s in load[t] if s['t'] >= base_t)

    def after(t):
        return [s for s in load[t] if s['t'] >= base_t]

    def end(t):
        return load[t][-1]

    fd_notes = []

    def rss_verdict(t):
        b, e = base(t)['rss'], end(t)['rss']
        d = e - b
        flat = d <= 1024 or d <= 0.05 * b
        pct = 100.0 * d / b
        return f'**{"flat" if flat else "GROWS"}** ({d:+,} KiB, {pct:+.1f} %)'

    def fd_verdict(t):
        fds = [s['fds'] for s in after(t)]
        if len(set(fds)) == 1:
            return f'**flat** ({fds[0]})'
        fd_notes.append(f'{LABEL[t]} fds changed after {fmt_t(base_t)}: '
                        + '; '.join(fd_changes(after(t))))
        return f'**GROWS** ({min(fds)}–{max(fds)})' if fds[-1] > fds[0] else \
            f'**not constant** ({min(fds)}–{max(fds)})'

    ev = total['events']
    res = info['results']

    def steady(t):
        if base_t >= a.duration:
            return 'n/a (no sample before the end)'
        b = base(t)
        d = drained[t][0] if drained[t] else end(t)
        return f'{(d["cpu"] - b["cpu"]) / (ev - b["ev"]) * 1e6:.2f}'

    def seen(t, key, expect):
        if t == 'fatrace' and key == 'workload':
            return f'n/a (merged records): {res[t]["workload"]:,} lines'
        n = res[t][key]
        miss = expect - n
        return f'{n:,} / {expect:,}' + (' (all)' if miss == 0 else f' ({miss:+,} missing)'
                                          if miss > 0 else f' ({-miss:,} extra)')

    def who(t):
        r = res[t]
        if t in ('inotifywait', 'fswait-plain'):
            return 'n/a (no process in its output)'
        if t == 'fatrace':
            return f'n/a (no per-event judge); `unknown`: {r["unknown"]:,} lines'
        return f'{r["right"]:,} / {r["unknown"]:,} / {r["wrong"]:,}'

    row(f'RSS at {fmt_t(base_t)} (MiB)', lambda t: mib(base(t)['rss']))
    row(f'RSS at the end, {fmt_t(a.duration)} (MiB)', lambda t: mib(end(t)['rss']))
    row('RSS max of the samples (MiB)', lambda t: mib(max(s['rss'] for s in load[t])))
    row('peak RSS of its whole life, VmHWM at the end (MiB)', lambda t: mib(end(t)['hwm']))
    row(f'RSS end − {fmt_t(base_t)}: verdict', rss_verdict)
    row(f'open fds {fmt_t(base_t)} → end (min–max)',
        lambda t: f'{min(s["fds"] for s in after(t))}–{max(s["fds"] for s in after(t))}')
    row('fds: verdict', fd_verdict)
    row('threads (min–max)',
        lambda t: f'{min(s["threads"] for s in load[t])}–{max(s["threads"] for s in load[t])}')
    row('CPU time, whole life (s)', lambda t: f'{info["cpu_total"][t]:.2f}')
    row('CPU µs per generated event (whole life)',
        lambda t: f'{info["cpu_total"][t] / ev * 1e6:.2f}')
    row(f'CPU µs per generated event, steady ({fmt_t(base_t)} → drained)', steady)
    row('CPU µs per output line', lambda t: f'{info["cpu_total"][t] / res[t]["lines"] * 1e6:.2f}')
    row('output lines, all', lambda t: f'{res[t]["lines"]:,}')
    row('workload events printed / generated', lambda t: seen(t, 'workload', ev))
    row('CLOSE_WRITE printed / generated', lambda t: seen(t, 'close_write', total['closes']))
    row("lines from the other monitors' directory reads", lambda t: f'{res[t]["monitor"]:,}')
    row('process right / unknown / wrong (pid, command, user)', who)
    row("touch's CLOSE_WRITE naming `touch` / touches run",
        lambda t: 'n/a' if t in ('inotifywait', 'fswait-plain') else f'{res[t]["touch_cw"]:,} / {total["touches"]:,}')
    row('end marker read (all events drained)', lambda t: 'yes' if info['drained'][t] else '**no**')
    row('overflow reported; other stderr lines',
        lambda t: f'{res[t]["overflow"]}; {len(info["stderr"][t])}')

    now = time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())
    with open('/proc/meminfo') as f:
        mem = int(f.readline().split()[1]) / 1048576
    rates = []
    ts = sorted(info['ev_t'])
    prev_t, prev_e = 0.0, 0
    for t in ts:
        rates.append((info['ev_t'][t] - prev_e) / (t - prev_t))
        prev_t, prev_e = t, info['ev_t'][t]
    print(f'\n### soak: {a.duration:g} s at {a.rate:,.0f} events/s from {a.workers + 1} '
          'processes (and their children), tmpfs\n')
    print(f'- date: {now}; kernel {platform.release()}; {os.cpu_count()} CPUs; {mem:.1f} GiB RAM')
    print(f'- fswait: {info["versions"]["fswait"]} ({a.fswait}); '
          f'inotifywait: {info["versions"]["inotifywait"]}; fatrace: {info["versions"]["fatrace"]}')
    print(f'- workload: {ev:,} events in {a.duration:g} s = **{ev / a.duration:,.0f} '
          f'events/s** (target {a.rate:,.0f}; per sampling interval {min(rates):,.0f}–'
          f'{max(rates):,.0f}/s): {a.workers} loop workers (`{info["worker_comm"]}`, '
          f'{info["loop_rate"]:,.0f} events/s each): {total["file_cycles"]:,} × (create, write '
          f'100 B, close, rename, unlink) + {total["dir_cycles"]:,} × (mkdir, file in it, rmdir); '
          f'1 spawner: {total["touches"]:,} `touch` + {total["rms"]:,} `rm` processes '
          f'({(total["touches"] + total["rms"]) / a.duration:.0f}/s); '
          f'{total["closes"]:,} CLOSE_WRITE.')
    print(f'- whole machine CPU busy during the load: {100 * info["machine_busy"]:.0f} % of '
          f'{os.cpu_count()} CPUs (load average at the samples '
          f'{min(s["load"] for s in samples):.1f}–{max(s["load"] for s in samples):.1f}); '
          f'the workload itself (workers, touch, rm): {info["worker_cpu"]:.1f} s CPU; '
          f'{info["machine_forks"]:,} processes forked on the whole machine, '
          f'{total["touches"] + total["rms"]:,} of them by the workload (fswait follows every '
          'process on the machine for %c/%u).')
    print()
    print('| metric | ' + ' | '.join(LABEL[t] for t in cols) + ' |')
    print('|---|' + '---|' * len(cols))
    for label, cells in rows:
        print(f'| {label} | ' + ' | '.join(cells[t] for t in cols) + ' |')
    print()
    for t in tools:
        print(f'- {LABEL[t]}: `{info["cmdlines"][t]}`')
    print(f'- Samples at {a.first:g} s and every {a.interval:g} s (CSV: `{a.csv}`). RSS = VmRSS, '
          f'fds = entries of /proc/PID/fd, CPU = utime+stime of all threads (/proc/PID/stat; '
          'whole life: wait4 rusage). Verdicts from the samples at '
          f'{fmt_t(base_t)} to the end: RSS flat if it grew ≤ 1 MiB or ≤ 5 %; fds flat if the '
          'count never changed.')
    print('- Events are counted as inotifywait reports them (7 per file cycle, 8 per directory '
          'cycle, 4 per `touch`, 1 per `rm`); "workload events printed" leaves out the end '
          'marker and the OPEN/ACCESS/CLOSE_NOWRITE of directories, which only the monitors '
          '(walks of new directories) cause. fatrace merges events of one process on one object '
          'and names no directory entry, so only its CLOSE_WRITE (`CW` lines) can be compared.')
    print('- Outputs go to files on a separate tmpfs (not watched), read and counted after the '
          'monitors stopped.')
    for n in fd_notes:
        print(f'- {n}')
    for t in tools:
        if res[t]['wrong_examples']:
            print(f'- {LABEL[t]} wrong process, e.g.: ' + '; '.join(
                f'`{x}`' for x in res[t]['wrong_examples'][:3]))
        if res[t]['unknown_examples'] and t != 'fatrace':
            print(f'- {LABEL[t]} process not known, e.g.: ' + '; '.join(
                f'`{x}`' for x in res[t]['unknown_examples'][:3]))
        if res[t]['unparsed']:
            print(f'- {LABEL[t]}: {res[t]["unparsed"]:,} lines not understood')
        if info['stderr'][t]:
            print(f'- {LABEL[t]} stderr: ' + '; '.join(f'`{x[:150]}`' for x in info['stderr'][t][:3]))
    print('\nSamples (RSS MiB / fds / CPU s):\n')
    print('| t | ' + ' | '.join(LABEL[t] for t in tools) + ' | events | load |')
    print('|---|' + '---|' * len(tools) + '---|---|')
    by_t = {}
    for s in samples:
        by_t.setdefault((s['phase'], s['t']), {})[s['tool']] = s
    for (phase, t), d in by_t.items():
        one = next(iter(d.values()))
        label = {'load': fmt_t(t), 'start': 'start of the load'}.get(
            phase, f'drained ({t:.0f} s)')
        cells = [f'{mib(d[x]["rss"])} / {d[x]["fds"]} / {d[x]["cpu"]:.1f}' if x in d else '—'
                 for x in tools]
        print(f'| {label} | ' + ' | '.join(cells) + f' | {one["ev"]:,} | {one["load"]:.1f} |')
    sys.stdout.flush()
