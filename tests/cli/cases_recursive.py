"""-r (recursive): %w of subdirectories, renames, deletions, symlinks, @exclusions,
--exclude/--include, and fswait's race-free recursion; several cases run a second
time on a loop-mounted ext4 (NAME_ext4).

Oracle cases are UNHURRIED: `sleep 0.3` after every step that makes inotifywait add
a watch (a new or moved-in directory), and `-e` restricted to events fswait reports
the same way (inotifywait's scan of a new directory shows up as OPEN/ACCESS/
CLOSE_NOWRITE,ISDIR, E43; fswait does not see its own accesses).  `-m -t 1` ends a
run one second after the last event (status 2), so no gap between reported events
may approach a second.

inotifywait 3.22.6 -r behaviours pinned here (beyond inotify-tools-behaviour.md):
  * rmdir of a watched subdirectory: `w/a/ DELETE_SELF ` BEFORE `w/ DELETE,ISDIR a`
    (the kernel's d_delete() sends DELETE_SELF before the parent's DELETE).
  * rm -rf: depth first, each directory's DELETE_SELF just before its parent's
    DELETE,ISDIR; on tmpfs a directory is read newest entry first.
  * MOVE_SELF of a renamed subdirectory comes after MOVED_FROM/MOVED_TO and is
    printed under the NEW path (`w/b/ MOVE_SELF `), also without -e moved_*.
  * a symlink root with -r gets the slash (`link/a/ CREATE f`, `link/ CREATE g`),
    unlike the non-recursive E97 (`link CREATE f`).
  * new directories are watched even when create/moved_to are not in -e.
  * an event on a watched subdirectory itself prints twice, parent's line first:
    `w/ ATTRIB,ISDIR a` then `w/a/ ATTRIB,ISDIR ` (likewise OPEN/ACCESS/CLOSE).
  * a directory moved OUT keeps its watch until the next event of any watch: if
    that event is inside it, it is printed under the old path (`w/a/ CREATE f1`),
    then the watch on w/a (only) is removed; watches on its subdirectories are
    never removed (`touch out/a/b/g` prints `w/a/b/ CREATE g` forever after).
    fswait stops at once (fswait_* cases); the oracle case e34_r_move_out_*
    therefore lets an event elsewhere in the tree come first.
  * after the ROOT was renamed (E96), directories created in it are not watched
    (inotifywait adds the watch by the stale path, silently fails): only the
    oracle part before that is pinned here.
  * 3.22.6's --include also filters a new directory's CREATE before the recursion
    sees it (E50): the directory is never watched.  fswait follows 4.25.9 (E174).
"""
import os
import shlex

from casedef import BOTH, Case, Match, lines, lsdir, on_ext4

BANNER_R = ('Setting up watches.  Beware: since -r was given, this may take a while!\n'
            'Watches established.\n')
SETTLE = 'sleep 0.3'    # inotifywait reads the CREATE and adds the new watch


def mon(name, opts, *, setup, workload, out, **kw):
    """`-m -t 1 -r OPTS`: prints OUT (lines, or a Match), then ends on the
    inactivity timeout (status 2)."""
    args = ['-m', '-t', '1', '-r'] + (shlex.split(opts) if isinstance(opts, str) else opts)
    return Case(name, args, setup=setup, workload=workload,
                stdout=out if isinstance(out, Match) else lines(*out),
                stderr=BANNER_R, status=2, **kw)


def absolute(fmt):
    """Expected stdout naming the case directory (as `pwd -P` spells it)."""
    return lambda ctx: fmt.format(dir=os.path.realpath(ctx.dir)).encode()


# ---- %w of subdirectories, roots as typed ------------------------------------------
E31 = Case('e31_r_deep_event_first_exits_0', '-r w', setup='mkdir -p w/a/b',
           workload='touch w/a/b/f', stdout=lines('w/a/b/ CREATE f'), stderr=BANNER_R)
E30 = mon('e30_r_new_dirs_unhurried', '-e create w', setup='mkdir w',
          workload=f'mkdir w/x; {SETTLE}; touch w/x/f; mkdir w/x/y; {SETTLE}; touch w/x/y/g',
          out=['w/ CREATE,ISDIR x', 'w/x/ CREATE f', 'w/x/ CREATE,ISDIR y',
               'w/x/y/ CREATE g'])
SUBDIR_AS_TYPED = mon(
    'r_subdir_path_as_typed', '-e create,delete w', setup='mkdir -p w/a/b',
    workload='touch w/a/b/f; rm w/a/b/f; touch w/a/g',
    out=['w/a/b/ CREATE f', 'w/a/b/ DELETE f', 'w/a/ CREATE g'])
# inotifywait always asks the kernel for CREATE/MOVED_* under -r.
NEW_DIR_WITHOUT_CREATE = mon(
    'r_new_dir_watched_without_create_in_mask', '-e close_write w', setup='mkdir w',
    workload=f'mkdir w/x; {SETTLE}; echo x > w/x/f', out=['w/x/ CLOSE_WRITE,CLOSE f'])
# An event on a subdirectory itself comes twice: from the parent's watch (with the
# name) and from its own (without), interleaved.
SUBDIR_ATTRIB_TWICE = mon('r_subdir_attrib_from_parent_and_self', '-e attrib,close_write w',
                          setup='mkdir -p w/a; touch w/a/f',
                          workload='chmod 600 w/a; echo x > w/a/f',
                          out=['w/ ATTRIB,ISDIR a', 'w/a/ ATTRIB,ISDIR ',
                               'w/a/ CLOSE_WRITE,CLOSE f'])
SUBDIR_READ_TWICE = mon('r_subdir_read_from_parent_and_self', '-e open,access,close w',
                        setup='mkdir -p w/a', workload=lsdir('w/a'),
                        out=['w/ OPEN,ISDIR a', 'w/a/ OPEN,ISDIR ', 'w/ ACCESS,ISDIR a',
                             'w/a/ ACCESS,ISDIR ', 'w/ CLOSE_NOWRITE,CLOSE,ISDIR a',
                             'w/a/ CLOSE_NOWRITE,CLOSE,ISDIR '])
TWO_ROOTS = Case(
    'r_two_roots_relative_and_absolute', setup='mkdir -p w/a v/b',
    shell='exec "$FSWAIT" -m -t 1 -r -e create w "$(pwd -P)/v"',
    workload='touch w/a/f v/b/g v/h',
    stdout=absolute('w/a/ CREATE f\n{dir}/v/b/ CREATE g\n{dir}/v/ CREATE h\n'),
    stderr=BANNER_R, status=2)
ROOT_SLASH = mon('r_root_with_trailing_slash', '-e create w/', setup='mkdir -p w/a',
                 workload='touch w/a/f w/g', out=['w/a/ CREATE f', 'w/ CREATE g'])
ROOT_DOT = mon('r_root_dot_slash', '-e create ./w', setup='mkdir -p w/a',
               workload='touch w/a/f w/g', out=['./w/a/ CREATE f', './w/ CREATE g'])
SINGLE_FILE = mon('r_single_file', '-e attrib,close_write f', setup='touch f',
                  workload='touch f; chmod 600 f',
                  out=['f ATTRIB ', 'f CLOSE_WRITE,CLOSE ', 'f ATTRIB '])
E69 = Case('e69_r_missing_path', '-r nope', setup='mkdir w',
           stderr='Setting up watches.  Beware: since -r was given, this may take a while!\n'
                  "Couldn't watch nope: No such file or directory\n", status=1)
TIMEOUT = Case('r_timeout_no_events_exits_2', '-r -t 1 w', setup='mkdir -p w/a/b',
               stderr=BANNER_R, status=2)

# ---- deletions -------------------------------------------------------------------------
RMDIR_SUBDIR = mon('r_rmdir_subdir_delete_self_first', '-e delete,delete_self w',
                   setup='mkdir -p w/a', workload='rmdir w/a',
                   out=['w/a/ DELETE_SELF ', 'w/ DELETE,ISDIR a'])
# One entry per directory: the same order on any filesystem.
RM_RF_CHAIN = mon('r_rm_rf_subtree_depth_first', '-e delete,delete_self w',
                  setup='mkdir -p w/a/b; touch w/a/b/f', workload='rm -rf w/a',
                  out=['w/a/b/ DELETE f', 'w/a/b/ DELETE_SELF ', 'w/a/ DELETE,ISDIR b',
                       'w/a/ DELETE_SELF ', 'w/ DELETE,ISDIR a'])
# tmpfs lists a directory newest entry first (h before a, f before b); not on ext4.
RM_RF_ROOT = mon('r_rm_rf_root_tree', '-e delete,delete_self w',
                 setup='mkdir -p w/a/b; touch w/a/f w/a/b/g w/h', workload='rm -rf w',
                 out=['w/ DELETE h', 'w/a/ DELETE f', 'w/a/b/ DELETE g',
                      'w/a/b/ DELETE_SELF ', 'w/a/ DELETE,ISDIR b', 'w/a/ DELETE_SELF ',
                      'w/ DELETE,ISDIR a', 'w/ DELETE_SELF '])
DELETE_ROOT_FIRST = Case('r_delete_root_first_event_is_deepest', '-r -e delete_self w',
                         setup='mkdir -p w/a', workload='rm -rf w',
                         stdout=lines('w/a/ DELETE_SELF '), stderr=BANNER_R)

# ---- renames and moves -----------------------------------------------------------------
MOVES = '-e create,moved_from,moved_to w'
E33 = mon('e33_r_rename_subdir_then_create', MOVES, setup='mkdir -p w/a',
          workload=f'mv w/a w/b; {SETTLE}; touch w/b/f',
          out=['w/ MOVED_FROM,ISDIR a', 'w/ MOVED_TO,ISDIR b', 'w/b/ CREATE f'])
E33_SUBTREE = mon(
    'e33_r_rename_rewrites_subtree_paths', MOVES, setup='mkdir -p w/a/c w/d',
    workload=f'mv w/a w/d/a2; {SETTLE}; touch w/d/a2/f w/d/a2/c/g',
    out=['w/ MOVED_FROM,ISDIR a', 'w/d/ MOVED_TO,ISDIR a2', 'w/d/a2/ CREATE f',
         'w/d/a2/c/ CREATE g'])
E34_OUT = mon(
    'e34_r_move_out_then_event_elsewhere', MOVES, setup='mkdir -p w/a out',
    workload=f'mv w/a out/a; {SETTLE}; touch w/h; {SETTLE}; touch out/a/f1',
    out=['w/ MOVED_FROM,ISDIR a', 'w/ CREATE h'])
E34_IN = mon('e34_r_move_in_then_create', MOVES, setup='mkdir -p w out/c/sub',
             workload=f'mv out/c w/c; {SETTLE}; touch w/c/f2 w/c/sub/f3',
             out=['w/ MOVED_TO,ISDIR c', 'w/c/ CREATE f2', 'w/c/sub/ CREATE f3'])
MOVE_SELF = mon('r_move_self_after_pair_new_path', '-e moved_from,moved_to,move_self w',
                setup='mkdir -p w/a', workload='mv w/a w/b',
                out=['w/ MOVED_FROM,ISDIR a', 'w/ MOVED_TO,ISDIR b', 'w/b/ MOVE_SELF '])
MOVE_SELF_ALONE = mon('r_move_self_alone_new_path', '-e move_self,attrib w',
                      setup='mkdir -p w/a; touch w/a/f',
                      workload=f'mv w/a w/b; {SETTLE}; chmod 600 w/b/f',
                      out=['w/b/ MOVE_SELF ', 'w/b/ ATTRIB f'])
E96 = mon('e96_r_rename_root_keeps_old_name', '-e move_self,create w', setup='mkdir -p w/a',
          workload=f'mv w w2; {SETTLE}; touch w2/f w2/a/h; mkdir w2/d',
          out=['w/ MOVE_SELF ', 'w/ CREATE f', 'w/a/ CREATE h', 'w/ CREATE,ISDIR d'])

# ---- symlinks ----------------------------------------------------------------------------
SYMLINK_ROOT = mon('r_symlink_root_gets_slash', '-e create link',
                   setup='mkdir -p real/a; ln -s real link', workload='touch real/a/f real/g',
                   out=['link/a/ CREATE f', 'link/ CREATE g'])
E100 = mon('e100_r_symlinked_subdir_not_followed', '-e create w',
           setup='mkdir -p w real; ln -s ../real w/lnk',
           workload='touch real/f; touch w/lnk/g; touch w/h', out=['w/ CREATE h'])

# ---- @exclusions, --fromfile ---------------------------------------------------------
E32 = mon('e32_r_exclude_subdir_and_below', '-e create w @w/skip',
          setup='mkdir -p w/skip/sub w/keep', workload='touch w/skip/f w/skip/sub/g w/keep/f',
          out=['w/keep/ CREATE f'])
E156 = mon('e156_r_exclude_root_ignored', '-e create w @w', setup='mkdir -p w/a',
           workload='touch w/f w/a/g', out=['w/ CREATE f', 'w/a/ CREATE g'])
E157 = mon('e157_r_exclude_other_spelling', '-e create w @./w/skip', setup='mkdir -p w/skip',
           workload='touch w/skip/f', out=['w/skip/ CREATE f'])
E158 = mon('e158_r_exclude_trailing_slash', '-e create w @w/skip/', setup='mkdir -p w/skip',
           workload='touch w/skip/f w/g', out=['w/ CREATE g'])
E159 = mon('e159_r_exclude_not_applied_to_new_dir', '-e create w @w/skip', setup='mkdir w',
           workload=f'mkdir w/skip; {SETTLE}; touch w/skip/f',
           out=['w/ CREATE,ISDIR skip', 'w/skip/ CREATE f'])
E170 = mon('e170_r_exclude_root_given_with_slash', '-e create w/ @w/skip',
           setup='mkdir -p w/skip', workload='touch w/skip/f w/g', out=['w/ CREATE g'])
E82 = mon('e82_r_fromfile_with_exclusions', '-e create --fromfile list v',
          setup=r'mkdir -p w/skip w/keep v; printf "w\n@w/skip\n\n@\n" > list',
          workload='touch w/skip/f w/keep/f v/f', out=['w/keep/ CREATE f', 'v/ CREATE f'])

# ---- --exclude / --include (regex on %w%f) -------------------------------------------
EXCLUDE_FILES = mon('r_exclude_regex_files', r"-e create --exclude '\.tmp$' w",
                    setup='mkdir -p w/a', workload='touch w/a/x.tmp w/a/y.txt w/z.tmp',
                    out=['w/a/ CREATE y.txt'])
EXCLUDE_SUBTREE = mon(
    'r_exclude_regex_subtree', "-e create --exclude '^w/skip(/|$)' w",
    setup='mkdir -p w/skip/sub w/keep',
    workload=f'touch w/skip/f w/skip/sub/g w/keep/f; mkdir w/skip/new w/kn; {SETTLE};'
             ' touch w/skip/new/h w/kn/h',
    out=['w/keep/ CREATE f', 'w/ CREATE,ISDIR kn', 'w/kn/ CREATE h'])
INCLUDE_EXISTING = mon('r_include_existing_subdir', r"-e create --include '\.txt$' w",
                       setup='mkdir -p w/sub', workload='touch w/sub/x.txt w/sub/y.dat w/z.txt',
                       out=['w/sub/ CREATE x.txt', 'w/ CREATE z.txt'])
# 3.22.6 agrees (the directory matches, so it is watched); 4.x would hide the dir (E175).
INCLUDE_DIR_MATCH = mon('r_include_matching_dir_still_printed', "-e create --include 'x' w",
                        setup='mkdir w', workload=f'mkdir w/x; {SETTLE}; touch w/x/f w/x/x',
                        out=['w/ CREATE,ISDIR x', 'w/x/ CREATE f', 'w/x/ CREATE x'])

# ---- fswait only: no race, no self-generated events, moves take effect at once -------
E29 = mon('e29_r_mkdir_p_all_creates_reported', '-e create w', setup='mkdir w',
          workload='mkdir -p w/a/b/c && touch w/a/b/c/f', oracle=False,
          out=['w/ CREATE,ISDIR a', 'w/a/ CREATE,ISDIR b', 'w/a/b/ CREATE,ISDIR c',
               'w/a/b/c/ CREATE f'])
E161 = mon('e161_r_file_right_after_mkdir_reported', '-e create w', setup='mkdir w',
           workload='mkdir w/x && touch w/x/f', oracle=False,
           out=['w/ CREATE,ISDIR x', 'w/x/ CREATE f'])
E43 = mon('e43_r_no_self_generated_events', 'w', setup='mkdir w', workload='mkdir w/x',
          oracle=False, out=['w/ CREATE,ISDIR x'])
MOVE_OUT_AT_ONCE = mon('fswait_r_move_out_stops_at_once', MOVES, setup='mkdir -p w/a out',
                       workload='mv w/a out/a; touch out/a/f1', oracle=False,
                       out=['w/ MOVED_FROM,ISDIR a'])
MOVE_OUT_SUBTREE = mon(
    'fswait_r_move_out_stops_whole_subtree', MOVES, setup='mkdir -p w/a/b out',
    workload=f'mv w/a out/a; {SETTLE}; touch w/h; {SETTLE}; touch out/a/f1 out/a/b/g',
    oracle=False, out=['w/ MOVED_FROM,ISDIR a', 'w/ CREATE h'])
MOVE_IN_AT_ONCE = mon('fswait_r_move_in_watched_at_once', '-e create,moved_to w',
                      setup='mkdir -p w out/c/sub', workload='mv out/c w/c; touch w/c/sub/f',
                      oracle=False, out=['w/ MOVED_TO,ISDIR c', 'w/c/sub/ CREATE f'])
E174 = mon('e174_r_include_new_subdir_watched', r"-e create --include '\.txt$' w",
           setup='mkdir w', workload='mkdir w/sub && touch w/sub/x.txt w/y.txt w/z.dat',
           oracle=False, out=['w/sub/ CREATE x.txt', 'w/ CREATE y.txt'])
COOKIE = mon('fswait_r_k_cookie_pairs_rename_across_dirs',
             ['-e', 'moved_from', '-e', 'moved_to', '--format', '%k %e %w%f', 'w'],
             setup='mkdir -p w/a w/b; touch w/a/src', workload='mv w/a/src w/b/dst',
             oracle=False, backends=BOTH,
             out=Match(rb'([1-9a-f][0-9a-f]*) MOVED_FROM w/a/src\n\1 MOVED_TO w/b/dst\n'))
# The writer stays alive for a second, so /proc still knows it when fswait reads.
ATTRIBUTION = Case(
    'fswait_r_creator_pid_and_command', ['-r', '-e', 'create', '--format', '%w%f %p %c', 'w'],
    setup='mkdir -p w/a p', workload="sh -c 'echo $$ > p/pid; : > w/a/f; sleep 1'",
    stdout=lambda ctx: f'w/a/f {ctx.text("p/pid")} sh\n'.encode(), stderr=BANNER_R,
    oracle=False, root=True)
# FSWAIT_STATS=1 (for bench/): one line of counters when the run ends by itself.
STATS_IDLE = Case(
    'fswait_r_stats_line_idle', [], shell='FSWAIT_STATS=1 exec "$FSWAIT" -r -t 1 w',
    setup='mkdir w', oracle=False, status=2,
    stderr=BANNER_R + 'fswait: stats: read=0 foreign=0 fid_only=0 unresolved=0\n'
    'fswait: stats: lines_written=0 lines_lost=0 output_peak=0\n')
# Unlinking a file queues a nameless ATTRIB (link count) and its parent's
# DELETE: two records read, one of them dropped without a system call.
STATS_FID_ONLY = Case(
    'fswait_r_stats_counts_nameless_records', [],
    shell='FSWAIT_STATS=1 exec "$FSWAIT" -m -r -t 1 -e attrib w',
    setup='mkdir w; touch w/f', workload='rm w/f', oracle=False, status=2,
    stderr=BANNER_R + 'fswait: stats: read=2 foreign=0 fid_only=1 unresolved=0\n'
    'fswait: stats: lines_written=0 lines_lost=0 output_peak=0\n')

TMPFS_CASES = [
    E31, E30, SUBDIR_AS_TYPED, NEW_DIR_WITHOUT_CREATE, SUBDIR_ATTRIB_TWICE,
    SUBDIR_READ_TWICE, TWO_ROOTS, ROOT_SLASH, ROOT_DOT,
    SINGLE_FILE, E69, TIMEOUT, RMDIR_SUBDIR, RM_RF_CHAIN, RM_RF_ROOT, DELETE_ROOT_FIRST,
    E33, E33_SUBTREE, E34_OUT, E34_IN, MOVE_SELF, MOVE_SELF_ALONE, E96, SYMLINK_ROOT, E100,
    E32, E156, E157, E158, E159, E170, E82, EXCLUDE_FILES, EXCLUDE_SUBTREE,
    INCLUDE_EXISTING, INCLUDE_DIR_MATCH,
    E29, E161, E43, MOVE_OUT_AT_ONCE, MOVE_OUT_SUBTREE, MOVE_IN_AT_ONCE, E174, COOKIE,
    ATTRIBUTION, STATS_IDLE, STATS_FID_ONLY,
]
# ext4: other inode numbers, hashed directory order, a journal; same lines expected.
EXT4_CASES = [on_ext4(c) for c in (
    E31, E30, RMDIR_SUBDIR, RM_RF_CHAIN, E33, E33_SUBTREE, E34_IN, MOVE_SELF, E159,
    E29, MOVE_OUT_AT_ONCE, MOVE_IN_AT_ONCE, COOKIE)]

CASES = TMPFS_CASES + EXT4_CASES
