"""The backends: -I (inotify), -F (fanotify only), -S (whole filesystems),
and the automatic choice: without CAP_SYS_ADMIN fswait watches with inotify
and says so once (casedef.FALLBACK_NOTE), unless -q/-qq; as root, a path
whose filesystem fanotify cannot mark (FUSE, which has no fsid) is watched with
inotify and named in a note of its own.

With inotify nothing says who caused an event: %p %c %u print `?` (the
renderer's word for an unknown pid, command or user), --json has null
process fields.  The whole suite also runs with -I and as nobody (run.py
--variant); the cases here pin what only these options do.
"""
import os
import re

from casedef import BANNER, FALLBACK_NOTE, Case, Match, lines
from cases_json import TIME, record
from cases_recursive import BANNER_R
from cases_stats import BANNER as STATS_BANNER
from cases_stats import ESTABLISHING, LIFE, table

NOTE = FALLBACK_NOTE                    # '{prog}: watching with inotify, ...'
# Cases that ask for -I themselves describe the inotify backend: they run in
# the variants too (as nobody: -I asked for, so no fallback and no note).
INOTIFY = ('inotify',)
FS_BANNER = 'Setting up filesystem watches.\nWatches established.\n'
REFUSED = ('{prog}: fanotify needs CAP_SYS_ADMIN to report who caused each event; '
           'run {prog} as root\n')
EXCLUDE_ERROR = "Error in `exclude' regular expression.\n"
# The writer records its pid in p/pid, then makes w/f with a shell builtin.
SH_WRITER = "sh -c 'echo $$ > p/pid; echo x > w/f; sleep 1'"
STOPPED = 'kill -STOP $WATCHER_PID\n{}\nsleep 0.2\nkill -CONT $WATCHER_PID'
# /dev/fuse and bindfs (a FUSE filesystem mirroring a directory).
NEEDS_FUSE = 'test -c /dev/fuse && command -v bindfs >/dev/null'


def as_nobody(name, args, **kw):
    """The watcher runs as nobody (no CAP_SYS_ADMIN), in the default variant."""
    kw.setdefault('setup', 'mkdir w')
    return Case(name, args, user='nobody', oracle=False, **kw)


def by_sh_writer(fmt):
    return lambda ctx: fmt.format(pid=ctx.text('p/pid')).encode()


def absolute(fmt):
    """Expected bytes naming the case directory (as realpath spells it)."""
    return lambda ctx: fmt.format(dir=os.path.realpath(ctx.dir)).encode()


# ---- the note: text and place ------------------------------------------------------
CASES = [
    # Before the banner, once; the events are inotify's.
    as_nobody('backend_nobody_note_before_banner', '-e create w', workload='touch w/f',
              stdout=lines('w/ CREATE f'), stderr=NOTE + BANNER),
    as_nobody('backend_nobody_note_before_recursive_banner', '-r -e create w',
              setup='mkdir -p w/a', workload='touch w/a/f',
              stdout=lines('w/a/ CREATE f'), stderr=NOTE + BANNER_R),
    # -q and -qq hide it with the banner.
    as_nobody('backend_nobody_q_hides_the_note', '-q -e create w', workload='touch w/f',
              stdout=lines('w/ CREATE f')),
    # (-m -t 1: status 2 says it watched until the timeout.)
    as_nobody('backend_nobody_qq_hides_the_note', '-qq -m -t 1 -e create w', workload='touch w/f',
              status=2),
    # A warning of the option scan comes first: it was said while parsing.
    as_nobody('backend_nobody_option_warning_then_note', '--exclude a --exclude b -e create w',
              workload='touch w/b w/a', stdout=lines('w/ CREATE a'),
              stderr='--exclude: only the last option will be taken into consideration.\n'
                     + NOTE + BANNER),
    # Past the option scan the backend is open: the note, then the error.
    as_nobody('backend_nobody_note_then_bad_regex', ['--exclude', '(', 'w'],
              stderr=NOTE + EXCLUDE_ERROR, status=1),
    as_nobody('backend_nobody_q_bad_regex_without_note', ['-q', '--exclude', '(', 'w'],
              stderr=EXCLUDE_ERROR, status=1),
    as_nobody('backend_nobody_note_then_missing_path', 'w nope',
              stderr=NOTE + "Setting up watches.\nCouldn't watch nope: No such file or directory\n",
              status=1),
    as_nobody('backend_nobody_q_missing_path_without_note', '-q nope',
              stderr="Couldn't watch nope: No such file or directory\n", status=1),
    as_nobody('backend_nobody_note_then_no_files', '@w',
              stderr=NOTE + 'No files specified to watch!\n', status=1),
    # Option errors end the run before any backend is opened: no note.
    as_nobody('backend_nobody_getopt_error_without_note', '--bogus w',
              stderr="{prog}: unrecognized option '--bogus'\n", status=1),
    as_nobody('backend_nobody_option_conflict_without_note', '--include a --exclude b w',
              stderr='include and exclude regexp cannot both be specified.\n', status=1),
    as_nobody('backend_nobody_bad_timeout_without_note', '-t x w',
              stderr="'x' is not a valid timeout value.\nPlease specify a long int value.\n",
              status=1),
]

# ---- -I, -F: forced; the last of -I -F -S counts -------------------------------------
CASES += [
    # Asked for, inotify is no fallback: no note, and nobody to name.
    Case('backend_inotify_as_root_no_note_unknown_process',
         ['-I', '-e', 'close_write', '--format', '%w%f %e %p %c %u', 'w'], setup='mkdir w p',
         workload=SH_WRITER, stdout=lines('w/f CLOSE_WRITE,CLOSE ? ? ?'), stderr=BANNER,
         oracle=False, root=True, backends=INOTIFY),
    as_nobody('backend_nobody_inotify_asked_no_note',
              ['-I', '-e', 'close_write', '--format', '%w%f %e %p %c %u', 'w'],
              setup='mkdir w p', workload=SH_WRITER, stdout=lines('w/f CLOSE_WRITE,CLOSE ? ? ?'),
              stderr=BANNER),
    # -F never falls back.
    as_nobody('backend_nobody_fanotify_refused', '-F w', stderr=REFUSED, status=1),
    as_nobody('backend_nobody_fanotify_refused_even_with_q', '-qq -F w', stderr=REFUSED, status=1),
    Case('backend_fanotify_as_root_names_the_writer',
         ['-F', '-e', 'close_write', '--format', '%w%f %e %p %c %u', 'w'], setup='mkdir w p',
         workload=SH_WRITER, stdout=by_sh_writer('w/f CLOSE_WRITE,CLOSE {pid} sh root\n'),
         stderr=BANNER, oracle=False, root=True),
    Case('backend_inotify_then_fanotify_is_fanotify',
         ['-I', '-F', '-e', 'close_write', '--format', '%w%f %p %c', 'w'], setup='mkdir w p',
         workload=SH_WRITER, stdout=by_sh_writer('w/f {pid} sh\n'), stderr=BANNER,
         oracle=False, root=True),
    Case('backend_fanotify_then_inotify_is_inotify',
         ['-F', '-I', '-e', 'close_write', '--format', '%w%f %p %c', 'w'], setup='mkdir w p',
         workload=SH_WRITER, stdout=lines('w/f ? ?'), stderr=BANNER, oracle=False, root=True,
         backends=INOTIFY),
    as_nobody('backend_nobody_inotify_then_fanotify_refused', '-I -F w', stderr=REFUSED, status=1),
    as_nobody('backend_nobody_fanotify_then_inotify_watches', '-F -I -e create w',
              workload='touch w/f', stdout=lines('w/ CREATE f'), stderr=BANNER),
    as_nobody('backend_nobody_filesystem_then_inotify_watches', '-S -I -e create w',
              workload='touch w/f', stdout=lines('w/ CREATE f'), stderr=BANNER),
]


# ---- --json under inotify: the process fields are null --------------------------------
def inotify_json(ctx):
    path = re.escape(os.path.realpath(ctx.dir).encode() + b'/w/f')
    event = (rb'\{"v":1,"type":"event",' + TIME + rb',"events":\["CLOSE_WRITE","CLOSE"\],'
             rb'"is_dir":false,"watch":"w/","name":"f","path":"' + path + rb'","pid":null,'
             rb'"comm":null,"exe":null,"uid":null,"user":null,"cookie":null,"message":null\}\n')
    return Match(record(b'start', b'watches established') + event + record(b'stop', b'end'))

CASES += [
    Case('backend_inotify_json_null_process_fields', ['-I', '-q', '--json', '-e', 'close_write', 'w'],
         setup='mkdir w p', workload=SH_WRITER, stdout=inotify_json, oracle=False, root=True,
         backends=INOTIFY),
]

# ---- -r with inotify: what a new directory already holds is reported -------------------
# inotifywait loses it (E162: a directory's watch comes when its CREATE is read);
# fswait -I watches the new directory, then reports what is in it as CREATE,
# each exactly once, depth first.
MKDIR_P = 'mkdir -p w/a/b/c; touch w/a/b/c/f'
MKDIR_P_LINES = lines('w/ CREATE,ISDIR a', 'w/a/ CREATE,ISDIR b', 'w/a/b/ CREATE,ISDIR c',
                      'w/a/b/c/ CREATE f')
CASES += [
    # inotifywait's own scan of a new directory shows, from the parent's watch
    # (E43; its reads and the kernel's merge of the two ACCESS happen before it
    # reads the queue again): fswait -I the same, unlike fswait on fanotify
    # (e43_r_no_self_generated_events). -I: inotifywait's default, so oracle.
    Case('e43_inotify_r_own_scan_of_new_dir_reported', '-I -m -t 1 -r w', setup='mkdir w',
         workload='mkdir w/x', stdout=lines('w/ CREATE,ISDIR x', 'w/ OPEN,ISDIR x',
                                            'w/ ACCESS,ISDIR x', 'w/ CLOSE_NOWRITE,CLOSE,ISDIR x'),
         stderr=BANNER_R, status=2),
    Case('e162_inotify_r_new_dirs_made_while_stopped_lose_nothing',
         '-I -m -t 1 -r -e create w', setup='mkdir w', workload=STOPPED.format(MKDIR_P),
         stdout=MKDIR_P_LINES, stderr=BANNER_R, status=2, oracle=False, backends=INOTIFY),
    Case('e29_inotify_r_mkdir_p_all_creates_reported', '-I -m -t 1 -r -e create w',
         setup='mkdir w', workload=MKDIR_P, stdout=MKDIR_P_LINES, stderr=BANNER_R, status=2,
         oracle=False, backends=INOTIFY),
]

# ---- -S: the whole filesystem of each path ---------------------------------------------
# On a loop-mounted ext4 of its own: events anywhere on it (also in `other`,
# never named), printed from its mount point; nothing from the tmpfs in `m`.
CASES += [
    Case('backend_filesystem_whole_ext4', ['-S', '-m', '-t', '1', '-e', 'create', '--format', '%w%f', 'w'],
         setup='mkdir w other m; mount -t tmpfs elsewhere m', fs='ext4', oracle=False, root=True,
         workload='touch w/a; mkdir other/sub; touch other/sub/b; touch m/c; touch top',
         stdout=absolute('{dir}/w/a\n{dir}/other/sub\n{dir}/other/sub/b\n{dir}/top\n'),
         stderr=FS_BANNER, status=2),
    Case('backend_filesystem_missing_path', '-S nope', setup='mkdir w', oracle=False, root=True,
         stderr="Setting up filesystem watches.\n"
                "Couldn't add filesystem watch nope: No such file or directory\n", status=1),
]

# ---- fswatch-stats ----------------------------------------------------------------------
EVERY_COLUMN = table('total  access  modify  attrib  close_write  close_nowrite  open  moved_from  '
                     'moved_to  create  delete  filename',
                     '13     1       1       1       2            1              3     1           '
                     '1         1       1       w/')
CASES += [
    # The table inotifywatch prints (stats_one_dir_every_column).
    Case('backend_stats_inotify_same_table', '-I -t 1 w', setup='mkdir w', workload=LIFE,
         stdout=EVERY_COLUMN, stderr=STATS_BANNER, tool='stats', oracle=False, backends=INOTIFY),
    Case('backend_stats_nobody_note_then_table', '-t 1 w', setup='mkdir w', workload=LIFE,
         stdout=EVERY_COLUMN, stderr=NOTE + STATS_BANNER, tool='stats', oracle=False,
         user='nobody'),
    Case('backend_stats_nobody_fanotify_refused', '-F -t 1 w', setup='mkdir w',
         stderr=REFUSED, status=1, tool='stats', oracle=False, user='nobody'),
    Case('backend_stats_filesystem_banner', '-S -t 1 w', setup='mkdir w', workload=LIFE, fs='ext4',
         stdout=absolute(EVERY_COLUMN.replace('w/\n', '{dir}/w/\n')),
         stderr=ESTABLISHING + 'Setting up filesystem watch on w\n'
                'Finished establishing watches, now collecting statistics.\n',
         tool='stats', oracle=False, root=True),
]

# ---- FUSE: fanotify cannot mark it; inotify watches that path --------------------------
# bindfs mirrors src on FUSE, whose filesystem has no fsid; t is a directory of
# the case's tmpfs, named in the same run: whichever comes first, the FUSE
# path is watched with inotify (its own note, `?` for the pid) and t keeps
# its fanotify mark and so its pid. (Linux 6.8 and later do mark a filesystem
# without fsid, with a "weak" one, but then refuse every other filesystem in
# the same fanotify group: EXDEV.) The sh writer records its pid in p/pid.
FUSE_SETUP = 'mkdir src bindmnt t p; bindfs src bindmnt'
FUSE_WORK = "sh -c 'echo $$ > p/pid; echo x > t/x; sleep 0.3; echo y > bindmnt/y; sleep 1'"
FUSE_NOTE = ("{prog}: watching 'bindmnt' with inotify, without process attribution: "
             'fanotify cannot mark its filesystem (No such device)\n')


def fuse_case(name, roots):
    return Case(name, ['-m', '-t', '1', '-r', '-e', 'create,close_write', '--format', '%w%f %e %p'] + roots,
                setup=FUSE_SETUP, workload=FUSE_WORK, needs=NEEDS_FUSE, oracle=False, root=True,
                stdout=by_sh_writer('t/x CREATE {pid}\nt/x CLOSE_WRITE,CLOSE {pid}\n'
                                    'bindmnt/y CREATE ?\nbindmnt/y CLOSE_WRITE,CLOSE ?\n'),
                stderr='Setting up watches.  Beware: since -r was given, this may take a while!\n'
                       + FUSE_NOTE + 'Watches established.\n', status=2)


CASES += [
    fuse_case('backend_fuse_path_first_watched_with_inotify', ['bindmnt', 't']),
    fuse_case('backend_fuse_path_second_watched_with_inotify', ['t', 'bindmnt']),
]
