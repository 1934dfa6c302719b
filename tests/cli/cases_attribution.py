"""Who caused the event: %p pid, %c command name, %u user (fswait only, root).

writer.sh records its own pid ($$) in p/pid, then writes w/f with a shell
builtin (so the writing process is the script itself, whose command name is
`writer.sh`), then stays alive for a second.
"""
from casedef import Case, lifecycle

WRITER = r'''mkdir -m 777 w p
printf '#!/bin/sh\necho $$ > p/pid\necho x > w/f\nsleep 1\n' > writer.sh
chmod 755 writer.sh
'''
WHO_FORMAT = ['-q', '--format', '%p %c %u %e %f', '-e', 'close_write', 'w']


def writer_line(user):
    return lambda ctx: f'{ctx.text("p/pid")} writer.sh {user} CLOSE_WRITE,CLOSE f\n'.encode()


def attribution(name, run_as, user):
    return Case(name, WHO_FORMAT, setup=WRITER, workload=run_as + './writer.sh',
                stdout=writer_line(user), oracle=False, root=True)


CASES = [
    attribution('attr_writer_root', '', 'root'),
    attribution('attr_writer_nobody',
                'setpriv --reuid=nobody --regid=nogroup --clear-groups ', 'nobody'),
    attribution('attr_writer_uid_without_passwd_entry',
                'setpriv --reuid=54321 --regid=54321 --clear-groups ', '54321'),
    # The watcher's own writes (its -o file is inside the watched dir) never show.
    Case('attr_own_events_never_reported', '-q -m -t 1 -o w/log w', setup='mkdir w',
         workload='touch w/f', oracle=False, root=True,
         files={'w/log': lifecycle('w/ ', 'f')}, status=2),
]
