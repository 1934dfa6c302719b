#!/bin/bash
# contrib/shippers/vector.toml: valid TOML (Vector itself is not packaged
# for Debian, so "vector validate" cannot run here), with a file source, a
# journald source on SYSLOG_IDENTIFIER=fswait, a remap reading both, and a
# sink fed by the remap.
#
# Usage: vector_toml.sh CONFIG
# Exit: 0 pass, 1 fail, 77 (skip) when python3 has no tomllib (< 3.11),
#       unless CI=true.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 CONFIG" >&2
    exit 1
fi

python3 - "$1" <<'PY'
import sys
try:
    import tomllib
except ImportError:
    import os
    print("vector_toml: python3 has no tomllib", file=sys.stderr)
    sys.exit(1 if os.environ.get("CI") == "true" else 77)

with open(sys.argv[1], "rb") as f:
    try:
        conf = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        print(f"FAIL: {sys.argv[1]}: {e}", file=sys.stderr)
        sys.exit(1)

errors = []
def check(cond, what):
    if not cond:
        errors.append(what)

sources = conf.get("sources", {})
transforms = conf.get("transforms", {})
sinks = conf.get("sinks", {})
files = [n for n, s in sources.items() if s.get("type") == "file"]
journals = [n for n, s in sources.items() if s.get("type") == "journald"]
check(any("/var/log/fswait/events.jsonl" in sources[n].get("include", []) for n in files),
      "a file source including /var/log/fswait/events.jsonl")
check(any(sources[n].get("include_matches", {}).get("SYSLOG_IDENTIFIER") == ["fswait"]
          for n in journals),
      "a journald source with include_matches.SYSLOG_IDENTIFIER = [\"fswait\"]")
remaps = [n for n, t in transforms.items() if t.get("type") == "remap"]
check(any(set(files + journals) <= set(transforms[n].get("inputs", [])) for n in remaps),
      "a remap transform whose inputs are both sources")
check(any("parse_json" in transforms[n].get("source", "") for n in remaps),
      "parse_json in the remap")
check(any(set(s.get("inputs", [])) & set(remaps) for s in sinks.values()),
      "a sink fed by the remap")
# Every input names something that exists.
names = set(sources) | set(transforms)
for kind, table in (("transforms", transforms), ("sinks", sinks)):
    for n, c in table.items():
        for i in c.get("inputs", []):
            check(i in names, f"{kind}.{n}: input {i!r} exists")

for e in errors:
    print(f"FAIL: {sys.argv[1]}: expected {e}", file=sys.stderr)
if not errors:
    print(f"{sys.argv[1]}: valid TOML; sources {sorted(sources)}, transforms {sorted(transforms)}, sinks {sorted(sinks)}")
sys.exit(1 if errors else 0)
PY
