"""fswatch-stats --by and --max-rows (no inotifywatch equivalent): exact
tables for processes of known command, user and pid.

Repeated writes to one file come from separate processes: fanotify merges
queued events of one process on one file, so a count would depend on when
the queue is read."""
from casedef import Case
from cases_stats import BANNER, table


def by(name, args, *, setup, workload, stdout, **kw):
    return Case(name, args, setup=setup, workload=workload, stdout=stdout, stderr=BANNER,
                oracle=False, root=True, tool='stats', **kw)


CASES = [
    # touch makes a; sh appends to b; cat reads the empty a (no ACCESS).
    by('stats_by_command', '--by command -t 1 w', setup='mkdir w',
       workload="touch w/a; sh -c 'echo x >> w/b'; cat w/a",
       stdout=table('total  modify  attrib  close_write  close_nowrite  open  create  filename',
                    '4      0       1       1            0              1     1       touch',
                    '4      1       0       1            0              1     1       sh',
                    '2      0       0       0            1              1     0       cat')),
    by('stats_by_user', '--by user -t 1 w', setup='mkdir -m 777 w',
       workload='touch w/a; setpriv --reuid=nobody --regid=nogroup --clear-groups touch w/b w/c',
       stdout=table('total  attrib  close_write  open  create  filename',
                    '8      2       2            2     2       nobody',
                    '4      1       1            1     1       root')),
    by('stats_by_pid', '--by pid -t 1 w', setup='mkdir w p',
       workload="sh -c 'echo $$ > p/pid; echo x >> w/f'",
       stdout=lambda ctx: table('total  modify  close_write  open  create  filename',
                                f'4      1       1            1     1       {ctx.text("p/pid")}').encode()),
    by('stats_by_path_recursive', '--by path -r -t 1 w', setup='mkdir -p w/a',
       workload="touch w/a/1; sh -c 'echo x >> w/2'; sh -c 'echo y >> w/2'",
       stdout=table('total  modify  attrib  close_write  open  create  filename',
                    '7      2       0       2            2     1       w/2',
                    '4      0       1       1            1     1       w/a/1')),
    # big: 10 events; mid and small: 4 each. When small comes the table is
    # full and mid, the smallest, goes into (other).
    by('stats_max_rows_folds_the_smallest_into_other', '--by path --max-rows 2 -t 1 w', setup='mkdir w',
       workload="for i in 1 2 3; do sh -c 'echo x >> w/big'; done; touch w/mid; touch w/small",
       stdout=table('total  modify  attrib  close_write  open  create  filename',
                    '10     3       0       3            3     1       w/big',
                    '4      0       1       1            1     1       w/small',
                    '4      0       1       1            1     1       (other)')),
]
