"""Hostile names and processes (issue 7): control bytes, quotes, commas,
backslashes, leading - and @, invalid UTF-8, 255-byte components, paths deeper
than PATH_MAX, names ending in " (deleted)", and command names (comm) holding
newlines, escape sequences or JSON.

The contract, per output:
  * default line, --format, --csv: the raw bytes, exactly as inotifywait 3.22.6
    prints them (oracle cases, plain and -r, where %w holds the hostile names);
  * --json: lossless. Valid UTF-8 is a JSON string with control characters
    escaped; anything else is null plus KEY_base64 (compat/json_line.hpp). The
    JSON text of each name is written out by hand below (the base64 of the
    others comes from Python's base64), and `jq -c .` must accept every line
    (a rejection adds a line to stdout);
  * %c is printed raw like a path; --json escapes it like a path.

Paths deeper than PATH_MAX: inotifywait -r gives up at start-up
("Couldn't watch w: File name too long", status 1: it builds every path as a
string). fswait watches by handle and prints the real path in full, longer
than PATH_MAX as it is; --json "path" is that absolute path (deep_path_*).
"""
import base64
import os
import re

from casedef import Case, Match, lines
from cases_filesystems import OVERLAY

# (raw name, its JSON string body as fswait must write it; None: not UTF-8)
NAMES = [
    (b'new\nline', r'new\nline'),
    (b'cr\rhere', r'cr\rhere'),
    (b'tab\there', r'tab\there'),
    (b'esc\x1b[31mred', r'esc\u001b[31mred'),
    (b'q"uote', r'q\"uote'),
    (b'a,b', 'a,b'),
    (b'back\\slash', r'back\\slash'),
    (b'-dash', '-dash'),
    (b'@at', '@at'),
    (b'del\x7f', r'del\u007f'),
    (b'csi\xc2\x9b2J', r'csi\u009b2J'),          # U+009B, a C1 control
    (b'ls\xe2\x80\xa8x', r'ls\u2028x'),           # U+2028 LINE SEPARATOR
    (b'caf\xc3\xa9', 'caf\u00e9'),                # plain UTF-8 stays as it is
    (b'bad\xff', None),
    (b'over\xc0\xaf', None),                      # overlong '/'
    (b'sur\xed\xa0\x80', None),                   # encoded surrogate U+D800
    (b'trunc\xe6\x97', None),                     # 3-byte sequence cut short
]
RAW = [n for n, _ in NAMES]


def sh(raw):
    """RAW as one bash word ($'...' quoting: any byte but NUL)."""
    body = ''.join(chr(b) if 0x20 <= b < 0x7f and b not in b"'\\" else f'\\x{b:02x}' for b in raw)
    return f"$'{body}'"


N_ARRAY = 'N=(' + ' '.join(sh(n) for n in RAW) + ')\n'
MKDIRS = N_ARRAY + 'mkdir w\nfor n in "${N[@]}"; do mkdir "w/$n"; done'
QUIET = ['-m', '-t', '1', '-q', '-e', 'create']


# ---- text outputs: the bytes inotifywait prints ---------------------------------
def csv_field(raw):
    """inotifywait's CSV quoting (the oracle checks this helper, too)."""
    if raw and (any(c in raw for c in b'",\n') or raw[:1] == b' ' or raw[-1:] == b' '):
        return b'"' + raw.replace(b'"', b'""') + b'"'
    return raw


def text(style, watch, name, events=b'CREATE'):
    if style == 'default':
        return watch + b' ' + events + b' ' + name + b'\n'
    if style == 'format':
        return watch + name + b' ' + events + b'\n'
    return csv_field(watch) + b',' + csv_field(events) + b',' + csv_field(name) + b'\n'


STYLE_ARGS = {'default': [], 'format': ['--format', '%w%f %e'], 'csv': ['--csv']}

CASES = []
for style, extra in STYLE_ARGS.items():
    CASES += [
        Case(f'hostile_names_{style}_raw_like_inotifywait', QUIET + extra + ['w'], setup='mkdir w',
             workload=N_ARRAY + 'for n in "${N[@]}"; do touch "w/$n"; done',
             stdout=b''.join(text(style, b'w/', n) for n in RAW), status=2),
        # The hostile names are directories too: %w holds them.
        Case(f'hostile_dirs_r_{style}_raw_like_inotifywait', QUIET + ['-r'] + extra + ['w'], setup=MKDIRS,
             workload=N_ARRAY + 'for n in "${N[@]}"; do touch "w/$n/$n"; done',
             stdout=b''.join(text(style, b'w/' + n + b'/', n) for n in RAW), status=2),
    ]

CASES += [
    # Directories made while watching: fswait learns their names from the
    # events (inotifywait from its scan; one settle for all of them).
    Case('hostile_dirs_r_made_while_watching', QUIET + ['-r', 'w'], setup='mkdir w',
         workload=N_ARRAY + 'for n in "${N[@]}"; do mkdir "w/$n"; done\nsleep 0.3\n'
                            'for n in "${N[@]}"; do touch "w/$n/f"; done',
         stdout=b''.join(b'w/ CREATE,ISDIR ' + n + b'\n' for n in RAW) +
                b''.join(b'w/' + n + b'/ CREATE f\n' for n in RAW), status=2),
    # A rename to another hostile name re-parents everything below it.
    Case('hostile_dirs_r_renamed', ['-m', '-t', '1', '-q', '-r', '-e', 'create,moved_from,moved_to',
                                    '--format', '%w%f %e', 'w'], setup=MKDIRS,
         workload=N_ARRAY + 'for n in "${N[@]}"; do mv "w/$n" "w/$n$n"; touch "w/$n$n/$n"; done',
         stdout=b''.join(b'w/' + n + b' MOVED_FROM,ISDIR\nw/' + n + n + b' MOVED_TO,ISDIR\n' +
                         b'w/' + n + n + b'/' + n + b' CREATE\n' for n in RAW), status=2),
    # Watch roots that look like options or exclusions, spelled so that they
    # are neither (inotifywait's own way: `--`, `./@`).
    Case('hostile_root_leading_dash_after_double_dash', ['-q', '-e', 'create', '--', '-d'],
         setup='mkdir -- -d', workload='touch -- -d/f', stdout=lines('-d/ CREATE f')),
    Case('hostile_root_at_sign_as_dot_slash', ['-q', '-e', 'create', './@a'],
         setup='mkdir @a', workload='touch @a/f', stdout=lines('./@a/ CREATE f')),
]


# ---- --json: lossless, exact --------------------------------------------------
TIME = rb'"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"'
NOT_EVENT = (b',"events":[],"is_dir":false,"watch":null,"name":null,"path":null,"pid":null,'
             b'"comm":null,"exe":null,"uid":null,"user":null,"cookie":null,')


def record(kind, message):
    return (re.escape(b'{"v":1,"type":"' + kind + b'",') + TIME + re.escape(NOT_EVENT) +
            re.escape(b'"message":"' + message + b'"}\n'))


def field(key, parts):
    """`"key":...` for the bytes PARTS join to: parts are (raw, JSON body)."""
    raw = b''.join(r for r, _ in parts)
    if any(j is None for _, j in parts):
        return b'"%s":null,"%s_base64":"%s"' % (key, key, base64.b64encode(raw))
    return b'"%s":"%s"' % (key, ''.join(j for _, j in parts).encode())


def plain(s):
    """An ASCII piece, the same raw and in JSON (a tmpfs path, '/', 'w')."""
    b = s.encode() if isinstance(s, str) else s
    assert re.fullmatch(rb'[A-Za-z0-9_./-]*', b), b
    return b, b.decode()


def event(ctx, events, watch, name, pid, comm=None, exe='/usr/bin/touch'):
    """One exact event line: WATCH, NAME and COMM are (raw, JSON body) pieces."""
    path = [plain(os.path.realpath(ctx.dir) + '/')] + watch + name
    head = b',"events":[%s],"is_dir":false,' % b','.join(b'"%s"' % e for e in events.split(b','))
    body = b','.join([field(b'watch', watch), field(b'name', name), field(b'path', path),
                      b'"pid":%s' % pid.encode(), field(b'comm', [comm or plain('touch')]),
                      b'"exe":"%s","uid":0,"user":"root","cookie":null,"message":null}\n' % exe.encode()])
    return re.escape(b'{"v":1,"type":"event",') + TIME + re.escape(head + body)


def event_without_path(ctx, events, watch, name, pid, **kw):
    """As event(), with "path":null (no absolute path is known)."""
    line = event(ctx, events, watch, name, pid, **kw)
    path = field(b'path', [plain(os.path.realpath(ctx.dir) + '/')] + watch + name)
    return line.replace(re.escape(path), re.escape(b'"path":null'))


def json_shell(args):
    """fswait --json ARGS, its lines, then one more line if jq rejects one."""
    return ('"$FSWAIT" ' + ' '.join(args) + ' > out; s=$?\ncat out\n'
            'jq -c . out > /dev/null 2> jq.err || { echo "jq rejects a line:"; cat jq.err; }\nexit $s\n')


def json_case(name, args, *, setup, workload, events, ending=b'timeout', status=2, **kw):
    """EVENTS(ctx) gives the event line patterns."""
    def expect(ctx):
        return Match(record(b'start', b'watches established') + b''.join(events(ctx)) +
                     record(b'stop', ending))
    return Case(name, shell=json_shell(args), setup=setup, workload=workload, stdout=expect,
                status=status, oracle=False, root=True, ready='marks', needs='command -v jq',
                **kw)


# One touch process for every file, in the order of N; its pid goes to `pids`.
TOUCH_ALL = 'F=()\nfor n in "${N[@]}"; do F+=("%s"); done\ntouch "${F[@]}" & echo $! > pids; wait\n'
W = plain('w/')
SLASH = plain('/')

CASES += [
    json_case('hostile_names_json_lossless', ['-m', '-t', '1', '-q', '-e', 'create', '--json', 'w'],
              setup='mkdir w', workload=N_ARRAY + TOUCH_ALL % 'w/$n',
              events=lambda ctx: [event(ctx, b'CREATE', [W], [n], ctx.text('pids')) for n in NAMES]),
    json_case('hostile_dirs_r_json_lossless', ['-m', '-t', '1', '-q', '-r', '-e', 'create', '--json', 'w'],
              setup=MKDIRS, workload=N_ARRAY + TOUCH_ALL % 'w/$n/$n',
              events=lambda ctx: [event(ctx, b'CREATE', [W, n, SLASH], [n], ctx.text('pids')) for n in NAMES]),
]


# ---- 255-byte components ----------------------------------------------------------
F255, D255 = b'f' * 255, b'd' * 254 + b'\n'   # a newline in the last byte, for good measure
CASES += [
    Case('long_name_255_bytes_file', ['-q', '-e', 'create', 'w'], setup='mkdir w',
         workload='touch w/' + 'f' * 255, stdout=b'w/ CREATE ' + F255 + b'\n'),
    Case('long_name_255_bytes_dir_r', QUIET + ['-r', 'w'], setup=f'mkdir w w/{sh(D255)}',
         workload=f'touch w/{sh(D255)}/{"f" * 255}', stdout=b'w/' + D255 + b'/ CREATE ' + F255 + b'\n',
         status=2),
    Case('long_name_255_bytes_dir_r_csv', QUIET + ['-r', '--csv', 'w'], setup=f'mkdir w w/{sh(D255)}',
         workload=f'touch w/{sh(D255)}/{"f" * 255}', stdout=b'"w/' + D255 + b'/",CREATE,' + F255 + b'\n',
         status=2),
    json_case('long_name_255_bytes_dir_r_json', ['-m', '-t', '1', '-q', '-r', '-e', 'create', '--json', 'w'],
              setup=f'mkdir w w/{sh(D255)}', workload=f'touch w/{sh(D255)}/{"f" * 255} & echo $! > pids; wait',
              events=lambda ctx: [event(ctx, b'CREATE', [W, (D255, 'd' * 254 + r'\n'), SLASH],
                                        [plain(F255)], ctx.text('pids'))]),
]


# ---- paths deeper than PATH_MAX (4096) -----------------------------------------------
# 20 components of 250 bytes: about 5 KB below the root. Built and used with
# openat(2) one component at a time: no path string that long is ever handed
# to the kernel (it would say ENAMETOOLONG).
DEPTH, WIDTH = 20, 250
COMPONENTS = [b'%02d' % i + b'd' * (WIDTH - 2) for i in range(DEPTH)]
DEEP = b'/'.join(COMPONENTS)
DEEP_PY = r'''cat > deep.py <<'EOF'
import os, sys
# deep.py make|touch TOP: the 20 levels below TOP (make), or a file f at the bottom (touch)
mode, top = sys.argv[1], sys.argv[2]
fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
for i in range(20):
    name = b'%02d' % i + b'd' * 248
    if mode == 'make':
        os.mkdir(name, dir_fd=fd)
    sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    os.close(fd)
    fd = sub
if mode == 'touch':
    os.close(os.open('f', os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
EOF
'''
STOPPED = 'kill -STOP $WATCHER_PID\n{}\nsleep 0.2\nkill -CONT $WATCHER_PID'


def all_lines(*expected):
    """Each line once, or twice: with a mark per directory, an entry made
    just after a new directory's mark is seen by the kernel and by the scan
    (as in cases_filesystems)."""
    return Match(b''.join(b'(?:' + re.escape(line) + b'\n){1,2}' for line in expected))


CASES += [
    # Below a tree seeded at start-up (inotifywait -r: "Couldn't watch w: File
    # name too long", status 1, before any event).
    Case('deep_path_r_printed_in_full', QUIET + ['-r', 'w'], setup=DEEP_PY + 'mkdir w\npython3 deep.py make w',
         workload='python3 deep.py touch w', stdout=b'w/' + DEEP + b'/ CREATE f\n', status=2, oracle=False),
    # Made while watching: each level is learnt from its CREATE.
    Case('deep_path_r_made_while_watching', QUIET + ['-r', 'w'], setup=DEEP_PY + 'mkdir w',
         workload='python3 deep.py make w; python3 deep.py touch w',
         stdout=b''.join(b'w/' + b''.join(c + b'/' for c in COMPONENTS[:i]) + b' CREATE,ISDIR ' +
                         COMPONENTS[i] + b'\n' for i in range(DEPTH)) + b'w/' + DEEP + b'/ CREATE f\n',
         status=2, oracle=False),
    # Moved in from outside while fswait is stopped: the file's directory is
    # not in the tree yet and must be found from its handle, level by level;
    # /proc/self/fd links cannot name it (ENAMETOOLONG past a page).
    Case('deep_path_r_moved_in_resolved_by_handle',
         ['-m', '-t', '1', '-q', '-r', '-e', 'create,moved_to', 'w'],
         setup=DEEP_PY + 'mkdir w out\npython3 deep.py make out',
         workload=STOPPED.format(f'mv out/{COMPONENTS[0].decode()} w/\npython3 deep.py touch w'),
         stdout=b'w/ MOVED_TO,ISDIR ' + COMPONENTS[0] + b'\nw/' + DEEP + b'/ CREATE f\n', status=2,
         oracle=False),
    # overlayfs refuses a filesystem mark: a mark per directory, placed by
    # descriptor where the path is too long for fanotify_mark.
    Case('deep_path_r_overlayfs_marks_every_level', QUIET + ['-r', 'w'],
         setup=DEEP_PY + OVERLAY + '\npython3 deep.py make w', workload='python3 deep.py touch w',
         stdout=b'w/' + DEEP + b'/ CREATE f\n', status=2, oracle=False, root=True),
    Case('deep_path_r_overlayfs_made_while_watching', QUIET + ['-r', 'w'], setup=DEEP_PY + OVERLAY,
         workload='python3 deep.py make w; python3 deep.py touch w',
         stdout=all_lines(*[b'w/' + b''.join(c + b'/' for c in COMPONENTS[:i]) + b' CREATE,ISDIR ' +
                            COMPONENTS[i] for i in range(DEPTH)], b'w/' + DEEP + b'/ CREATE f'),
         status=2, oracle=False, root=True),
    json_case('deep_path_r_json_absolute_path', QUIET + ['-r', '--json', 'w'],
              setup=DEEP_PY + 'mkdir w\npython3 deep.py make w',
              workload='/usr/bin/python3 deep.py touch w & echo $! > pids; wait',
              events=lambda ctx: [event(ctx, b'CREATE', [W, plain(DEEP + b'/')], [plain('f')], ctx.text('pids'),
                                        comm=plain('python3'), exe=os.path.realpath('/usr/bin/python3'))]),
    # Watched as "." from a working directory deeper than PATH_MAX: no
    # absolute path can be had, so "path" is null, never a relative path.
    Case('deep_cwd_json_path_is_null_not_relative',
         shell='cd w\nwhile cd [0-9][0-9]d* 2>/dev/null; do :; done\n' +
               json_shell(['-m', '-t', '1', '-q', '-e', 'create', '--json', '.']),
         setup=DEEP_PY + 'mkdir w\npython3 deep.py make w',
         workload='/usr/bin/python3 deep.py touch w & echo $! > pids; wait',
         stdout=lambda ctx: Match(record(b'start', b'watches established') + event_without_path(
             ctx, b'CREATE', [plain('./')], [plain('f')], ctx.text('pids'), comm=plain('python3'),
             exe=os.path.realpath('/usr/bin/python3')) + record(b'stop', b'timeout')),
         status=2, oracle=False, root=True, ready='marks', needs='command -v jq'),
]


# ---- names that end in " (deleted)" ---------------------------------------------
X, D, S = "'w/x (deleted)'", "'w/d (deleted)'", "'s (deleted)'"
CASES += [
    Case('x_deleted_file_is_a_live_name', ['-m', '-t', '1', '-q', '-e', 'create,modify,delete', 'w'],
         setup='mkdir w', workload=f'touch {X}; echo x >> {X}; rm {X}',
         stdout=lines('w/ CREATE x (deleted)', 'w/ MODIFY x (deleted)', 'w/ DELETE x (deleted)'), status=2),
    Case('x_deleted_watched_file_itself', ['-m', '-t', '1', '-q', '-e', 'modify,attrib,delete_self',
                                           'w/x (deleted)'],
         setup=f'mkdir w; touch {X}', workload=f'echo x >> {X}; rm {X}',
         stdout=lines('w/x (deleted) MODIFY ', 'w/x (deleted) ATTRIB ', 'w/x (deleted) DELETE_SELF '),
         status=2),
    Case('d_deleted_dir_r_is_a_live_name', ['-m', '-t', '1', '-q', '-r', '-e', 'create,attrib', 'w'],
         setup=f'mkdir w {D}', workload=f'touch {D}/f; chmod 700 {D}',
         stdout=lines('w/d (deleted)/ CREATE f', 'w/d (deleted)/ ATTRIB f', 'w/ ATTRIB,ISDIR d (deleted)',
                      'w/d (deleted)/ ATTRIB,ISDIR '),
         status=2),
    # Events still queued when their directory is deleted keep its name.
    # (The tree is walked after "Watches established.": the pause lets the
    # walk reach d before the stop; under ASan it sometimes had not.)
    Case('d_deleted_dir_removed_with_events_queued',
         ['-m', '-t', '1', '-q', '-r', '-e', 'create,delete,delete_self', 'w'], setup=f'mkdir w {D}',
         workload='sleep 0.3\n' + STOPPED.format(f'touch {D}/f; rm -r {D}'),
         stdout=lines('w/d (deleted)/ CREATE f', 'w/d (deleted)/ DELETE f', 'w/d (deleted)/ DELETE_SELF ',
                      'w/ DELETE,ISDIR d (deleted)'), status=2),
    # Found from its handle while fswait is stopped: its /proc/self/fd link
    # ends in " (deleted)" because that is its name, not because it is gone.
    Case('d_deleted_dir_moved_in_resolved_by_handle',
         ['-m', '-t', '1', '-q', '-r', '-e', 'create,moved_to', 'w'],
         setup=f"mkdir -p w 'out/d (deleted)/{S[1:-1]}'",
         workload=STOPPED.format(f"mv 'out/d (deleted)' w/\ntouch {D}/{S}/f"),
         stdout=lines('w/ MOVED_TO,ISDIR d (deleted)', 'w/d (deleted)/s (deleted)/ CREATE f'), status=2,
         oracle=False),
]


# ---- hostile command names ------------------------------------------------------------
# (comm as set with prctl(PR_SET_NAME), at most 15 bytes; its JSON body)
COMMS = [
    (b'a\nb', r'a\nb'),
    (b'\x1b[31mred\x1b[0m', r'\u001b[31mred\u001b[0m'),
    (b'\n{"pid":1}', r'\n{\"pid\":1}'),
    (b'x) R 1 2 3', 'x) R 1 2 3'),          # would fool a /proc/PID/stat parser
    (b'q"\\\t', r'q\"\\\t'),
    (b'bad\xff\xfe', None),
]
# One process per name, one after the other: a fork (no exec) that renames
# itself, notes its pid in p/N and writes w/N.
RENAME_PY = r'''cat > rename.py <<'EOF'
import ctypes, os, sys
for n, name in enumerate(sys.argv[1:]):
    pid = os.fork()
    if pid == 0:
        ctypes.CDLL(None).prctl(15, bytes.fromhex(name), 0, 0, 0)
        open('p/%d' % n, 'w').write(str(os.getpid()))
        open('w/%d' % n, 'w').write('x')
        os._exit(0)
    os.waitpid(pid, 0)
EOF
mkdir w p
'''
RENAMES = '/usr/bin/python3 rename.py ' + ' '.join(c.hex() for c, _ in COMMS)
WHO = ['-m', '-t', '1', '-q', '-e', 'close_write']


def who_lines(ctx):
    return b''.join(b'%s %s root %d\n' % (ctx.text(f'p/{i}').encode(), c, i) for i, (c, _) in enumerate(COMMS))


for mode in ('live', 'stopped'):
    CASES.append(Case(f'comm_hostile_format_raw_{mode}', WHO + ['--format', '%p %c %u %f', 'w'],
                      setup=RENAME_PY, workload=RENAMES if mode == 'live' else STOPPED.format(RENAMES),
                      stdout=who_lines, status=2, oracle=False, root=True))

CASES.append(json_case(
    'comm_hostile_json_escaped', WHO + ['--json', 'w'], setup=RENAME_PY, workload=RENAMES,
    events=lambda ctx: [event(ctx, b'CLOSE_WRITE,CLOSE', [W], [plain(str(i))], ctx.text(f'p/{i}'), comm=c,
                              exe=os.path.realpath('/usr/bin/python3')) for i, c in enumerate(COMMS)]))
