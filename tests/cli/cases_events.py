"""-e event selection, event names and their print order."""
from casedef import BANNER, Case, lines, lsdir

CASES = [
    Case('e35_event_modify_only', '-m -t 1 -e modify w', setup='mkdir w',
         workload='touch w/f; echo x >> w/f',
         stdout=lines('w/ MODIFY f'), stderr=BANNER, status=2),
    Case('e36_event_close_prints_both_kinds', '-m -t 1 -e close w',
         setup='mkdir w; echo a > w/f', workload='cat w/f >/dev/null; echo b >> w/f',
         stdout=lines('w/ CLOSE_NOWRITE,CLOSE f', 'w/ CLOSE_WRITE,CLOSE f'),
         stderr=BANNER, status=2),
    Case('e37_event_move_prints_moved_from_to', '-m -t 1 -e move w',
         setup='mkdir w; touch w/f', workload='mv w/f w/g',
         stdout=lines('w/ MOVED_FROM f', 'w/ MOVED_TO g'), stderr=BANNER, status=2),
    Case('e38_event_list_case_insensitive_repeated', '-m -t 1 -e CREATE,delete -e Attrib w',
         setup='mkdir w', workload='touch w/f; rm w/f',
         stdout=lines('w/ CREATE f', 'w/ ATTRIB f', 'w/ DELETE f'), stderr=BANNER, status=2),
    Case('e39_event_invalid_name', '-e foo w', setup='mkdir w',
         stderr="'foo' is not a valid event!  Run with the '--help' option to see a list"
                " of events.\n", status=1),
    Case('e40_event_partially_invalid_list', '-e create,foo w', setup='mkdir w',
         stderr="'create,foo' is not a valid event!  Run with the '--help' option to see"
                " a list of events.\n", status=1),
    Case('e41_event_empty_items_mean_all', ['-e', '', '-e', 'create,', 'w'],
         setup='mkdir w', workload='touch w/f', stdout=lines('w/ CREATE f'), stderr=BANNER),
    Case('e42_event_all_events', '-e all_events w', setup='mkdir w', workload='touch w/f',
         stdout=lines('w/ CREATE f'), stderr=BANNER),
    # Without -r the lines never say who renamed what; the cookie value itself is
    # random, so it is not printed here (fswait's %k: cases_fswait.py).
    Case('e93_rename_pair', ['-q', '-m', '-t', '1', '-e', 'create', '-e', 'moved_from',
                             '-e', 'moved_to', '--format', '%e %w%f', 'w'],
         setup='mkdir w', workload='touch w/src; mv w/src w/dst',
         stdout=lines('CREATE w/src', 'MOVED_FROM w/src', 'MOVED_TO w/dst'), status=2),
    Case('e181_event_ignored_printed_exit_0',
         ['-q', '-e', 'ignored', '--format', '[%w][%f][%e]', 'w/g'],
         setup='mkdir w; touch w/g', workload='rm w/g', stdout=lines('[w/g][][IGNORED]')),
    Case('e182_event_isdir_alone_reports_nothing', '-m -t 1 -e isdir w', setup='mkdir w',
         workload='touch w/f; mkdir w/d', stderr=BANNER, status=2),
    Case('e183_event_oneshot', '-q -m -t 1 -e create -e oneshot w', setup='mkdir w',
         workload='touch w/o1; sleep 0.2; touch w/o2', stdout=lines('w/ CREATE o1'),
         status=2),
    Case('event_dir_self_events_no_name', '-m -t 1 -e open,access,close w', setup='mkdir w',
         workload=lsdir('w'),
         stdout=lines('w/ OPEN,ISDIR ', 'w/ ACCESS,ISDIR ', 'w/ CLOSE_NOWRITE,CLOSE,ISDIR '),
         stderr=BANNER, status=2),
    Case('event_move_self_on_watched_file', '-m -t 1 -e move_self,attrib w/f',
         setup='mkdir w; touch w/f', workload='chmod 600 w/f; mv w/f w/g',
         stdout=lines('w/f ATTRIB ', 'w/f MOVE_SELF '), stderr=BANNER, status=2),
]
