"""fswait's documented deliberate differences from inotifywait (not oracle cases).

DESIGN.md, "Deliberate differences": %c is the command name and %k the rename
cookie; %p/%c/%u/%k end the old %Xe meaning for p/c/u/k; --help and --version
exit 0; a negative -t aborts after set-up (inotify-tools 4.x). -I, -F and -S
are in cases_backends.py.
"""
import os
import re

from casedef import BANNER, BOTH, Case, Match, lines

HERE = os.path.dirname(os.path.abspath(__file__))


def project_version():
    try:
        with open(os.path.join(HERE, '..', '..', 'meson.build')) as f:
            m = re.search(r"project\([^)]*?version:\s*'([^']+)'", f.read(), re.S)
        return re.escape(m.group(1)) if m else r'\S+'
    except OSError:
        return r'\S+'


VERSION_LINE = ('fswait ' + project_version() + r'\n').encode()


def by_writer(fmt):
    """Expected line for an event caused by `sh -c 'echo $$ > p/pid; exec touch w/f'`."""
    return lambda ctx: (fmt % ctx.text('p/pid')).encode()


# The writer stays alive for a second: attribution of a process that has
# already exited when fswait reads the event is a later issue's target.
TOUCH_RECORDING_PID = "sh -c 'echo $$ > p/pid; : > w/f; sleep 1'"


CASES = [
    Case('fswait_help_exits_0', '--help', oracle=False, backends=BOTH,
         stdout=Match(VERSION_LINE + rb'.*', re.S)),
    Case('fswait_version_exits_0', '--version', oracle=False, backends=BOTH,
         stdout=Match(VERSION_LINE + rb'.*', re.S)),
    # E93's shape with %k: one non-zero lower-case hex cookie shared by the pair.
    Case('e93_k_cookie_pairs_rename', ['-q', '-m', '-t', '1', '-e', 'create',
                                       '-e', 'moved_from', '-e', 'moved_to',
                                       '--format', '%k %e %w%f', 'w'],
         setup='mkdir w', workload='touch w/src; mv w/src w/dst', oracle=False, backends=BOTH,
         stdout=Match(rb'0 CREATE w/src\n([1-9a-f][0-9a-f]*) MOVED_FROM w/src\n'
                      rb'\1 MOVED_TO w/dst\n'),
         status=2),
    Case('fswait_pe_ce_ue_ke_are_specifiers_then_e',
         ['-q', '-e', 'create', '--format', '%pe|%ce|%ue|%ke|%_e', 'w'],
         setup='mkdir w p', workload=TOUCH_RECORDING_PID, oracle=False, root=True,
         stdout=by_writer('%se|she|roote|0e|CREATE\n')),
    Case('fswait_format_every_specifier',
         ['-q', '-e', 'create', '--timefmt', 'TIME',
          '--format', '%w|%f|%e|%,e|%:e|%p|%c|%u|%k|%T|%%|%0|%n|%x', 'w'],
         setup='mkdir w p', workload=TOUCH_RECORDING_PID, oracle=False, root=True,
         stdout=by_writer('w/|f|CREATE|CREATE|CREATE|%s|sh|root|0|TIME|%%|\0|\n|%%x\n')),
    Case('e172_negative_timeout_aborts_after_setup', '-t -1 w', setup='mkdir w',
         oracle=False, backends=BOTH, stderr=BANNER + 'Negative timeout specified - abort!\n', status=1),
]
