# Sourced by the notification tests: a desktop of real parts for them.
#
#   desktop_enter SCRIPT ARGS...  re-runs SCRIPT inside dbus-run-session with a
#                                 session bus of its own (no activation, so a
#                                 notification server runs only when started)
#   desktop_start_x DIR           Xvfb on a free display; exports DISPLAY
#   desktop_start_dunst DIR       dunst with a dunstrc written here; waits for
#                                 org.freedesktop.Notifications
#   desktop_stop_dunst
#   desktop_history               dunst's closed notifications, one per line:
#                                 id, summary, body, shown text (\n as \\n),
#                                 tab-separated; the shown text starts with
#                                 [low], [normal] or [critical]
#   desktop_screenshot FILE       the X screen as an image
#
# Also loads tests/lib/gmtest.sh (wait_until, die, gaitmon-sim and gaitmond).
# Processes started here are killed by desktop_cleanup (set as EXIT trap).

# shellcheck source=../lib/gmtest.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gmtest.sh"

desktop_enter() {
        local script=$1; shift
        local cmd
        for cmd in dbus-run-session dbus-daemon dbus-send Xvfb dunst dunstctl import python3; do
                command -v "$cmd" >/dev/null || die "$cmd is not installed (see tools/run's package list)"
        done
        [ -n "${NOTIFY_TEST_SESSION_DIR:-}" ] && return 0

        NOTIFY_TEST_SESSION_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gaitmon-notify-test.XXXXXX")
        export NOTIFY_TEST_SESSION_DIR
        cat > "$NOTIFY_TEST_SESSION_DIR/session.conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$NOTIFY_TEST_SESSION_DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
XML
        # Neither the real system bus nor the caller's session bus is touched.
        export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$NOTIFY_TEST_SESSION_DIR/no-system-bus
        local rc=0
        dbus-run-session --config-file="$NOTIFY_TEST_SESSION_DIR/session.conf" -- bash "$script" "$@" || rc=$?
        rm -rf "$NOTIFY_TEST_SESSION_DIR"
        exit $rc
}

DESKTOP_PIDS=()

desktop_cleanup() {
        local i
        for (( i=${#DESKTOP_PIDS[@]}-1; i>=0; i-- )); do
                kill "${DESKTOP_PIDS[i]}" 2>/dev/null || true
                wait "${DESKTOP_PIDS[i]}" 2>/dev/null || true
        done
}

desktop_start_x() {
        local dir=$1
        rm -f "$dir/display"
        Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$dir/display" >"$dir/xvfb.log" 2>&1 &
        DESKTOP_PIDS+=($!)
        wait_until 10 test -s "$dir/display" || die "Xvfb did not start: $(cat "$dir/xvfb.log")"
        export DISPLAY=:$(head -n1 "$dir/display")
}

notification_server_present() {
        dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null |
                grep -q 'boolean true'
}

desktop_start_dunst() {
        local dir=$1
        # Everything stays on screen until closed; the format tells the
        # urgency apart in the history's shown text.
        cat > "$dir/dunstrc" <<'INI'
[global]
font = Monospace 9
width = 700
height = 300
origin = top-right
offset = 10x10
notification_limit = 0
idle_threshold = 0
history_length = 100
markup = full
show_age_threshold = -1
icon_position = off
[urgency_low]
timeout = 0
format = "[low] <b>%s</b>\n%b"
[urgency_normal]
timeout = 0
format = "[normal] <b>%s</b>\n%b"
[urgency_critical]
timeout = 0
format = "[critical] <b>%s</b>\n%b"
INI
        dunst -config "$dir/dunstrc" >>"$dir/dunst.log" 2>&1 7>&- &
        DUNST_PID=$!
        DESKTOP_PIDS+=($DUNST_PID)
        wait_until 10 notification_server_present || die "dunst did not start: $(cat "$dir/dunst.log")"
}

desktop_stop_dunst() {
        kill "$DUNST_PID"
        wait "$DUNST_PID" 2>/dev/null || true
        wait_until 5 bash -c '! dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications | grep -q "boolean true"' ||
                die "dunst did not leave the session bus"
}

desktop_history() {
        dunstctl history | python3 -c '
import json, sys
for n in json.load(sys.stdin)["data"][0]:
    f = lambda k: str(n[k]["data"]).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", " ")
    print("\t".join((f("id"), f("summary"), f("body"), f("message"))))
'
}

desktop_screenshot() {
        import -window root -display "$DISPLAY" "$1" || die "cannot take a screenshot of $DISPLAY"
        [ -s "$1" ] || die "the screenshot $1 is empty"
        echo "screenshot: $1"
}
