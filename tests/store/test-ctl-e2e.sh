#!/usr/bin/env bash
# gaitmonctl against the real gaitmond fed by gaitmon-sim on a private system-like bus with the
# installed policy: status, watch, history and show agree with the history database; show
# draws its chart; kill -9 during a run leaves it in the history as interrupted with its
# minutes; access is denied to other users.
set -euo pipefail

ctl=$1 policy=$4
GM_CTL=$1 GM_DAEMON=$2 GM_SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/gmtest.sh"
. "$here/../lib/testbus.sh"
work=$(mktemp -d)
chmod 755 "$work" # the access test connects as nobody
gm_on_exit 'rm -rf "$work"'

db=$work/state/history.db
sql() { sqlite3 -readonly "$db" "$@"; }
sql_json() { sqlite3 -readonly -json "$db" "$@"; }

# The installed policy, plus root owning the name (gaitmond runs as user gaitmon when installed).
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
daemon_config "$work" '[session]' 'idle_timeout_s = 20'
daemon_start "$work" "$work/daemon1.log"

# status: every property, as text and as JSON.
"$ctl" status > "$work/status.txt"
for label in State: Cadence: "Hip extension:" "Pelvic drop:" Asymmetry: Sensors: "Run started:"; do
        grep -q "$label" "$work/status.txt" || die "status lacks '$label': $(cat "$work/status.txt")"
done
"$ctl" --json status > "$work/status.json"
python3 -m json.tool "$work/status.json" > /dev/null || die "status --json is not JSON"
python3 "$here/check-ctl-json.py" status "$work/status.json" || die "status --json"

# watch, not on a tty: the status once, then a line per change, for the time asked.
"$ctl" watch --duration 3 > "$work/watch.txt" || die "watch failed"
grep -q "State:" "$work/watch.txt" || die "watch did not print the status"
changes=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' "$work/watch.txt" || true)
[ "$changes" -ge 1 ] || die "watch saw no PropertiesChanged in 3 s of running: $(cat "$work/watch.txt")"
"$ctl" --json watch --duration 2 > "$work/watch.json" || die "watch --json failed"
lines=$(wc -l < "$work/watch.json")
[ "$lines" -ge 2 ] || die "watch --json printed $lines objects in 2 s"
while read -r line; do
        printf '%s' "$line" | python3 -m json.tool > /dev/null || die "watch --json line is not JSON: $line"
done < "$work/watch.json"
# On a terminal: the alternate screen, redrawn in place, and the terminal given back.
script -qec "$ctl watch --duration 3" /dev/null > "$work/watch.tty" || die "watch on a tty failed"
redraws=$(grep -o $'\e\[H\e\[J' "$work/watch.tty" | wc -l)
grep -q $'\e\[?1049h' "$work/watch.tty" && grep -q $'\e\[?25h\e\[?1049l' "$work/watch.tty" ||
        die "watch on a tty did not use and leave the alternate screen"
[ "$redraws" -ge 2 ] || die "watch on a tty drew $redraws times in 3 s"
echo "watch: $changes changes in 3 s; --json: $lines objects in 2 s; on a tty: $redraws redraws"

# The first run ends on the idle timeout; the second then starts and records minutes.
first_run_ended() { [ "$(sql "SELECT count(*) FROM runs WHERE state = 'ended'")" = 1 ]; }
second_run_has_minutes() { [ "$(sql "SELECT count(*) FROM run_minutes WHERE run_id = 2")" -ge 2 ]; }
wait_for 30 "the first run to end" first_run_ended
wait_for 30 "two minutes of the second run" second_run_has_minutes

# history_as_in_db NAME: history --json and the runs table read while neither changed (the run
# in progress saves its progress every 10 s of sample time, twice a second at --speed 20).
history_as_in_db() {
        local name=$1 i
        for i in 1 2 3 4 5; do
                sql_json "SELECT * FROM runs ORDER BY start_us, id" > "$work/$name.before.json"
                "$ctl" --json --days 1 history > "$work/$name.json" || die "history --json failed"
                sql_json "SELECT * FROM runs ORDER BY start_us, id" > "$work/$name.db.json"
                cmp -s "$work/$name.before.json" "$work/$name.db.json" && return 0
        done
        die "the history kept changing while it was read"
}
history_as_in_db history
python3 -m json.tool "$work/history.json" > /dev/null || die "history --json is not JSON"
python3 "$here/check-ctl-json.py" history "$work/history.json" "$work/history.db.json" || die "history disagrees"
"$ctl" history > "$work/history.txt"
grep -q "ended" "$work/history.txt" && grep -q "active" "$work/history.txt" || die "history: $(cat "$work/history.txt")"

show_agrees() {
        local id=$1
        "$ctl" --json show "$id" > "$work/show$id.json" || die "show $id failed"
        python3 -m json.tool "$work/show$id.json" > /dev/null || die "show $id --json is not JSON"
        sql_json "SELECT * FROM runs WHERE id = $id" > "$work/run$id.db.json"
        sql_json "SELECT * FROM run_minutes WHERE run_id = $id ORDER BY t_s" > "$work/minutes$id.db.json"
        sql_json "SELECT text FROM run_actions WHERE run_id = $id ORDER BY position" > "$work/actions$id.db.json"
        python3 "$here/check-ctl-json.py" show "$work/show$id.json" "$work/run$id.db.json" \
                "$work/minutes$id.db.json" "$work/actions$id.db.json" || die "show $id disagrees"
}
show_agrees 1
[ "$(sql "SELECT count(*) FROM run_actions WHERE run_id = 1")" -ge 1 ] || die "the ended run has no advice actions"

# show: text and the chart.
"$ctl" show 1 --svg "$work/run1.svg" > "$work/show1.txt" || die "show 1 --svg failed"
grep -q "MINUTE" "$work/show1.txt" && grep -q "Advice:" "$work/show1.txt" && grep -q "Hip ext. shift:" "$work/show1.txt" ||
        die "show 1: $(cat "$work/show1.txt")"
sed -n '1,/^$/p' "$work/show1.txt"
python3 - "$work/run1.svg" "$(sql "SELECT count(*) FROM run_minutes WHERE run_id = 1")" <<'PY' || die "the chart is wrong"
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
texts = " ".join(t.text or "" for t in root.iter(ns + "text"))
for title in ("Cadence", "Asymmetry", "Hip extension", "minutes into the run"):
    assert title in texts, f"no '{title}' in the chart"
dots = list(root.iter(ns + "circle"))
minutes = int(sys.argv[2])
# One dot per measured minute and series: cadence, asymmetry, hip left and right.
assert minutes <= len(dots) <= 4 * minutes, f"{len(dots)} points for {minutes} minutes"
print(f"svg: {len(dots)} points for {minutes} minutes")
PY
"$ctl" show 1 --svg - | python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.stdin)" || die "show --svg - is not SVG"

# Errors from gaitmond itself, in its words.
rc=0; "$ctl" show 999 2> "$work/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "No run with id 999" "$work/err" || die "show 999: exit $rc, $(cat "$work/err")"

# Access: nobody may not read health data.
for verb in status history; do
        rc=0; setpriv --reuid=nobody --regid=nogroup --clear-groups "$ctl" $verb > /dev/null 2> "$work/err" || rc=$?
        [ "$rc" -eq 1 ] && grep -q "Access denied" "$work/err" || die "$verb as nobody: exit $rc, $(cat "$work/err")"
done

# kill -9 during the second run, then start gaitmond again.
sql_json "SELECT * FROM runs WHERE id = 1" > "$work/run1.before.json"
daemon_stop KILL
committed=$(sql "SELECT count(*) FROM run_minutes WHERE run_id = 2")

daemon_start "$work" "$work/daemon2.log"
grep -q "run 2 was never ended; kept as interrupted" "$work/daemon2.log" || die "the interrupted run was not reported"
[ "$(sql "SELECT state FROM runs WHERE id = 2")" = interrupted ] || die "run 2 is not interrupted"
[ "$(sql "SELECT count(*) FROM run_minutes WHERE run_id = 2")" -eq "$committed" ] || die "run 2 lost minutes"
sql_json "SELECT * FROM runs WHERE id = 1" > "$work/run1.after.json"
cmp -s "$work/run1.before.json" "$work/run1.after.json" || die "run 1 changed across the crash"
show_agrees 2
"$ctl" show 2 | grep -q "(interrupted)" || die "show 2 does not say interrupted"
history_as_in_db history2
python3 "$here/check-ctl-json.py" history "$work/history2.json" "$work/history2.db.json" || die "history after the crash"
echo "kill -9: run 2 kept as interrupted with its $committed minutes, run 1 unchanged"

# end-run ends the run the restarted gaitmond began, or says there is none.
if "$ctl" --json end-run > "$work/end.json" 2> "$work/err"; then
        python3 -m json.tool "$work/end.json" > /dev/null || die "end-run --json"
else
        grep -q "No run is in progress" "$work/err" || die "end-run: $(cat "$work/err")"
fi
"$ctl" reset-baseline || die "reset-baseline"
echo ok
