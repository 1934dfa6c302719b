"""fswatch-stats as inotifywatch: the table bytes, messages and exit statuses.

Every case with oracle=True also runs against the real inotifywatch 3.22.6.
Workloads are unhurried and end well within `-t 1`; they make no directory
under -r while open/access/close_nowrite are counted (inotifywatch counts its
own scan of a new directory, fswatch-stats makes none: man page,
COMPATIBILITY).
"""
from casedef import Case

BANNER = 'Establishing watches...\nFinished establishing watches, now collecting statistics.\n'
ESTABLISHING = 'Establishing watches...\n'
SETUP_WARNING = ("No statistics have been collected because I haven't finished establishing\n"
                 'inotify watches yet.  If you are sure you want me to exit, interrupt me again.\n')
HUGE_TREE = 'mkdir w; (cd w && seq 1 100000 | xargs mkdir)'


def table(*rows):
    return ''.join(r + '\n' for r in rows)


def stats(name, args, *, setup, workload, stdout, stderr=BANNER, status=0, **kw):
    return Case(name, args, setup=setup, workload=workload, stdout=stdout, stderr=stderr,
                status=status, tool='stats', **kw)


# One file's life in w: made, written, read, renamed, removed. (Appends: an
# O_TRUNC of an existing file is a second MODIFY, which both inotify and
# fanotify may or may not merge with the write's.)
LIFE = 'touch w/a; echo x >> w/a; cat w/a > /dev/null; mv w/a w/b; rm w/b'

CASES = [
    stats('stats_one_dir_every_column', '-t 1 w', setup='mkdir w', workload=LIFE,
          stdout=table('total  access  modify  attrib  close_write  close_nowrite  open  moved_from  '
                       'moved_to  create  delete  filename',
                       '13     1       1       1       2            1              3     1           '
                       '1         1       1       w/')),
    stats('stats_r_rows_per_directory_ties_in_watch_order', '-r -t 1 w', setup='mkdir -p w/a w/b w/c',
          workload='touch w/a/1 w/a/2 w/a/3; touch w/b/1; echo x > w/1',
          stdout=table('total  modify  attrib  close_write  open  create  filename',
                       '12     0       3       3            3     3       w/a/',
                       '4      0       1       1            1     1       w/b/',
                       '4      1       0       1            1     1       w/')),
    stats('stats_r_ascending_total', '-r -a total -t 1 w', setup='mkdir -p w/a w/b w/c',
          workload='touch w/a/1 w/a/2 w/a/3; touch w/b/1; echo x > w/1',
          stdout=table('total  modify  attrib  close_write  open  create  filename',
                       '4      0       1       1            1     1       w/b/',
                       '4      1       0       1            1     1       w/',
                       '12     0       3       3            3     3       w/a/')),
    stats('stats_r_descending_by_a_column', '-r -d modify -t 1 w', setup='mkdir -p w/a w/b w/c',
          workload='touch w/a/1 w/a/2 w/a/3; touch w/b/1; echo x > w/1',
          stdout=table('total  modify  attrib  close_write  open  create  filename',
                       '4      1       0       1            1     1       w/',
                       '4      0       1       1            1     1       w/b/',
                       '12     0       3       3            3     3       w/a/')),
    stats('stats_r_zero_rows_and_columns', '-r -z -t 1 w', setup='mkdir -p w/a w/b',
          workload='touch w/a/1',
          stdout=table('total  access  modify  attrib  close_write  close_nowrite  open  moved_from  '
                       'moved_to  move_self  create  delete  delete_self  filename',
                       '4      0       0       1       1            0              1     0           '
                       '0         0          1       0       0            w/a/',
                       '0      0       0       0       0            0              0     0           '
                       '0         0          0       0       0            w/b/',
                       '0      0       0       0       0            0              0     0           '
                       '0         0          0       0       0            w/')),
    stats('stats_e_limits_the_columns', '-e modify -e create -t 1 w', setup='mkdir w',
          workload='touch w/f; echo x >> w/f; chmod 600 w/f',
          stdout=table('total  modify  create  filename', '2      1       1       w/')),
    stats('stats_zero_with_e_and_two_roots', '-z -e modify -t 1 w v', setup='mkdir w v',
          workload='echo x > w/f',
          stdout=table('total  modify  filename', '1      1       w/', '0      0       v/')),
    stats('stats_no_events', '-t 1 w', setup='mkdir w', workload='',
          stdout='', stderr=BANNER + 'No events occurred.\n'),
    stats('stats_watched_file_deleted_ignored_in_total', '-t 1 w/f', setup='mkdir w; touch w/f',
          workload='rm w/f',
          stdout=table('total  attrib  delete_self  filename', '3      1       1            w/f')),
    stats('stats_exclude_not_counted', ['--exclude', r'\.tmp$', '-t', '1', 'w'], setup='mkdir w',
          workload='echo x > w/a.tmp; echo x > w/b',
          stdout=table('total  modify  close_write  open  create  filename',
                       '4      1       1            1     1       w/')),
    stats('stats_includei_only_matches_counted', ['--includei', 'KEEP', '-t', '1', 'w'], setup='mkdir w',
          # "; true": bash would exec the last command in its own process,
          # and the kernel merges the two writes of one pid to one file.
          workload="echo x > w/keep; echo x > w/drop; sh -c 'echo y >> w/keep'; true",
          stdout=table('total  modify  close_write  open  create  filename',
                       '7      2       2            2     1       w/')),
    stats('stats_r_at_exclusion_has_no_row', '-r -t 1 w @w/b', setup='mkdir -p w/a w/b',
          workload='touch w/a/1 w/b/1',
          stdout=table('total  attrib  close_write  open  create  filename',
                       '4      1       1            1     1       w/a/')),
    stats('stats_sigint_prints_the_table', 'w', setup='mkdir w', workload='touch w/f',
          signal='INT', stdout=table('total  attrib  close_write  open  create  filename',
                                     '4      1       1            1     1       w/')),
    stats('stats_sighup_prints_the_table', 'w', setup='mkdir w', workload='touch w/f',
          signal='HUP', stdout=table('total  attrib  close_write  open  create  filename',
                                     '4      1       1            1     1       w/')),
    stats('stats_sigterm_without_events', 'w', setup='mkdir w', workload='',
          signal='TERM', stdout='', stderr=BANNER + 'No events occurred.\n'),
    stats('stats_two_roots_sorted_by_total', '-t 1 v w', setup='mkdir v w',
          workload='touch v/1; touch w/1 w/2',
          stdout=table('total  attrib  close_write  open  create  filename',
                       '8      2       2            2     2       w/',
                       '4      1       1            1     1       v/')),
    # SIGUSR1: the table so far and an empty line; collection goes on.
    stats('stats_sigusr1_snapshot_then_goes_on', '-t 2 w', setup='mkdir w',
          workload='touch w/f; sleep 0.2; kill -USR1 $WATCHER_PID; sleep 0.2; touch w/g',
          stdout=table('total  attrib  close_write  open  create  filename',
                       '4      1       1            1     1       w/', '',
                       'total  attrib  close_write  open  create  filename',
                       '8      2       2            2     2       w/')),
    stats('stats_verbose_recursive', '-v -r -t 1 w', setup='mkdir -p w/a', workload='touch w/a/f',
          stdout=table('total  attrib  close_write  open  create  filename',
                       '4      1       1            1     1       w/a/'),
          stderr='Establishing watches...\nSetting up watch(es) on w\nOK, w is now being watched.\n'
                 'Total of 2 watches.\nFinished establishing watches, now collecting statistics.\n'
                 'Will listen for events for 1 seconds.\n'),
    # SIGINT while the watches are being set up (100,000 directories): the
    # first only warns, a second aborts with status 1 (E140, E141).
    stats('e140_stats_second_sigint_during_setup_aborts', (), setup=HUGE_TREE, workload='',
          shell='"$FSWAIT" -r w & P=$!; sleep 0.1; kill -INT $P; sleep 0.1; kill -INT $P; wait $P',
          stdout='', stderr=ESTABLISHING + SETUP_WARNING +
          'No statistics collected, asked to abort before all watches could be established.\n',
          status=1, ready="marks", marks=0),
    stats('e141_stats_one_sigint_during_setup_only_warns', (), setup=HUGE_TREE, workload='',
          shell='"$FSWAIT" -r -t 1 w & P=$!; sleep 0.1; kill -INT $P; wait $P',
          stdout='', stderr=ESTABLISHING + SETUP_WARNING +
          'Finished establishing watches, now collecting statistics.\nNo events occurred.\n',
          ready="marks", marks=0),
    # Messages and statuses.
    stats('stats_missing_path', 'nope', setup='', workload='', stdout='',
          stderr=ESTABLISHING + 'Failed to watch nope: No such file or directory\n', status=1),
    stats('stats_no_path', '-t 1', setup='', workload='', stdout='',
          stderr='No files specified to watch!\n', status=1),
    stats('stats_sort_by_move_rejected', '-a move w', setup='mkdir w', workload='', stdout='',
          stderr="Cannot sort by `move' event; please use `moved_from' or `moved_to'.\n", status=1),
    stats('stats_sort_by_close_rejected', '-a close w', setup='mkdir w', workload='', stdout='',
          stderr="Cannot sort by `close' event; please use `close_write' or `close_nowrite'.\n", status=1),
    stats('stats_sort_key_unknown', '-d bogus w', setup='mkdir w', workload='', stdout='',
          stderr="'bogus' is not a valid key for sorting!\n", status=1),
    stats('stats_sort_given_twice', '-a total -a modify w', setup='mkdir w', workload='', stdout='',
          stderr='Please specify -a or -d once only!\n', status=1),
    stats('stats_sort_by_unwatched_event', '-e create -a modify w', setup='mkdir w', workload='',
          stdout='', stderr="Can't sort by an event which isn't being watched for!\n", status=1),
]
