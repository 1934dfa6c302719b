"""fsbench workload (a) burst: capture of a burst of new nested directories, and who made it.

2,000 x (mkdir -p ROOT/dN/sub, 5 files of 100 bytes written and closed in it), at full
speed from one generator process whose pid, command and user are known, on the filesystem
chosen with --fs (tmpfs, a btrfs subvolume, overlayfs).  fswait runs with %p %c %u and
every line it prints is judged.  See bench/README.md, "burst.sh".
"""
import os
import re
import subprocess

import fsbench_common
from fsbench_common import (NA, Failed, Monitor, fatrace_parse, log, read_lines,
                            sentinel_name, wait_for_line, wait_quiet, write_file)
from fsbench_ctx import count_int
from fsbench_fs import DESCRIPTIONS, check_tools, make_fs, teardown

ND, NF = 2000, 5
FMT_ATTR = '%e|%w%f|%p|%c|%u'       # fswait: attribution on
FMT_PLAIN = '%e %w%f'               # inotifywait, fswait-plain
FSWAIT_T = 3                        # fswait -t: exits by itself, with its stats line
FILE_RE = re.compile(r'd\d+/sub/f\d+$')
DIR_RE = re.compile(r'd\d+(/sub)?$')
FATRACE_RE = re.compile(r'^(?P<comm>.*?)\((?P<pid>\d+)\): (?P<types>\S+)\s+(?P<path>.*)$')
STATS_LINE_RE = re.compile(r'^fswait: stats:(.*)$', re.M)


def run_gen(ctx, *args, timeout=600):
    """Run the workload generator; (elapsed seconds, its pid)."""
    argv = ctx.gen.cmd + [str(a) for a in args]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=fsbench_common.PDEATH)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Failed(f'workload generator still running after {timeout} s, killed')
    if p.returncode != 0:
        raise Failed(f'workload generator: exit {p.returncode}: '
                     f'{err.decode(errors="replace").strip()[:200]}')
    m = re.search(r'elapsed=([0-9.]+)', out.decode(errors='replace'))
    if not m:
        raise Failed(f'workload generator printed no elapsed time: {out[:200]!r}')
    return float(m.group(1)), p.pid


def fswait_stats(mon):
    """Every `fswait: stats:` counter (FSWAIT_STATS=1, printed at a normal exit)."""
    st = {}
    for m in STATS_LINE_RE.finditer(mon.stderr_text()):
        st.update({k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', m.group(1))})
    return st


def judge_line(pid, comm, user, want):
    """'right', 'unknown' (fswait's `?`, fatrace's `unknown`) or 'wrong'."""
    if comm in ('?', 'unknown') or user == '?':
        return 'unknown'
    ok = pid == str(want['pid']) and comm == want['comm'] and (user is None
                                                               or user == want['user'])
    return 'right' if ok else 'wrong'


def parse_inotify_style(lines, pre, attr, want, tok):
    """fswait / inotifywait lines -> counts.  attr: lines are FMT_ATTR, else FMT_PLAIN."""
    cre, cw, dcre = set(), set(), set()
    verdicts = {'right': 0, 'unknown': 0, 'wrong': 0}
    examples = []
    for line in lines:
        if tok in line:
            continue
        if attr:
            parts = line.split('|')
            if len(parts) != 5:
                verdicts['wrong'] += 1
                examples.append(line)
                continue
            ev, path, pid, comm, user = parts
            v = judge_line(pid, comm, user, want)
            verdicts[v] += 1
            if v != 'right' and len(examples) < 5:
                examples.append(line)
        else:
            ev, _, path = line.partition(' ')
        evs = ev.split(',')
        if not path.startswith(pre):
            continue
        rel = path[len(pre):]
        if 'CREATE' in evs:
            if 'ISDIR' in evs:
                if DIR_RE.match(rel):
                    dcre.add(rel)
            elif FILE_RE.match(rel):
                cre.add(rel)
        if 'CLOSE_WRITE' in evs and FILE_RE.match(rel):
            cw.add(rel)
    res = {'create': len(cre), 'close_write': len(cw), 'dir_create': len(dcre)}
    if attr:
        res.update(attr_right=verdicts['right'],
                   attr_total=sum(verdicts.values()),
                   attr_unknown=verdicts['unknown'], attr_wrong=verdicts['wrong'])
    else:
        na = NA('no attribution')
        res.update(attr_right=na, attr_total=na, attr_unknown=na, attr_wrong=na)
    return res, examples


def parse_fatrace(lines, root, want, tok):
    """fatrace -c lines: CLOSE_WRITE (CW) per file; pid and command of every line about
    the tree but the end marker's (fatrace 0.17 prints no user)."""
    pre = root + '/'
    cw = set()
    verdicts = {'right': 0, 'unknown': 0, 'wrong': 0}
    examples = []
    for line in lines:
        m = FATRACE_RE.match(line)
        # The end marker: its create is a line naming only the root, by this script.
        if not m or tok in line or m['pid'] == str(os.getpid()):
            continue
        path = m['path']
        if path != root and not path.startswith(pre):
            continue
        v = judge_line(m['pid'], m['comm'], None, want)
        verdicts[v] += 1
        if v != 'right' and len(examples) < 5:
            examples.append(line)
        if 'C' in m['types'] and 'W' in m['types'] and FILE_RE.match(path[len(pre):]):
            cw.add(path)
    na = NA('fatrace reports a create as the directory, without the name')
    return ({'create': na, 'close_write': len(cw), 'dir_create': na,
             'attr_right': verdicts['right'], 'attr_total': sum(verdicts.values()),
             'attr_unknown': verdicts['unknown'], 'attr_wrong': verdicts['wrong']},
            examples)


def bench_burst(ctx):
    fs_kind = getattr(ctx.args, 'fs', 'tmpfs')
    why = check_tools(fs_kind)
    if why:
        raise SystemExit(f'fsbench: {why}')
    kinds = ['fswait', 'inotifywait', 'fatrace']
    ctx.probe(kinds)
    if 'fswait-plain' in ctx.args.monitors:
        # fswait without %c %u (no process tracking): selected with --monitors only.
        kinds.insert(1, 'fswait-plain')
        path = ctx.args.fswait
        if path and os.access(path, os.X_OK):
            ctx.bins['fswait-plain'], ctx.avail['fswait-plain'] = path, None
        else:
            ctx.avail['fswait-plain'] = NA(f'no executable {path}; build it')
    cmdlines = {
        'fswait': f"FSWAIT_STATS=1 fswait -t {FSWAIT_T} -m -r -e create,close_write --format '{FMT_ATTR}' "
                  "ROOT > OUT",
        'fswait-plain': f"FSWAIT_STATS=1 fswait -t {FSWAIT_T} -m -r -e create,close_write --format "
                        f"'{FMT_PLAIN}' ROOT > OUT",
        'inotifywait': f"inotifywait -m -r -e create,close_write --format '{FMT_PLAIN}' "
                       "ROOT > OUT",
        'fatrace': 'cd MOUNT && fatrace -c > OUT',
    }
    want = {'comm': os.path.basename(ctx.gen.cmd[0])[:15], 'user': 'root'}
    fallbacks = {}      # fswait column -> its "watching ... with inotify" lines

    def one(kind, r):
        fs = make_fs(fs_kind, 'burst')
        try:
            w = fs.path
            root = os.path.join(w, 'root')
            os.mkdir(root)
            out = os.path.join(ctx.scratch, f'burst-{kind}-{r}.out')
            fmt = FMT_ATTR if kind == 'fswait' else FMT_PLAIN
            tail = ['-m', '-r', '-e', 'create,close_write', '--format', fmt, root]
            if kind.startswith('fswait'):
                # -t: a normal exit T s after the end marker, when fswait prints its
                # FSWAIT_STATS line (SIGINT ends it as the signal would: no stats).
                mon = Monitor(kind, [ctx.bins[kind], '-t', str(FSWAIT_T)] + tail, out,
                              env={'FSWAIT_STATS': '1'})
            else:
                mon = ctx.make_monitor(kind, tail, out, cwd=w)
            mon.start()
            try:
                mon.wait_ready(60)
                wall, gen_pid = run_gen(ctx, 'burst', root, ND, NF, 100)
                tok = sentinel_name()
                write_file(os.path.join(root, tok))
                if kind == 'fatrace':
                    pred = lambda l: b'CW' in l.split(b': ', 1)[-1][:4]
                else:
                    pred = lambda l: l.startswith(b'CLOSE_WRITE')
                seen = wait_for_line(out, tok.encode(), pred, 120, mon)
                if not seen:
                    log(f'  {kind}: end marker not printed; waiting for the output to settle')
                    if not wait_quiet(out, mon, 2.0, 120):
                        raise Failed(f'{kind} output did not settle within 120 s')
                if kind.startswith('fswait') and not mon.wait_exit(FSWAIT_T + 30):
                    log(f'  {kind}: did not exit {FSWAIT_T} s after its last event; stopped it')
            finally:
                mon.stop()
            nfiles = sum(len(fs_) for _, _, fs_ in os.walk(root)) - 1
            if nfiles != ND * NF:
                raise Failed(f'workload made {nfiles} files, expected {ND * NF}')
            lines = read_lines(out)
            os.unlink(out)
            me = dict(want, pid=gen_pid)
            if kind == 'fatrace':
                res, bad = parse_fatrace(lines, root, me, tok)
            else:
                res, bad = parse_inotify_style(lines, root + '/', kind == 'fswait', me, tok)
            res['lines'] = len(lines)
            res['wall'] = wall
            res['marker'] = 'seen' if seen else 'missing'
            if bad:
                log(f'  {kind}: generator pid {gen_pid} comm {want["comm"]}; '
                    f'not right, e.g.: {bad[:3]}')
            if kind.startswith('fswait'):
                fell = [l for l in mon.stderr_text().splitlines() if 'with inotify' in l]
                res['backend'] = 'inotify' if fell else 'fanotify'
                if fell:
                    fallbacks.setdefault(kind, []).append(fell[0].replace(w, 'MOUNT'))
                st = fswait_stats(mon)
                if st:
                    log(f'  {kind} stats: ' + ' '.join(f'{k}={v}' for k, v in st.items()))
                res['exit'] = mon.proc.returncode     # 2: -t expired (a normal exit)
                for k in ('read', 'unresolved', 'unknown', 'lines_lost'):
                    res[f'st_{k}'] = st.get(k, NA('not printed'))
            return res
        finally:
            teardown(fs)

    res = ctx.measure(kinds, one)
    rows = [
        (f'file CREATE captured (of {ND * NF:,})', 'create', count_int),
        (f'file CLOSE_WRITE captured (of {ND * NF:,})', 'close_write', count_int),
        (f'directory CREATE captured (of {2 * ND:,})', 'dir_create', count_int),
        ('lines with pid, command and user right', 'attr_right', count_int),
        ('lines judged (all but the end marker)', 'attr_total', count_int),
        ('  of them `?` / `unknown`', 'attr_unknown', count_int),
        ('  of them wrong', 'attr_wrong', count_int),
        ('output lines (incl. end marker)', 'lines', count_int),
        ('workload wall time (s)', 'wall', '{:.3f}'),
    ]
    notes = [
        f'Filesystem: {DESCRIPTIONS[fs_kind]}; a fresh one for every measurement, in a '
        'private mount namespace.',
        f'Attribution: every line (but the end marker) must name the generator: its pid, '
        f'command `{want["comm"]}`, user `root`. fatrace 0.17 prints no user: pid and command '
        'of its lines about the tree are judged. inotifywait prints none.',
        'fatrace: a CLOSE_WRITE is a line whose type has C and W (CW) and names the file.',
        'Captured = distinct paths seen; the watcher is started on the empty root first.',
    ]
    for kind, msgs in fallbacks.items():
        notes.append(f'{kind} fell back to inotify in {len(msgs)} of {ctx.runs} runs: '
                     f'"{msgs[0]}"')
    ctx.table(f'(a) burst: {ND:,} new dirs x (mkdir -p dN/sub + {NF} files written), {fs_kind}',
              ctx.columns(kinds), res, rows, cmdlines, notes)
