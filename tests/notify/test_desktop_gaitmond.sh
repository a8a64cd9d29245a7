#!/usr/bin/env bash
# Acceptance: gaitmon-sim serves a runner whose left hip weakens, gaitmond
# reads it over libiio and signals on a private system bus, gaitmon-notify
# shows the alerts through a real dunst under Xvfb.
#
#   test_desktop_gaitmond.sh GAITMON_NOTIFY GAITMOND GAITMON_SIM SCENARIO TESTBUS_SH DESKTOP_SH ARTIFACT_DIR
set -euo pipefail

notify_exe=$1 scenario=$4 testbus_sh=$5 desktop_sh=$6 artifact_dir=$7
GM_DAEMON=$2 GM_SIM=$3
# shellcheck source=desktop.sh
. "$desktop_sh"
desktop_enter "$0" "$@"
# shellcheck source=../lib/testbus.sh
. "$testbus_sh"

dir=$NOTIFY_TEST_SESSION_DIR
gm_on_exit desktop_cleanup

agent_log() { cat "$dir/agent.log"; }
agent_logged() { grep -qE -- "$1" "$dir/agent.log"; }
agent_log_count() { grep -cE -- "$1" "$dir/agent.log" || true; }
log_count_is() { test "$(agent_log_count "$1")" -eq "$2"; }
displayed_is() { test "$(dunstctl count displayed)" "$1" "$2"; }
history_of() { desktop_history | awk -F'\t' -v s="$1" 'index($2, s) == 1'; }
context() { echo "--- agent ---"; agent_log; echo "--- gaitmond ---"; tail -n 30 "$dir/gaitmond.log"; }

testbus_start "$dir/system"
desktop_start_x "$dir"
desktop_start_dunst "$dir"

"$notify_exe" --cooldown 0 --verbose >"$dir/agent.log" 2>&1 &
AGENT_PID=$!
DESKTOP_PIDS+=($AGENT_PID)
wait_until 10 agent_logged "Waiting for gaitmond" || die "the agent does not wait for gaitmond: $(agent_log)"

# The weakness sets in at 300 s of the scenario: 25 times real time gets
# there in about 12 s.
sim_start "$dir" --speed 25 "$scenario"
daemon_config "$dir" '[sensors]' \
        "$(sed -n '/^\[sensors\]/,/^\[/{/^[a-z_]* *=/p}' "$(dirname "$scenario")/../gaitmon.conf")"
daemon_start "$dir"
wait_until 15 agent_logged "gaitmond is on the system bus" || die "gaitmond not followed: $(context)"

echo "# the left hip weakens: a critical asymmetry notification"
asym='Alert: Gait asymmetry: hip extension: Hip extension [0-9.]+ % L / [0-9.]+ % R(, usually [0-9.]+ % L / [0-9.]+ % R)?: the left hip extends less'
wait_until 60 agent_logged "$asym" || die "no hip extension spike reached the agent: $(context)"
wait_until 5 displayed_is -ge 1 || die "nothing on the desktop: $(context)"
sleep 2
desktop_screenshot "$artifact_dir/notify-gaitmond-desktop.png"

echo "# gaitmond restarts: the agent follows it"
daemon_stop
wait_until 10 agent_logged "gaitmond left the system bus" || die "gaitmond leaving not noticed: $(context)"
daemon_start "$dir"
wait_until 15 log_count_is "gaitmond is on the system bus" 2 || die "restarted gaitmond not followed: $(context)"

dunstctl close-all
wait_until 5 displayed_is -eq 0 || die "close-all left notifications"
desktop_history
spikes=$(agent_log_count "Alert: Gait asymmetry")
[ "$(history_of "Gait asymmetry" | wc -l)" -eq 1 ] ||
        die "$spikes spikes should make one notification, dunst has: $(history_of "Gait asymmetry")"
IFS=$'\t' read -r _ summary body shown <<<"$(history_of "Gait asymmetry")"
# The most important alert stays on screen: the left hip's, whatever came after it. The log
# line holds the body's first line (the comparison); what to do follows it.
grep -qxF "gaitmon-notify: Alert: $summary: ${body%%\\n*}" "$dir/agent.log" ||
        die "dunst shows '$summary: $body', which no alert said"
left='the left (hip|thigh) extends less|the left hip moves through less range|the pelvis drops more while on the left leg'
grep "Alert: Gait asymmetry" "$dir/agent.log" | sed 's/^gaitmon-notify: Alert: /alert: /'
grep -qE "^Gait asymmetry: (hip extension|thigh extension|hip range of motion|pelvic drop): .*: ($left)" <<<"$summary: $body" ||
        die "dunst shows '$summary: $body', not an alert of the weak left hip"
case $body in *'\nEase off the pace; if it stays, finish the run walking.'*) ;; *) die "no advice in '$body'" ;; esac
case $shown in "[critical] "*) ;; *) die "asymmetry not critical: $shown" ;; esac
echo "$spikes asymmetry spikes, one notification: $summary: $body"
grep -E "$asym" "$dir/agent.log" | head -n1

kill -TERM "$AGENT_PID"
rc=0
wait "$AGENT_PID" || rc=$?
[ "$rc" -eq 0 ] || die "gaitmon-notify exited $rc on SIGTERM: $(agent_log)"
! grep -qE "runtime error|Sanitizer" "$dir/agent.log" || die "sanitizer report: $(agent_log)"
echo "PASS"
