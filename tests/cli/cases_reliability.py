"""Loss is never silent: queue overflow, slow readers, signals (issue 7).

The overflow cases stop the watcher (SIGSTOP) while a workload creates more
files than the kernel's queue holds (fs.fanotify.max_queued_events), so
that the kernel keeps exactly the first Q events and queues one overflow
record: every line is known in advance.
"""
import os
import shlex

from casedef import BANNER, BOTH, Case, Match

HERE = os.path.dirname(os.path.abspath(__file__))
LOAD = 'python3 ' + shlex.quote(os.path.join(HERE, 'load.py'))


def _max_queued_events():
    try:
        with open('/proc/sys/fs/fanotify/max_queued_events') as f:
            return int(f.read())
    except OSError:
        return 16384


Q = _max_queued_events()
OVERFLOWING = Q + 4000
WARNING = 'fswait: the kernel event queue overflowed; some events were lost\n'
STATS_BANNER = 'Establishing watches...\nFinished establishing watches, now collecting statistics.\n'


def creates(n, line='w/ CREATE f{:06d}\n'):
    return ''.join(line.format(i) for i in range(n)).encode()


def stalled(n, then='', pid='$WATCHER_PID'):
    """The watcher stopped while n files are created, then continued; `then`
    runs once it has written the first Q lines (so its queue has room)."""
    wait = f'{LOAD} wait-written {pid} {len(creates(Q - 1))}\n' if then else ''
    return f'P={pid}\nkill -STOP $P\n{LOAD} create w {n}\nkill -CONT $P\n{wait}{then}'


def overflow_case(name, args, stdout, *, stderr=BANNER + WARNING, status=130, then='touch w/fresh',
                  setup='mkdir w', **kw):
    sig = 'INT' if status == 130 else None
    return Case(name, args, setup=setup, workload=stalled(OVERFLOWING, then), stdout=stdout,
                stderr=stderr, status=status, signal=sig, oracle=False, root=True, **kw)


# A pipeline whose reader waits for the file `go` before it reads anything.
def slow_reader(watcher, reader='cat'):
    return ('set -o pipefail\n'
            f'{watcher} | {{ while [ ! -e go ]; do sleep 0.05; done; {reader}; }}')


FSWAIT_PID = '$(pgrep -P $WATCHER_PID -x fswait)'
PEAK_CHECK = (
    '\nrc=$?\npeak=$(sed -n "s/.*output_peak=\\([0-9]*\\).*/\\1/p" err)\n'
    # The output queue (1 MiB) plus what one read of events can add.
    '[ "$peak" -le 1310720 ] && echo "output queue bounded" >&2 || echo "output queue peaked at $peak" >&2\n'
    'grep -v "stats:" err >&2\nexit $rc')

CASES = [
    # ---- queue overflow ---------------------------------------------------
    overflow_case('overflow_bounded_queue_warns_once_and_goes_on',
                  '-m --bounded-queue -e create w', creates(Q) + b'w/ CREATE fresh\n'),
    overflow_case('overflow_q_overflow_line_when_asked',
                  '-m --bounded-queue -e create,q_overflow w',
                  creates(Q) + b' Q_OVERFLOW \nw/ CREATE fresh\n'),
    overflow_case('overflow_csv_line_keeps_its_empty_first_field',
                  '-m --bounded-queue --csv -e create,q_overflow w',
                  creates(Q, 'w/,CREATE,f{:06d}\n') + b',Q_OVERFLOW,\nw/,CREATE,fresh\n'),
    # -q silences the banner, never the loss.
    overflow_case('overflow_warning_is_not_silenced_by_q',
                  '-m -q --bounded-queue -e create w', creates(Q) + b'w/ CREATE fresh\n',
                  stderr=WARNING, ready='marks'),
    overflow_case('overflow_on_overflow_exit_status_3',
                  '-m --bounded-queue --on-overflow=exit -e create w', creates(Q), status=3, then=''),
    Case('overflow_json_record_between_the_events',
         shell=f'"$FSWAIT" --json -m -t 2 --bounded-queue -e create w | {LOAD} summary --json',
         setup='mkdir w', workload=stalled(OVERFLOWING, 'touch w/fresh', FSWAIT_PID),
         # --json attributes events, so the queue also holds the execs of
         # every process on the machine: fewer than Q creates fit.
         stdout=Match(rb'start watches established\n\d+ events\n'
                      rb'overflow the kernel event queue overflowed; events were lost\n'
                      rb'1 events\nstop timeout\n'),
         stderr=BANNER + WARNING, oracle=False, root=True),
    # The default unlimited queue: a stopped reader loses nothing.
    overflow_case('overflow_unlimited_queue_loses_nothing', '-m -e create w',
                  creates(OVERFLOWING) + b'w/ CREATE fresh\n', stderr=BANNER),
    # A directory renamed while events were lost: the cache is walked again,
    # so the next event names it by its new name.
    Case('overflow_repairs_renamed_subdirectory', '-m --bounded-queue -e create,attrib w',
         setup='mkdir w w/old',
         workload=(f'kill -STOP $WATCHER_PID\n{LOAD} create w {OVERFLOWING}\nmv w/old w/new\n'
                   f'kill -CONT $WATCHER_PID\n{LOAD} wait-written $WATCHER_PID {len(creates(Q - 1))}\n'
                   'touch w/new'),
         stdout=creates(Q) + b'w/ ATTRIB,ISDIR new\n', stderr=BANNER + WARNING,
         signal='INT', status=130, oracle=False, root=True),
    Case('overflow_recursive_rescan_repairs_renamed_subdirectory', '-m -r --bounded-queue -e create w',
         setup='mkdir -p w/old',
         workload=(f'kill -STOP $WATCHER_PID\n{LOAD} create w {OVERFLOWING}\nmv w/old w/new\n'
                   f'kill -CONT $WATCHER_PID\n{LOAD} wait-written $WATCHER_PID {len(creates(Q - 1))}\n'
                   'sleep 0.3\ntouch w/new/x'),
         stdout=creates(Q) + b'w/new/ CREATE x\n',
         stderr='Setting up watches.  Beware: since -r was given, this may take a while!\n'
                'Watches established.\n' + WARNING,
         signal='INT', status=130, oracle=False, root=True),

    # ---- slow readers -----------------------------------------------------
    # 200,000 lines for a reader that reads nothing until they are all made:
    # the output queue stays at its bound, the kernel queue holds the rest.
    Case('slow_reader_bounded_memory_and_nothing_lost',
         shell=slow_reader('FSWAIT_STATS=1 "$FSWAIT" -m -q -t 2 -e create w 2>err') + PEAK_CHECK,
         setup='mkdir w', ready='marks', workload=f'{LOAD} create w 200000\ntouch go',
         stdout=creates(200000), stderr='output queue bounded\n', status=2,
         oracle=False, root=True, deadline=20),
    Case('slow_reader_bounded_queue_reports_the_loss',
         shell=slow_reader('FSWAIT_STATS=1 "$FSWAIT" -m -q -t 2 --bounded-queue -e create w 2>err',
                           f'cat > out; {LOAD} check-lines out 200000 >&2') + PEAK_CHECK,
         setup='mkdir w', ready='marks', workload=f'{LOAD} create w 200000\ntouch go',
         stderr=Match(rb'\d+ lines, \d+ distinct, in order: True\noutput queue bounded\n' + WARNING.encode()),
         status=2, oracle=False, root=True, deadline=20),

    # ---- signals ------------------------------------------------------------
    # What the kernel had queued before SIGTERM is written, then 143.
    Case('sigterm_writes_what_was_queued_before_it',
         shell=slow_reader('"$FSWAIT" -m -q -e create w'), setup='mkdir w', ready='marks',
         workload=f'{LOAD} create w 100000\nkill -TERM {FSWAIT_PID}\nsleep 0.2\ntouch go',
         # bash's own report of a job ended by a signal other than SIGINT
         stdout=creates(100000), stderr='Terminated\n', status=143, oracle=False, root=True),
    Case('sigint_json_stop_record_after_the_queued_events',
         shell=slow_reader('"$FSWAIT" --json -m -q -e create w', f'{LOAD} summary --json'),
         setup='mkdir w', ready='marks',
         workload=f'{LOAD} create w 30000\nkill -INT {FSWAIT_PID}\nsleep 0.2\ntouch go',
         stdout='start watches established\n30000 events\nstop SIGINT\n', status=130,
         oracle=False, root=True),
    # A reader that takes nothing for 2 s after SIGTERM: the rest is counted, not waited for.
    Case('sigterm_gives_up_on_a_reader_that_stopped',
         shell=slow_reader('"$FSWAIT" -m -q -e create w'), setup='mkdir w', ready='marks',
         workload=f'{LOAD} create w 100000\nkill -TERM {FSWAIT_PID}\nsleep 3\ntouch go',
         stdout=Match(rb'(w/ CREATE f\d{6}\n)*'),
         stderr=Match(rb'fswait: \d+ lines were not written: standard output took none of them for 2 s\n'
                      rb'Terminated\n'),
         status=143, oracle=False, root=True),
    # 1000 SIGHUP/SIGUSR1 a second for 10 s while 10,000 files are made:
    # every line once, in order, and no fd more than before.
    Case('signal_storm_reopens_lose_and_leak_nothing', '-m -q -o log -e create --format %f w',
         setup='mkdir w', ready='marks',
         workload=(f'{LOAD} fds $WATCHER_PID > fds_before\n'
                   f'{LOAD} storm $WATCHER_PID 10 1000 & storm=$!\n'
                   f'{LOAD} create w 10000 --rate 1000\nwait $storm\n'
                   f'{LOAD} check-lines log 10000 > lines\n'
                   f'{LOAD} fds $WATCHER_PID > fds_after\n'
                   'cmp -s fds_before fds_after && echo same > fds || paste fds_before fds_after > fds'),
         files={'lines': b'10000 lines, each once, in order\n', 'fds': b'same\n'},
         signal='INT', status=130, oracle=False, root=True, deadline=20, backends=BOTH),
    Case('signal_storm_json_every_event_once', '--json -m -q -o log -e create w',
         setup='mkdir w', ready='marks',
         workload=(f'{LOAD} storm $WATCHER_PID 10 1000 & storm=$!\n'
                   f'{LOAD} create w 10000 --rate 1000\nwait $storm\n'
                   f'{LOAD} check-lines log 10000 --json > lines\n'
                   'grep -c \'"type":"reopen"\' log | awk \'{print ($1 > 0) ? "reopened" : "never reopened"}\' > reopens\n'
                   'jq -c . log > /dev/null && echo "every line is JSON" > valid'),
         files={'lines': b'10000 lines, each once, in order\n', 'reopens': b'reopened\n',
                'valid': b'every line is JSON\n'},
         signal='INT', status=130, oracle=False, root=True, deadline=20),

    # ---- out of file descriptors ----------------------------------------------
    # 12 fds: enough to start, none left to name a directory the start-up
    # walk could not open: that event is lost, and said so; a directory
    # made while watching is known from its CREATE and still named.
    Case('out_of_fds_loss_is_said_not_silent', shell='exec prlimit --nofile=12 "$FSWAIT" -m -r -e create w',
         setup='mkdir -p w/a/b/c', workload='mkdir w/n; touch w/n/f; touch w/a/b/c/x',
         stdout=b'w/ CREATE,ISDIR n\nw/n/ CREATE f\n',
         stderr='Setting up watches.  Beware: since -r was given, this may take a while!\n'
                'Watches established.\nfswait: out of file descriptors: events in directories not named '
                'yet are being lost; raise the limit (ulimit -n)\n',
         signal='INT', status=130, oracle=False, root=True, needs='command -v prlimit'),

    # ---- fswatch-stats ------------------------------------------------------
    Case('stats_overflow_counted_below_the_table', '--bounded-queue -t 2 -e create w',
         tool='stats', setup='mkdir w', workload=stalled(OVERFLOWING),
         stdout=f'total  create  filename\n{Q:<6} {Q:<7} w/\n'
                '1 queue overflow: events were lost, the counts above are too low.\n',
         stderr=STATS_BANNER + WARNING.replace('fswait', 'fswatch-stats'), oracle=False, root=True),
    Case('stats_on_overflow_exit_prints_the_table_and_3', '--bounded-queue --on-overflow=exit -e create w',
         tool='stats', setup='mkdir w', workload=stalled(OVERFLOWING),
         stdout=f'total  create  filename\n{Q:<6} {Q:<7} w/\n'
                '1 queue overflow: events were lost, the counts above are too low.\n',
         stderr=STATS_BANNER + WARNING.replace('fswait', 'fswatch-stats'), status=3,
         oracle=False, root=True),
]
