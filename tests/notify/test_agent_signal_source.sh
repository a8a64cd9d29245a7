#!/usr/bin/env bash
# gaitmon-notify against a stand-in signal source on a private system bus,
# with a real dunst under Xvfb on a session bus of its own.
#
#   test_agent_signal_source.sh GAITMON_NOTIFY SIGNAL_SOURCE TESTBUS_SH DESKTOP_SH ARTIFACT_DIR
set -euo pipefail

notify_exe=$1 source_exe=$2 testbus_sh=$3 desktop_sh=$4 artifact_dir=$5
# shellcheck source=desktop.sh
. "$desktop_sh"
desktop_enter "$0" "$@"
# shellcheck source=../lib/testbus.sh
. "$testbus_sh"

dir=$NOTIFY_TEST_SESSION_DIR
trap 'desktop_cleanup; testbus_stop' EXIT

# --- the signal source: a process owning org.gaitmon.Monitor1 ---
source_start() {
        rm -f "$dir/source.fifo"
        mkfifo "$dir/source.fifo"
        "$source_exe" < "$dir/source.fifo" >>"$dir/source.log" 2>&1 &
        SOURCE_PID=$!
        DESKTOP_PIDS+=($SOURCE_PID)
        exec 7>"$dir/source.fifo"
        wait_until 10 name_owned org.gaitmon.Monitor1 || die "the signal source did not take its name: $(cat "$dir/source.log")"
}
source_send() {
        printf '%s\n' "$1" >&7
}
# Killed, as a crashing gaitmond would be.
source_stop() {
        exec 7>&-
        kill "$SOURCE_PID" 2>/dev/null || true
        wait "$SOURCE_PID" 2>/dev/null || true
}
name_owned() {
        busctl --address="$TESTBUS_ADDRESS" call org.freedesktop.DBus /org/freedesktop/DBus \
                org.freedesktop.DBus NameHasOwner s "$1" 2>/dev/null | grep -q true
}

# --- the agent ---
agent_log() { cat "$dir/agent.log"; }
agent_logged() { grep -qF -- "$1" "$dir/agent.log"; }
agent_log_count() { grep -cF -- "$1" "$dir/agent.log" || true; }
agent_alive() { kill -0 "$AGENT_PID" 2>/dev/null || die "gaitmon-notify died: $(agent_log)"; }
agent_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$AGENT_PID/stat"; }

# Fields of the closed notification whose summary starts with $1.
history_of() { desktop_history | awk -F'\t' -v s="$1" 'index($2, s) == 1'; }
closed_count() { history_of "$1" | wc -l; }

displayed() {
        dunstctl count displayed
}
# For wait_until, which runs its command again each time.
displayed_is() { test "$(displayed)" "$1" "$2"; }
log_count_is() { test "$(agent_log_count "$1")" -eq "$2"; }
# Times a source owning the name was noticed, at (re)connect or later.
source_followed() {
        test $(( $(agent_log_count "gaitmond is on the system bus") +
                 $(agent_log_count "Following gaitmond on the system bus") )) -eq "$1"
}

# ------------------------------------------------------------------
testbus_start "$dir/system"
# Without the guid the address stays valid for a restarted bus.
system_address=${TESTBUS_ADDRESS%%,guid=*}
desktop_start_x "$dir"

"$notify_exe" --system-address="$system_address" --cooldown 0 --cooldown asymmetry=2 --verbose \
        >"$dir/agent.log" 2>&1 &
AGENT_PID=$!
DESKTOP_PIDS+=($AGENT_PID)

echo "# gaitmond absent at start: the agent waits for the name"
wait_until 10 agent_logged "Waiting for gaitmond" || die "no 'Waiting for gaitmond': $(agent_log)"

echo "# the source appears; no notification server yet"
source_start
wait_until 10 agent_logged "gaitmond is on the system bus" || die "the source was not noticed: $(agent_log)"
source_send "SensorFault|left_hip|no samples for 2 s"
source_send "SensorFault|left_hip|no samples for 3 s"
wait_until 10 agent_logged "No notification server answers" || die "missing server not logged: $(agent_log)"
ticks_before=$(agent_cpu_ticks)
sleep 3
source_send "SensorFault|left_shank|no samples for 4 s"
sleep 1
agent_alive
ticks=$(( $(agent_cpu_ticks) - ticks_before ))
echo "cpu ticks while no server answered: $ticks"
[ "$ticks" -le 20 ] || die "the agent used $ticks ticks of CPU in 4 s without a server (busy loop?)"
[ "$(agent_log_count "No notification server answers")" -eq 1 ] || die "missing server logged more than once: $(agent_log)"

echo "# dunst starts: the waiting sensor notification is shown without a new signal"
desktop_start_dunst "$dir"
wait_until 10 displayed_is -ge 1 || die "nothing shown after dunst came: $(agent_log)"
wait_until 5 agent_logged "answers again" || die "recovery of the server not logged: $(agent_log)"

echo "# asymmetry spikes: critical, in words, updated in place, merged in the cool-down;"
echo "# the hip alert stays on screen over a later stance alert, as at a change of pace"
source_send "AsymmetrySpike|hip_extension|-12|1"
wait_until 5 displayed_is -eq 2 || die "spike not shown: $(agent_log)"
source_send "AsymmetrySpike|hip_extension|-15|1"
source_send "AsymmetrySpike|pelvic_drop|9.6|-2"
source_send "AsymmetrySpike|stance|30|0"
sleep 3.5  # the cool-down of 2 s ends and the merged update is shown
[ "$(displayed)" -eq 2 ] || die "asymmetry spikes stacked: $(displayed) notifications shown"
desktop_screenshot "$artifact_dir/notify-agent-desktop.png"

dunstctl close-all
wait_until 5 displayed_is -eq 0 || die "close-all left notifications"
desktop_history
[ "$(closed_count "Gait asymmetry")" -eq 1 ] || die "expected one asymmetry notification, got: $(history_of "Gait asymmetry")"
IFS=$'\t' read -r _ summary body shown <<<"$(history_of "Gait asymmetry")"
[ "$summary" = "Gait asymmetry: hip extension" ] || die "asymmetry summary: $summary (the hip alert should stay)"
[ "$body" = 'Hip extension 46.3 % L / 53.7 % R, usually 50.3 % L / 49.7 % R: the left hip extends less than usual.\nEase off the pace; if it stays, finish the run walking.\n(2 other alerts meanwhile: pelvic drop, stance time)' ] ||
        die "asymmetry body: $body"
case $shown in "[critical] "*) ;; *) die "asymmetry not critical: $shown" ;; esac
IFS=$'\t' read -r _ summary body shown <<<"$(history_of "Sensor fault")"
[ "$summary" = "Sensor fault: left shank" ] || die "sensor summary: $summary (the latest fault should win)"
[ "$body" = 'no samples for 4 s\nCheck that it is strapped on and switched on; what needs it is left out until it is back.' ] ||
        die "sensor body: $body"
case $shown in "[low] "*) ;; *) die "sensor fault not low urgency: $shown" ;; esac

echo "# after the cool-down, a lesser alert is named under the hip alert instead of replacing it"
source_send "AsymmetrySpike|stance|20|0"
wait_until 5 displayed_is -eq 1 || die "the hip alert did not come back: $(agent_log)"
dunstctl close-all
wait_until 5 displayed_is -eq 0 || die "close-all left notifications"
[ "$(closed_count "Gait asymmetry: stance")" -eq 0 ] || die "the stance alert replaced the hip one: $(desktop_history)"
body=$(history_of "Gait asymmetry: hip extension" | head -n1 | cut -f3)
case $body in *'\n(3 other alerts meanwhile: pelvic drop, stance time)') ;;
        *) die "the lesser alert is not named under the hip alert: $body" ;; esac

echo "# garbage: wrong types, absurd values, huge strings, other senders"
source_send "strings|AsymmetrySpike|hip_extension|12|1"
source_send "strings|AsymmetrySpike|hip_extension|12|1"
source_send "AsymmetrySpike|hip_extension|nan|1"
source_send "AsymmetrySpike|hip_extension|1e9|1"
source_send "FatigueAlert|99|too tired"
source_send "huge|SensorRecovered|1000000"
source_send "huge|SensorFault|1000000"
agent_unique=$(busctl --address="$TESTBUS_ADDRESS" list --no-legend 2>/dev/null | awk -v p="$AGENT_PID" '$1 ~ /^:/ && $2 == p { print $1 }')
[ -n "$agent_unique" ] || die "cannot find the agent on the system bus"
dbus-send --system --type=signal --dest="$agent_unique" /org/gaitmon/Monitor1 \
        org.gaitmon.Monitor1.AsymmetrySpike string:hip_extension double:-30 double:0
dbus-send --system --type=signal /org/gaitmon/Monitor1 \
        org.gaitmon.Monitor1.AsymmetrySpike string:hip_extension double:-31 double:0
wait_until 5 agent_logged "Ignoring SensorFault" || die "the huge signals were not handled: $(agent_log)"
sleep 0.5
agent_alive
[ "$(displayed)" -eq 0 ] || die "garbage reached the desktop: $(agent_log)"
[ "$(agent_log_count "Ignoring AsymmetrySpike(sss)")" -eq 1 ] || die "wrong signature not logged once: $(agent_log)"
agent_logged "Ignoring AsymmetrySpike(sdd)" || die "bad values or foreign sender not logged: $(agent_log)"
agent_logged "sender does not own org.gaitmon.Monitor1" || die "the foreign sender was not rejected: $(agent_log)"
agent_logged "Ignoring FatigueAlert(uas)" || die "fatigue level 99 not rejected: $(agent_log)"

echo "# the source restarts: the agent follows the new owner"
source_stop
wait_until 5 agent_logged "gaitmond left the system bus" || die "the source leaving was not noticed: $(agent_log)"
source_start
wait_until 5 source_followed 2 || die "restart not followed: $(agent_log)"
source_send "FatigueAlert|2|cadence down 6%|stance time up 9%"
source_send "RecoveryAdvice|Hard 50 min run|2|Easy 20 min jog tomorrow|Glute bridges 3x15"
wait_until 5 displayed_is -eq 2 || die "alerts after the restart not shown: $(agent_log)"

echo "# the system bus restarts: the agent reconnects"
testbus_stop
wait_until 5 agent_logged "Lost the connection to the system bus" || die "bus loss not noticed: $(agent_log)"
source_stop
testbus_start "$dir/system"
wait_until 15 agent_logged "Connected to the system bus" || die "no reconnect: $(agent_log)"
source_start
wait_until 10 source_followed 3 || die "source on the new bus not followed: $(agent_log)"
source_send "SensorRecovered|left_shank"
wait_until 5 displayed_is -eq 3 || die "alert on the new bus not shown: $(agent_log)"

dunstctl close-all
wait_until 5 displayed_is -eq 0 || die "close-all left notifications"
IFS=$'\t' read -r _ summary body shown <<<"$(history_of "Fatigue")"
[ "$summary" = "Fatigue: marked (level 2 of 3)" ] || die "fatigue summary: $summary"
[ "$body" = '• cadence down 6%\n• stance time up 9%\nSlow down, or finish the run walking.' ] || die "fatigue body: $body"
case $shown in "[normal] "*) ;; *) die "fatigue not normal urgency: $shown" ;; esac
IFS=$'\t' read -r _ summary body shown <<<"$(history_of "Hard 50 min run")"
[ "$body" = '• Easy 20 min jog tomorrow\n• Glute bridges 3x15\nTake 2 rest days.' ] || die "recovery body: $body"
case $shown in "[normal] "*) ;; *) die "recovery not normal urgency: $shown" ;; esac
history_of "Sensor back: left shank" | grep -q . || die "sensor recovery not shown: $(desktop_history)"

echo "# SIGTERM: clean exit 0"
kill -TERM "$AGENT_PID"
rc=0
wait "$AGENT_PID" || rc=$?
[ "$rc" -eq 0 ] || die "gaitmon-notify exited $rc on SIGTERM: $(agent_log)"
! grep -qE "runtime error|Sanitizer" "$dir/agent.log" || die "sanitizer report: $(agent_log)"
echo "--- agent log ---"
agent_log
echo "PASS"
