"""Option parsing, validation errors, regex filters, watch errors."""
from casedef import BANNER, Case, lines

NOTE_EVENTS = "  Run with the '--help' option to see a list of events.\n"

CASES = [
    # --exclude / --include (matched against %w%f; filtered events are silent).
    Case('e44_exclude_regex', ['-m', '-t', '1', '-e', 'create', '--exclude', r'\.tmp$', 'w'],
         setup='mkdir w', workload='touch w/a.tmp w/b.txt',
         stdout=lines('w/ CREATE b.txt'), stderr=BANNER, status=2),
    Case('e45_exclude_twice_warns_last_wins',
         '-m -t 1 -e create --exclude a --exclude b w', setup='mkdir w',
         workload='touch w/a w/b', stdout=lines('w/ CREATE a'),
         stderr='--exclude: only the last option will be taken into consideration.\n' + BANNER,
         status=2),
    Case('e46_exclude_anchored_on_watch_path', ['-m', '-t', '1', '-e', 'create',
                                                '--exclude', '^w/', 'w'],
         setup='mkdir w', workload='touch w/a', stderr=BANNER, status=2),
    Case('e47_excludei_case_insensitive', '-m -t 1 -e create --excludei JPG$ w',
         setup='mkdir w', workload='touch w/x.jpg w/y.png',
         stdout=lines('w/ CREATE y.png'), stderr=BANNER, status=2),
    Case('e48_include_regex', ['-m', '-t', '1', '-e', 'create', '--include', r'\.txt$', 'w'],
         setup='mkdir w', workload='touch w/a.txt w/b.dat',
         stdout=lines('w/ CREATE a.txt'), stderr=BANNER, status=2),
    Case('e49_include_twice_last_wins_no_warning',
         '-m -t 1 -e create --include a --include b w', setup='mkdir w',
         workload='touch w/a w/b', stdout=lines('w/ CREATE b'), stderr=BANNER, status=2),
    Case('e51_include_with_exclude', '--include a --exclude b w', setup='mkdir w',
         stderr='include and exclude regexp cannot both be specified.\n', status=1),
    Case('e52_exclude_with_excludei', '--exclude a --excludei b w', setup='mkdir w',
         stderr='--exclude and --excludei cannot both be specified.\n', status=1),
    Case('e53_invalid_exclude_regex', ['--exclude', '(', 'w'], setup='mkdir w',
         stderr="Error in `exclude' regular expression.\n", status=1),
    Case('e54_invalid_include_regex', ['--include', '[', 'w'], setup='mkdir w',
         stderr="Error in `include' regular expression.\n", status=1),

    # Watch set-up errors.
    Case('e67_missing_path', 'nope', setup='mkdir w',
         stderr="Setting up watches.\nCouldn't watch nope: No such file or directory\n",
         status=1),
    Case('e68_second_path_missing', 'w nope w', setup='mkdir w',
         stderr="Setting up watches.\nCouldn't watch nope: No such file or directory\n",
         status=1),
    Case('e70_no_path', '', stderr='No files specified to watch!\n', status=1),
    Case('e71_only_exclusions', '@w', setup='mkdir w',
         stderr='No files specified to watch!\n', status=1),
    Case('e155_at_exclusion_ignored_without_r', '-e create w @w', setup='mkdir w',
         workload='touch w/f', stdout=lines('w/ CREATE f'), stderr=BANNER),

    # getopt: messages prefixed with argv[0], no usage text.
    Case('e73_unknown_long_option', '--bogus w', setup='mkdir w',
         stderr="{prog}: unrecognized option '--bogus'\n", status=1),
    Case('e74_unknown_short_option', '-x w', setup='mkdir w',
         stderr="{prog}: invalid option -- 'x'\n", status=1),
    Case('e75_missing_option_argument', 'w -e', setup='mkdir w',
         stderr="{prog}: option requires an argument -- 'e'\n", status=1),
    Case('e76_options_after_path_and_double_dash', 'w -q -- -dash', setup='mkdir w',
         stderr="Couldn't watch -dash: No such file or directory\n", status=1),
    Case('e78_filename_option_removed', '-f w', setup='mkdir w',
         stderr="The '--filename' option no longer exists.  The option it enabled in earlier\n"
                'versions of inotifywait is now turned on by default.\n', status=1),
    Case('e80_ambiguous_long_prefix', '--mon --time 1 --ev create w', setup='mkdir w',
         stderr="{prog}: option '--time' is ambiguous; possibilities: '--timeout'"
                " '--timefmt'\n", status=1),
    Case('e81_unique_long_prefixes', '--mon --timeo 1 --ev create w', setup='mkdir w',
         workload='touch w/f', stdout=lines('w/ CREATE f'), stderr=BANNER, status=2),
    Case('e88_daemon_without_outfile', '-d w', setup='mkdir w',
         stderr='-o must be specified with -d.\n', status=1),

    # inotifywait's own validation comes first, also for options fswait lacks.
    Case('validation_before_unsupported_bad_event', '-r -e foo w', setup='mkdir w',
         stderr="'foo' is not a valid event!" + NOTE_EVENTS, status=1),
    Case('validation_before_unsupported_timefmt', '-s --timefmt x w', setup='mkdir w',
         stderr='--timefmt cannot be specified without --format.\n', status=1),
]
