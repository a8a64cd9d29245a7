#!/usr/bin/env bash
# gaitmonctl export and delete against the real gaitmond on a private system-like bus with the
# installed policy. A 15-minute run written into the history as gaitmond writes it is exported
# as FIT (read back by gpsbabel and by fit-check.py, a decoder of the test's own that checks
# every value against the database), CSV and JSON; bad input is refused with a clear message and
# leaves the history as it was; a deleted run leaves none of its bytes in the files; the run in
# progress cannot be exported or deleted; other users are denied; strides older than the
# retention are dropped when gaitmond starts.
set -euo pipefail

ctl=$1 gaitmond=$2 fill=$4 policy=$5
GM_CTL=$1 GM_DAEMON=$2 GM_SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/gmtest.sh"
. "$here/../lib/testbus.sh"
work=$(mktemp -d)
chmod 755 "$work" # the access test connects as nobody
gm_on_exit 'rm -rf "$work"'

command -v gpsbabel > /dev/null || die "gpsbabel is not installed (Debian package gpsbabel)"

db=$work/state/history.db
sql() { sqlite3 -readonly "$db" "$@"; }

# expect_fail CODE PATTERN COMMAND...: exits with CODE and says PATTERN on stderr.
expect_fail() {
        local code=$1 pattern=$2 rc=0
        shift 2
        "$@" > "$work/out" 2> "$work/err" || rc=$?
        [ "$rc" -eq "$code" ] && grep -q -- "$pattern" "$work/err" ||
                die "'${*##*/}': exit $rc (expected $code), stderr: $(cat "$work/err")"
}

# Runs 1 and 2 as gaitmond wrote them at schema version 2 (one ended, one cut by a kill), brought
# to this schema when the history is next opened.
mkdir -p "$work/state"
sqlite3 "$db" < "$here/history-v2.sql" || die "cannot load the schema 2 history"
# Run 3 from two days ago: 15 minutes with every stride, as gaitmond writes them.
start_us=$(( ($(date +%s) - 2 * 86400) * 1000000 + 123456 ))
run=$("$fill" "$work/state" "$start_us" 2> "$work/fill.log")
[ "$run" = 3 ] || die "store-fill made run '$run'"
[ "$(sql "PRAGMA user_version")" = 3 ] || die "the schema 2 history was not brought to schema 3"
grep -q "run 2 was never ended; kept as interrupted" "$work/fill.log" || die "run 2: $(cat "$work/fill.log")"
# Run 4 from 100 days ago: past the default stride retention (90 days) when gaitmond starts.
old_us=$(( ($(date +%s) - 100 * 86400) * 1000000 ))
run=$("$fill" "$work/state" "$old_us")
[ "$run" = 4 ] || die "store-fill made run '$run'"

cat > "$work/test-owner.conf" <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy user="root"><allow own="org.gaitmon.Monitor1"/></policy>
</busconfig>
XML
testbus_start "$work/bus" "$policy" "$work/test-owner.conf" 2>/dev/null
chmod 755 "$work/bus"

sim_start "$work" --speed 20 "$here/e2e-scenario.ini"
daemon_config "$work"
daemon_start "$work" "$work/daemon.log"
run_in_progress() { [ "$(sql "SELECT state FROM runs WHERE id = 5")" = active ]; }
wait_for 60 "a run in progress" run_in_progress
strides=$(sql "SELECT count(*) FROM run_strides WHERE run_id = 4"),$(sql "SELECT count(*) FROM run_minutes WHERE run_id = 4")
[ "$strides" = 0,15 ] || die "run 4's strides,minutes after the retention: $strides"
grep -q "dropped [0-9]* strides older than 90 days" "$work/daemon.log" || die "the retention was not logged"
echo "retention: the strides of the run of 100 days ago dropped at start, its 15 minutes kept"

# The installed interface XML: the record methods and, in their documentation, every key (the
# database's columns: one table makes both).
"$gaitmond" --print-introspection > "$work/interface.xml" || die "--print-introspection"
python3 - "$work/interface.xml" "$db" "$here/../../man/gaitmonctl.1.scd" <<'PY' || die "the interface XML"
import sqlite3, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
db = sqlite3.connect(f"file:{sys.argv[2]}?mode=ro", uri=True)
def columns(table):
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] != "run_id"]
methods = {m.get("name"): m for m in root.iter("method")}
def sig(name, direction):
    return "".join(a.get("type") for a in methods[name].iter("arg") if a.get("direction") == direction)
assert sig("GetSessions", "out") == "aa{sv}" and sig("GetRun", "out") == "a{sv}", "positional replies"
assert sig("GetStrides", "in") == "tdd" and sig("GetStrides", "out") == "aa{sv}"
assert sig("DeleteRun", "in") == "t" and sig("DeleteRun", "out") == ""
def doc(name):
    return [a.get("value") for a in methods[name].iter("annotation") if a.get("name") == "org.gtk.GDBus.DocString"][0]
for method, table in (("GetSessions", "runs"), ("GetRun", "run_minutes"), ("GetStrides", "run_strides")):
    for col in columns(table):
        key = "advice" if col == "advice_summary" else col
        assert f" {key} (" in doc(method), f"{method}'s documentation lacks {key}"
assert "RunInProgress" in doc("DeleteRun")
# gaitmonctl(1) lists the same keys (scdoc escapes the underscores).
man = open(sys.argv[3]).read().replace("\\_", "_")
for table in ("runs", "run_minutes", "run_strides"):
    for col in columns(table):
        key = "advice" if col == "advice_summary" else col
        if table == "run_minutes" and col.startswith(("stance_", "hip_ext_", "pelvic_drop_")):
            continue  # named together there: "the stance, hip extension and pelvic drop of each side"
        assert f"_{key}_" in man, f"gaitmonctl(1) does not list {key}"
print("interface XML: GetSessions, GetRun, GetStrides, DeleteRun documented with every key")
PY

# FIT: gpsbabel and the test's own decoder read it back. The time is printed, not judged: the
# machine may be busy; the fastest of five says what export costs.
times=()
for i in 1 2 3 4 5; do
        t0=$(date +%s%N)
        "$ctl" export 3 -o "$work/run.fit" 2> "$work/export.err" || die "export: $(cat "$work/export.err")"
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000000 )))
done
echo "export of a 15-minute run ($(sql "SELECT count(*) FROM run_strides WHERE run_id = 3") strides) to FIT," \
     "gaitmonctl started and GetRun and GetStrides included: $(printf '%s\n' "${times[@]}" | sort -n | head -n1) ms" \
     "(runs: ${times[*]} ms), $(stat -c %s "$work/run.fit") bytes; $(cat "$work/export.err")"
# Without a position gpsbabel skips a point unless told to keep all (allpoints); -t: tracks.
gpsbabel -t -i garmin_fit,allpoints=1 -f "$work/run.fit" -o unicsv -F "$work/babel.csv" 2> "$work/babel.err" ||
        die "gpsbabel cannot read the file: $(cat "$work/babel.err")"
python3 "$here/fit-check.py" "$work/run.fit" "$db" 3 "$work/babel.csv" || die "the FIT file disagrees"
"$ctl" export 3 > "$work/stdout.fit" || die "export to stdout"
cmp -s "$work/run.fit" "$work/stdout.fit" || die "export to stdout differs from -o"

# CSV and JSON: every stride and minute as in the database.
check_csv_json() {
        local id=$1
        "$ctl" export "$id" --format json -o "$work/run.json" 2>/dev/null || die "export $id --format json"
        "$ctl" export "$id" --format csv -o "$work/run.csv" 2>/dev/null || die "export $id --format csv"
        python3 - "$work/run.json" "$work/run.csv" "$db" "$id" <<'PY' || die "CSV or JSON of run $id disagrees with the database"
import csv, io, json, math, sqlite3, sys
doc = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
db = sqlite3.connect(f"file:{sys.argv[3]}?mode=ro", uri=True)
db.row_factory = sqlite3.Row
def same(a, b, what):
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        assert a == b, f"{what}: {a!r} != {b!r}"
    else:
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), f"{what}: {a!r} != {b!r}"
run_id = int(sys.argv[4])
tables = {"strides": db.execute("SELECT * FROM run_strides WHERE run_id = ? ORDER BY t_s, side", (run_id,)).fetchall(),
          "minutes": db.execute("SELECT * FROM run_minutes WHERE run_id = ? ORDER BY t_s", (run_id,)).fetchall()}
run = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
for key in run.keys():
    if key != "advice_summary":
        same(doc["run"][key], run[key], f"run {key}")
same(doc["run"]["advice"], run["advice_summary"], "advice")
lines = [l for l in text.splitlines() if not l.startswith("#")]
blank = lines.index("")
sections = {"strides": list(csv.DictReader(io.StringIO("\n".join(lines[:blank])))),
            "minutes": list(csv.DictReader(io.StringIO("\n".join(lines[blank + 1:]))))}
for name, rows in tables.items():
    assert len(doc[name]) == len(rows) == len(sections[name]), (name, len(doc[name]), len(rows), len(sections[name]))
    for got, cells, row in zip(doc[name], sections[name], rows):
        for key in row.keys():
            if key == "run_id":
                continue
            same(got[key], row[key], f"json {name} {key}")
            cell = cells[key]
            value = None if cell == "" else cell if isinstance(row[key], str) else float(cell)
            same(value, row[key], f"csv {name} {key}")
print(f"json and csv of run {run_id} ({run['state']}): {len(tables['strides'])} strides and "
      f"{len(tables['minutes'])} minutes agree with the database")
PY
}
check_csv_json 3
# The runs of the older schema export like the others (without strides: none were kept then).
check_csv_json 1
check_csv_json 2
"$ctl" export 1 -o "$work/old.fit" 2>/dev/null || die "export of the schema 2 run"
gpsbabel -t -i garmin_fit,allpoints=1 -f "$work/old.fit" -o unicsv -F "$work/old-babel.csv" 2> "$work/babel.err" ||
        die "gpsbabel cannot read the schema 2 run's file: $(cat "$work/babel.err")"
python3 "$here/fit-check.py" "$work/old.fit" "$db" 1 "$work/old-babel.csv" || die "the schema 2 run's FIT file disagrees"

# Bad input: a clear message, a non-zero exit, the history as it was.
snapshot() {
        sql "SELECT * FROM runs WHERE id = 3; SELECT * FROM run_minutes WHERE run_id = 3;
             SELECT * FROM run_strides WHERE run_id = 3; SELECT * FROM run_actions WHERE run_id = 3" | sha256sum
}
before=$(snapshot)
expect_fail 1 "No run with id 999" "$ctl" export 999 -o "$work/x.fit"
expect_fail 1 "Run 5 is in progress" "$ctl" export 5 -o "$work/x.fit"
[ ! -e "$work/x.fit" ] || die "a failed export left a file"
expect_fail 1 "Cannot write $work/no/such/dir/run.fit" "$ctl" export 3 -o "$work/no/such/dir/run.fit"
expect_fail 2 "Unknown export format 'xml'" "$ctl" export 3 --format xml
expect_fail 2 "Invalid run id" "$ctl" export abc
expect_fail 2 "needs a run id" "$ctl" export
expect_fail 2 "does not apply" "$ctl" show 3 --format csv
expect_fail 1 "Run 5 is in progress; end it first" "$ctl" delete 5
expect_fail 1 "No run with id 999" "$ctl" delete 999
expect_fail 2 "Invalid date" "$ctl" delete --all --before yesterday
expect_fail 2 "goes with --all" "$ctl" delete --before 2020-01-01
for verb in "export 3 -o $work/nobody.fit" "delete 3"; do
        expect_fail 1 "Access denied" setpriv --reuid=nobody --regid=nogroup --clear-groups "$ctl" $verb
done
[ "$(snapshot)" = "$before" ] || die "bad input changed the history"
[ "$(sql "SELECT state FROM runs WHERE id = 5")" = active ] || die "run 5 is no longer in progress"
echo "bad input: refused with messages, the history unchanged"

# Delete: the run and everything of it gone, its bytes too.
marker="MARKER-$start_us"
grep -a -q "$marker" "$db" "$db-wal" 2>/dev/null || die "the marker was never written"
"$ctl" delete --all --before 2000-01-01 > "$work/out" || die "delete --all --before 2000-01-01 failed"
grep -q "No runs to delete" "$work/out" || die "delete --before 2000: $(cat "$work/out")"
"$ctl" delete 3 > "$work/out" || die "delete 3 failed"
grep -q "Deleted run 3" "$work/out" || die "delete 3 said: $(cat "$work/out")"
[ "$(sql "SELECT (SELECT count(*) FROM runs WHERE id = 3) + (SELECT count(*) FROM run_minutes WHERE run_id = 3) +
          (SELECT count(*) FROM run_strides WHERE run_id = 3) + (SELECT count(*) FROM run_actions WHERE run_id = 3)")" = 0 ] ||
        die "rows of run 3 remain"
for f in "$db" "$db-wal"; do
        [ ! -e "$f" ] || ! grep -a -q "$marker" "$f" || die "the deleted run's advice is still in $f"
done
expect_fail 1 "No run with id 3" "$ctl" show 3
"$ctl" --json --days 0 history > "$work/history.json"
python3 -c 'import json,sys; ids=[r["id"] for r in json.load(open(sys.argv[1]))["runs"]]; assert ids == [1, 2, 4, 5], ids' \
        "$work/history.json" || die "history after delete: $(cat "$work/history.json")"
expect_fail 1 "Run 5 is in progress" "$ctl" delete --all
for id in 1 2 4; do
        grep -q "Deleted run $id\." "$work/out" || die "delete --all did not delete run $id: $(cat "$work/out")"
done
[ "$(sql "SELECT group_concat(id) FROM runs")" = 5 ] || die "after delete --all: runs $(sql "SELECT group_concat(id) FROM runs")"
echo "delete: run 3 gone from the tables and the files; the run in progress kept"

# A history damaged while gaitmond was down: set aside as it is when gaitmond starts, and an
# export of a run it held says there is no such run.
daemon_stop
[ ! -s "$db-wal" ] || die "gaitmond left a WAL behind at exit"
printf 'not a b-tree page %.0s' $(seq 400) | dd of="$db" bs=4096 seek=1 conv=notrunc status=none
damaged=$(sha256sum < "$db")
daemon_start "$work" "$work/daemon2.log"
grep -q "run history is corrupt" "$work/daemon2.log" || die "the damage was not reported: $(cat "$work/daemon2.log")"
aside=$(ls "$work/state"/history.db.corrupt-* | head -n1)
[ "$(sha256sum < "$aside")" = "$damaged" ] || die "the damaged history was changed when set aside"
expect_fail 1 "No run with id 5" "$ctl" export 5 -o "$work/x.fit"
[ ! -e "$work/x.fit" ] || die "a failed export left a file"
echo "damaged history: reported, kept aside unchanged as ${aside##*/}; export says there is no such run"
echo ok
