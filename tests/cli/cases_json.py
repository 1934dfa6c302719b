"""--json: JSON Lines records (fswait only), exact but for the time."""
import os
import re

from casedef import BOTH, Case, Match

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
         backends=BOTH,
         stderr='--json cannot be used with --format or --csv.\n', status=1),
    Case('json_excludes_csv', ['--json', '-c', 'w'], setup='mkdir w', oracle=False, backends=BOTH,
         stderr='--json cannot be used with --format or --csv.\n', status=1),
]


# --journal: journald's native protocol received on a private
# /run/systemd/journal/socket (a tmpfs over /run in a private mount
# namespace), and READY=1 on $NOTIFY_SOCKET once the marks are placed.
JOURNAL = r'''
unshare -m bash -c '
mount -t tmpfs none /run
mkdir -p /run/systemd/journal
python3 - <<PY &
import os, socket, struct
def listen(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(3)
    return s
journal = listen("/run/systemd/journal/socket")
notify = listen(os.getcwd() + "/notify.sock")
open("listening", "w").close()
print(notify.recv(4096).decode(), flush=True)
try:
    while True:
        d = journal.recv(65536)
        fields = {}
        while d:
            nl = d.index(b"\n")
            head = d[:nl]
            if b"=" in head:
                k, v = head.split(b"=", 1)
                d = d[nl + 1:]
            else:
                k = head
                n = struct.unpack("<Q", d[nl + 1:nl + 9])[0]
                v = d[nl + 9:nl + 9 + n]
                d = d[nl + 10 + n:]
            fields[k.decode()] = v
        print(" ".join(f"{k}={v!r}" for k, v in sorted(fields.items())), flush=True)
except socket.timeout:
    pass
PY
while [ ! -e listening ]; do sleep 0.01; done
NOTIFY_SOCKET=$PWD/notify.sock "$FSWAIT" -q --journal -e close_write w &
P=$!
sleep 0.5
sh -c "echo \$\$ > p/pid; printf x > \"w/new
line\""
wait $P
echo "status $?"
wait
' > out
sed -e "s/$(cat p/pid)/PID/g" -e "s#$(pwd -P)#DIR#g" out
'''

E_START = ("FSWAIT_TYPE=b'start' MESSAGE=b'watches established' "
           "MESSAGE_ID=b'e27dae7f7be949e5b12a3efbdcf21a57' PRIORITY=b'6' SYSLOG_IDENTIFIER=b'fswait'\n")
E_EVENT = ("FSWAIT_COMM=b'sh' FSWAIT_EVENTS=b'CLOSE_WRITE,CLOSE' FSWAIT_EXE=b'/usr/bin/dash' "
           "FSWAIT_NAME=b'new\\nline' FSWAIT_PATH=b'DIR/w/new\\nline' FSWAIT_PID=b'PID' "
           "FSWAIT_TYPE=b'event' FSWAIT_UID=b'0' FSWAIT_USER=b'root' FSWAIT_WATCH=b'w/' "
           "MESSAGE=b'w/ CLOSE_WRITE,CLOSE new\\nline' MESSAGE_ID=b'41146f5b67554de39fcc9d2e2a7fdd11' "
           "PRIORITY=b'6' SYSLOG_IDENTIFIER=b'fswait'\n")
E_STOP = ("FSWAIT_TYPE=b'stop' MESSAGE=b'end' MESSAGE_ID=b'06b40b00fabc405285d5da157f143f77' "
          "PRIORITY=b'6' SYSLOG_IDENTIFIER=b'fswait'\n")

CASES += [
    Case('journal_entries_and_ready', shell=JOURNAL, setup='mkdir w p', oracle=False, root=True,
         ready='marks', marks=0, deadline=20,
         stdout=('READY=1\n' + E_START + E_EVENT + E_STOP + 'status 0\n').encode()),
]


def created_f_then_stop(signal, inotify=False):
    """With inotify (-I, or as nobody) nothing names the process: null."""
    process = (rb'"pid":null,"comm":null,"exe":null,"uid":null,"user":null,' if inotify else
               rb'"pid":\d+,"comm":"touch","exe":"/usr/bin/touch","uid":0,"user":"root",')

    def expect(ctx):
        path = re.escape(os.path.realpath(ctx.dir).encode() + b'/w/f')
        event = (rb'\{"v":1,"type":"event",' + TIME + rb',"events":\["CREATE"\],"is_dir":false,'
                 rb'"watch":"w/","name":"f","path":"' + path + rb'",' + process +
                 rb'"cookie":null,"message":null\}\n')
        return Match(record(b'start', b'watches established') + event + record(b'stop', signal))
    return expect


CASES += [
    # Stopped by a signal, the stream still ends with a stop record, and
    # the exit status is the signal's.
    Case('json_stop_record_on_sigterm', ['-m', '-q', '--json', '-e', 'create', 'w'], setup='mkdir w',
         workload='touch w/f; sleep 0.3', signal='TERM', oracle=False, root=True,
         stdout=created_f_then_stop(b'SIGTERM'), status=143, backends=BOTH,
         stdout_inotify=created_f_then_stop(b'SIGTERM', inotify=True)),
    Case('json_stop_record_on_sigint', ['-m', '-q', '--json', '-e', 'create', 'w'], setup='mkdir w',
         workload='touch w/f; sleep 0.3', signal='INT', oracle=False, root=True,
         stdout=created_f_then_stop(b'SIGINT'), status=130, backends=BOTH,
         stdout_inotify=created_f_then_stop(b'SIGINT', inotify=True)),
]
