"""--json: JSON Lines records (fswait only), exact but for the time."""
import os
import re

from casedef import Case, Match

TIME = rb'"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"'
NOT_EVENT = (rb',"events":\[\],"is_dir":false,"watch":null,"name":null,"path":null,"pid":null,'
             rb'"comm":null,"exe":null,"uid":null,"user":null,"cookie":null,')


def record(kind, message):
    return rb'\{"v":1,"type":"' + kind + rb'",' + TIME + NOT_EVENT + rb'"message":"' + message + rb'"\}\n'


def sh_writer_lines(ctx):
    pid = ctx.text('p/pid').encode()
    path = re.escape(os.path.realpath(ctx.dir).encode() + b'/w/f')
    event = (rb'\{"v":1,"type":"event",' + TIME + rb',"events":\["CLOSE_WRITE","CLOSE"\],"is_dir":false,'
             rb'"watch":"w/","name":"f","path":"' + path + rb'","pid":' + pid +
             rb',"comm":"sh","exe":"/usr/bin/dash","uid":0,"user":"root","cookie":null,"message":null\}\n')
    return Match(record(b'start', b'watches established') + event + record(b'stop', b'end'))


# Names no line-based format survives, through jq and back to the bytes.
HOSTILE = r'''
"$FSWAIT" -m -q -t 1 -e create --json w > out &
P=$!
for i in $(seq 500); do grep -qs "fanotify ino:" /proc/$P/fdinfo/* && break; sleep 0.01; done
python3 -c '
import os
names = [b"new\nline", b"cr\rhere", b"esc\x1b[31mred", b"quote\"q", b"back\\slash", b"tab\tx",
         b"\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac", b"bad\xff\xfe", b"lone\x80", b"del\x7f"]
for n in names:
    open(os.path.join(b"w", n), "wb").close()
open("names", "wb").write(b"\0".join(names))
'
wait $P
grep -c . out
jq -c . out > /dev/null && echo "jq accepts every line"
jq -r 'select(.type == "event") | .name_base64 // (.name | @base64)' out | while read -r b; do
    printf "%s" "$b" | base64 -d; printf "\0"
done > decoded
python3 -c '
want = open("names", "rb").read().split(b"\0")
got = open("decoded", "rb").read().split(b"\0")[:-1]
print("names back exactly:", got == want, len(got))'
'''

CASES = [
    Case('json_records_of_a_run', ['-q', '--json', '-e', 'close_write', 'w'], setup='mkdir w p',
         workload="sh -c 'echo $$ > p/pid; echo x > w/f'", oracle=False, root=True,
         stdout=sh_writer_lines),
    Case('json_hostile_names_round_trip', shell=HOSTILE, setup='mkdir w', oracle=False, root=True,
         ready='marks', marks=0, needs='command -v jq',
         stdout=b'12\njq accepts every line\nnames back exactly: True 10\n'),
    Case('json_excludes_format', ['--json', '--format', '%f', 'w'], setup='mkdir w', oracle=False,
         stderr='--json cannot be used with --format or --csv.\n', status=1),
    Case('json_excludes_csv', ['--json', '-c', 'w'], setup='mkdir w', oracle=False,
         stderr='--json cannot be used with --format or --csv.\n', status=1),
]
