"""-t timeout, -q/-qq, -o outfile, --fromfile, signals and pipes."""
from casedef import BANNER, Case, lifecycle, lines

LONG_INT = 'Please specify a long int value.\n'

CASES = [
    # -t: inactivity timeout, also in -m mode (status 2 even after events).
    Case('e55_timeout_no_events', '-t 1 w', setup='mkdir w', stderr=BANNER, status=2),
    # Gaps of 0.4 s, 1.6 s in all: only a timer restarted by every event survives.
    Case('e56_monitor_timeout_restarts_per_event', '-m -t 1 w', setup='mkdir w',
         workload='touch w/a; sleep 0.4; touch w/b; sleep 0.4; touch w/c; sleep 0.4;'
                  ' touch w/d; sleep 0.4; touch w/e',
         stdout=b''.join(lifecycle('w/ ', n) for n in 'abcde'), stderr=BANNER, status=2),
    Case('e58_timeout_not_numeric', '-t abc w', setup='mkdir w',
         stderr="'abc' is not a valid timeout value.\n" + LONG_INT, status=1),
    Case('e59_timeout_fractional', '-t 1.5 w', setup='mkdir w',
         stderr="'1.5' is not a valid timeout value.\n" + LONG_INT, status=1),
    Case('e60_timeout_empty', ['-t', '', 'w'], setup='mkdir w',
         stderr='The provided value is not a valid timeout value.\n' + LONG_INT, status=1),
    Case('e62_timeout_out_of_range', '-t 99999999999999999999 w', setup='mkdir w',
         stderr='Something went wrong with the timeout value you provided.\n'
                'Numerical result out of range\n', status=1),

    # -q hides the banner, -qq also the events; errors always show.
    Case('e63_quiet_hides_banner', '-q w', setup='mkdir w', workload='touch w/f',
         stdout=lines('w/ CREATE f')),
    Case('e64_quiet_twice_prints_nothing', '-qq w', setup='mkdir w', workload='touch w/f'),
    Case('e65_quiet_twice_still_shows_errors', '-qq w/nope', setup='mkdir w',
         stderr="Couldn't watch w/nope: No such file or directory\n", status=1),
    Case('e66_quiet_three_times', '-q -q -q w', setup='mkdir w', workload='touch w/f'),

    # -o appends to the file (created 0600 when missing); stderr unchanged.
    Case('e86_outfile_appends', '-o o.log w', setup='mkdir w; echo "previous line" > o.log',
         workload='touch w/f', stderr=BANNER,
         files={'o.log': lines('previous line', 'w/ CREATE f')}),
    Case('e86_outfile_created_mode_0600', '-o new.log w', setup='mkdir w',
         workload='touch w/f', stderr=BANNER,
         files={'new.log': lines('w/ CREATE f')}, modes={'new.log': 0o600}),
    Case('e87_outfile_twice', '-o a.log -o b.log w', setup='mkdir w',
         stderr='Multiple --outfile options given.\n', status=1),

    # --fromfile
    Case('e83_fromfile_stdin', '--fromfile - -e create', setup='mkdir w', stdin=b'w\n',
         workload='touch w/f', stdout=lines('w/ CREATE f'), stderr=BANNER),
    Case('e84_fromfile_missing_list', '--fromfile nolist', setup='mkdir w',
         stderr="Couldn't open nolist: No such file or directory\n"
                'No files specified to watch!\n', status=1),
    Case('e85_fromfile_twice', '--fromfile l1 --fromfile l1', setup='mkdir w; echo w > l1',
         stderr='Multiple --fromfile options given.\n', status=1),
    Case('fromfile_list_plus_command_line_path',
         '-m -t 1 -e create --fromfile list v', marks=2,
         setup='mkdir w v; printf "w\\n\\n@\\n@w/x\\n" > list', workload='touch w/f v/g',
         stdout=lines('w/ CREATE f', 'v/ CREATE g'), stderr=BANNER, status=2),

    # Signals: no handler, the shell sees 128+N and nothing extra is printed.
    Case('e163_sigint_status_130', '-m w', setup='mkdir w', workload='touch w/f',
         signal='INT', stdout=lifecycle('w/ ', 'f'), stderr=BANNER, status=130),
    Case('e163_sigterm_status_143', '-q -m w', setup='mkdir w', signal='TERM', status=143),
    # Output flushed per event; killed by SIGPIPE at the first write after head left.
    Case('e164_pipe_closed_early_sigpipe',
         shell='set -o pipefail; "$FSWAIT" -q -m w | head -1; echo pipeline_rc=$? >&2',
         ready='marks', setup='mkdir w',
         workload='touch w/a; sleep 0.3; touch w/b; sleep 0.5; touch w/c',
         stdout=lines('w/ CREATE a'), stderr='pipeline_rc=141\n'),
]
