#!/usr/bin/env bash
# gaitmonctl watch, not on a terminal, as a person reads it: a line a second
# with the live values in units, and gaitmond's alerts whole, in the words of
# the desktop notifications, never as raw signal arguments. Then the run
# ended: history cuts its advice to the line and says so, show wraps it.
#
# Usage: test-watch.sh TESTBUS_SH GAITMOND GAITMON_SIM GAITMONCTL SCENARIO
set -euo pipefail

testbus_sh=$1 scenario=$5
GM_DAEMON=$2 GM_SIM=$3 GM_CTL=$4 ctl=$4
# shellcheck source=../lib/gmtest.sh
. "$(dirname "$testbus_sh")/gmtest.sh"
# shellcheck source=../lib/testbus.sh
. "$testbus_sh"
tmp=$(mktemp -d)
watch_pid=
gm_on_exit 'rm -rf "$tmp"'
gm_on_exit 'gm_kill $watch_pid'

testbus_start "$tmp/bus" >/dev/null 2>&1
# The left hip weakens at 200 s of the run: at 25 times real time, 8 s in.
sim_start "$tmp" --speed 25 "$scenario"
daemon_config "$tmp"
daemon_start "$tmp"

# Until the first asymmetry alert and two seconds after (at most 90 s on a slow machine).
"$ctl" watch --duration 90 > "$tmp/watch.txt" 2>"$tmp/watch.err" &
watch_pid=$!
alerted_or_gone() { grep -q ' Gait asymmetry: ' "$tmp/watch.txt" || ! kill -0 "$watch_pid" 2>/dev/null; }
wait_until 90 alerted_or_gone && sleep 2 || true
kill -INT "$watch_pid" 2>/dev/null || true
wait "$watch_pid" || die "watch failed: $(cat "$tmp/watch.err")"

v='(-?[0-9.]+°|n/a)' b='( \([0-9]+\.[0-9] % L / [0-9]+\.[0-9] % R\))?'
live=$(grep -E "^[0-9]{2}:[0-9]{2}:[0-9]{2} running, [0-9]+ steps/min, [0-9]+ steps, stance [0-9]+ ms/[0-9]+ ms$b, hip extension ($v/$v$b|n/a), pelvic drop ($v/$v$b|n/a) \(left/right; pelvic drop while on the left/right leg\)$" \
        "$tmp/watch.txt" | head -n1 || true)
[ -n "$live" ] && ok "a live line: $live" || fail "no live line in words and units: $(head -n 25 "$tmp/watch.txt")"
balanced=$(grep -m1 -E "stance [0-9]+ ms/[0-9]+ ms \([0-9.]+ % L / [0-9.]+ % R\)" "$tmp/watch.txt" || true)
[ -n "$balanced" ] && ok "the stance balance as a watch shows it: $balanced" || fail "no balance on the live lines"
grep -q 'n/a/n/a' "$tmp/watch.txt" && fail "an unknown pair printed as n/a/n/a"
if grep -qE '[A-Z][A-Za-z]+=' "$tmp/watch.txt"; then
        fail "raw Property=value dumps: $(grep -m2 -E '[A-Z][A-Za-z]+=' "$tmp/watch.txt")"
else
        ok "no Property=value dumps"
fi
if grep -qE '(AsymmetrySpike|FatigueAlert|RecoveryAdvice|SensorFault):' "$tmp/watch.txt"; then
        fail "raw signals: $(grep -m2 -E '(AsymmetrySpike|FatigueAlert|RecoveryAdvice|SensorFault):' "$tmp/watch.txt")"
fi
alert=$(grep -m1 -A1 -E '^[0-9]{2}:[0-9]{2}:[0-9]{2} Gait asymmetry: ' "$tmp/watch.txt" || true)
if [ -n "$alert" ] && [ "$(sed -n 2p <<<"$alert" | cut -c1-9)" = "         " ] &&
   grep -qE '^ {9}[A-Z][a-z ]+ [0-9.]+ % L / [0-9.]+ % R(, usually [0-9.]+ % L / [0-9.]+ % R)?: .+\.$' <<<"$(sed -n 2p <<<"$alert")"; then
        ok "the alert as the notification says it: $(tr '\n' ' ' <<<"$alert")"
else
        fail "no 'Gait asymmetry:' alert with its body: $(grep -v '^[0-9:]* running' "$tmp/watch.txt" | head)"
fi
# The run (ended by now, or now): history and show as a person reads them, off a terminal.
"$ctl" end-run >/dev/null 2>&1 || true
last_ended() {
        id=$("$ctl" --json history 2>/dev/null | python3 -c 'import json, sys
r = [x for x in json.load(sys.stdin)["runs"] if x.get("state") == "ended"]
print(r[-1]["id"] if r else "")' 2>/dev/null || true)
        [ -n "$id" ]
}
wait_until 20 last_ended || true
[ -n "$id" ] || die "no ended run in the history"
"$ctl" history > "$tmp/history.txt" || fail "history failed"
"$ctl" show "$id" > "$tmp/show.txt" || fail "show $id failed"
# On a terminal, through the pager asked for; not with --no-pager, nor off a terminal.
paged() { env -u SYSTEMD_PAGER PAGER='sed s/^/PAGED:/' script -qec "$*" /dev/null | tr -d '\r'; }
paged "$ctl" show "$id" > "$tmp/show.tty"
grep -q '^PAGED: *Advice: ' "$tmp/show.tty" && ok "show on a terminal goes through \$PAGER" ||
        fail "show on a terminal not paged: $(head -n 3 "$tmp/show.tty")"
paged "$ctl" --no-pager history > "$tmp/history.tty"
grep -q PAGED "$tmp/history.tty" && fail "history --no-pager was paged" || ok "history --no-pager is not paged"
PAGER='sed s/^/PAGED:/' "$ctl" history | grep -q PAGED && fail "history off a terminal was paged"
grep -q PAGED "$tmp/history.txt" "$tmp/show.txt" && fail "paged off a terminal"
hrow=$(grep -E "^ +$id  " "$tmp/history.txt" || true)
grep -qE ' [0-9]+\.[0-9] (hip ext\.|hip range|thigh ext\.|pelvic drop|stance|swing|stride|impact) ' <<<"$hrow" &&
        ok "history names the metric of the largest shift: $hrow" || fail "history's MAX SHIFT has no metric: $hrow"
grep -q '^MAX SHIFT: ' "$tmp/history.txt" || fail "history does not say what MAX SHIFT is"
widest() { python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$1"; }
w=$(widest "$tmp/history.txt")
[ "$w" -le 200 ] && ok "history: lines of at most $w characters (advice cut to 200)" ||
        fail "history has a line of $w characters: $(cat "$tmp/history.txt")"
if grep -q '…' "$tmp/history.txt"; then
        grep -q '^Advice cut to the line: gaitmonctl show ID has it whole.$' "$tmp/history.txt" &&
                ok "history says where the whole advice is" || fail "advice cut without saying so"
fi
w=$(widest "$tmp/show.txt")
[ "$w" -le 80 ] && ok "show $id: lines of at most $w characters (advice wrapped to 80)" ||
        fail "show $id has a line of $w characters: $(grep -m1 -E '.{81}' "$tmp/show.txt")"
grep -q '^ *Advice: [^ ]' "$tmp/show.txt" || fail "show $id has no advice: $(cat "$tmp/show.txt")"
grep -qE '^ *Load: [0-9]+ g·steps \(impact of every step, for the workload ratio\)$' "$tmp/show.txt" &&
        ok "show $id: $(grep -m1 'Load:' "$tmp/show.txt" | sed 's/^ *//')" || fail "show $id: $(grep 'Load' "$tmp/show.txt")"
grep -q '^SHIFT: the minute.s largest shift of a left/right balance from its baseline,$' "$tmp/show.txt" &&
        ok "show $id: the SHIFT column is explained" || fail "show $id does not say what SHIFT is"
grep -q '^DROP L/R: pelvic drop while on the left / right leg.$' "$tmp/show.txt" ||
        fail "show $id does not say what DROP L/R is"
grep -qE '^ *Pelvic drop: -?[0-9.]+° on the left leg, -?[0-9.]+° on the right leg$' "$tmp/show.txt" &&
        ok "show $id: $(grep -m1 'Pelvic drop:' "$tmp/show.txt" | sed 's/^ *//')" || fail "show $id: $(grep 'Pelvic drop' "$tmp/show.txt")"
grep -qE '^ *Max asymmetry: [0-9.]+ points of balance from baseline \([a-z ]+\)$' "$tmp/show.txt" ||
        fail "show $id: $(grep 'Max asymmetry' "$tmp/show.txt")"
grep -A1 -E '^ *(Hip ext\.|Drop) shift: ' "$tmp/show.txt" | tr -s ' \n' ' ' |
        grep -qE '(Hip ext\.|Drop) shift: ([0-9.]+ points toward the (left|right): .+ than at baseline|none|n/a)' ||
        fail "show $id: $(grep -A1 'shift:' "$tmp/show.txt")"
# Fatigue is not known before its baseline: the first minute says n/a, not 0.00.
first=$(grep -m1 -E '^ +0 +[0-9]+ ' "$tmp/show.txt" || true)
[ "$(awk '{ print $NF }' <<<"$first")" = n/a ] && ok "show $id: minute 0's fatigue is n/a" ||
        fail "show $id: minute 0 reads '$first'"
grep -q 'n/a/n/a' "$tmp/show.txt" && fail "show $id prints n/a/n/a" || ok "show $id: an unknown pair is one n/a"
sed -n '/Advice:/,/^$/p' "$tmp/show.txt"

# Without its sensors, status says why each one waits.
sim_stop
daemon_stop
daemon_spawn "$tmp" "$tmp/gaitmond2.log"
why=
waiting_why() { why=$("$ctl" status 2>/dev/null | grep -E '\((waiting|faulty): .+\)$' | head -n1 || true); [ -n "$why" ]; }
wait_until 10 waiting_why || true
[ -n "$why" ] && ok "status says why a sensor waits: $(sed 's/^ *//' <<<"$why")" ||
        fail "status does not say why: $("$ctl" status 2>&1 | grep -A5 Sensors)"

gm_verdict
