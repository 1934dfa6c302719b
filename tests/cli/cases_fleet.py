"""One end-to-end fleet path: fswait's JSON Lines file, read by a real
rsyslog (imfile) that forwards over loopback TCP (omfwd) to a second real
rsyslog (imtcp), across a rotation (rename + SIGHUP): every event arrives
exactly once."""
from casedef import Case

FLEET = r'''
set -e
D=$PWD
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p rx tx
cat > rx.conf <<CONF
global(workDirectory="$D/rx")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$PORT")
template(name="raw" type="string" string="%msg%\n")
action(type="omfile" file="$D/received" template="raw")
CONF
cat > tx.conf <<CONF
global(workDirectory="$D/tx")
module(load="imfile")
input(type="imfile" file="$D/logs/events.jsonl" tag="fswait" reopenOnTruncate="on" freshStartTail="off")
action(type="omfwd" target="127.0.0.1" port="$PORT" protocol="tcp"
       queue.type="LinkedList" queue.filename="fwd" queue.saveOnShutdown="on"
       action.resumeRetryCount="-1")
CONF
rsyslogd -n -f rx.conf -i rx.pid 2> rx.err & RX=$!
sleep 0.5
rsyslogd -n -f tx.conf -i tx.pid 2> tx.err & TX=$!
"$FSWAIT" -m -q --json -e create -o logs/events.jsonl w & FS=$!
for i in $(seq 500); do grep -qs "fanotify ino:" /proc/$FS/fdinfo/* && break; sleep 0.01; done
for i in $(seq 100); do : > w/a$i; done
sleep 1
mv logs/events.jsonl logs/events.jsonl.1
kill -HUP $FS
sleep 0.5
for i in $(seq 100); do : > w/b$i; done
for i in $(seq 300); do
    [ "$(grep -c '"type":"event"' received 2>/dev/null || true)" -ge 200 ] && break
    sleep 0.1
done
sleep 1
kill $FS $TX $RX 2>/dev/null || true
wait $FS $TX $RX 2>/dev/null || true
python3 -c '
import collections, json
names = collections.Counter()
types = collections.Counter()
for line in open("received", "rb"):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    types[r["type"]] += 1
    if r["type"] == "event":
        names[r["name"]] += 1
want = {f"a{i}" for i in range(1, 101)} | {f"b{i}" for i in range(1, 101)}
print("events:", sum(names.values()), "distinct:", len(names), "all:", set(names) == want,
      "twice:", sum(1 for n in names.values() if n > 1))
print("start:", types["start"], "reopen:", types["reopen"])
'
'''

CASES = [
    Case('fleet_rsyslog_imfile_omfwd_across_rotation', shell=FLEET, setup='mkdir w; mkdir -m 755 logs',
         oracle=False, root=True, ready='marks', marks=0, deadline=60, needs='command -v rsyslogd',
         stdout=b'events: 200 distinct: 200 all: True twice: 0\nstart: 1 reopen: 1\n'),
]
