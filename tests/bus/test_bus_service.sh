#!/usr/bin/env bash
# The D-Bus object layer as a client sees it: bus-test-server on a private system
# bus, queried with busctl and dbus-send, watched with busctl monitor.
#   test_bus_service.sh TESTBUS_SH BUS_TEST_SERVER BUS_TEST_CALL
set -euo pipefail

testbus_sh=$1 server=$2 call=$3
. "$(dirname "$testbus_sh")/gmtest.sh"
. "$testbus_sh"

dir=$(mktemp -d)
server_pid= monitor_pid= idle_pid=
gm_on_exit 'rm -rf "$dir"'
gm_on_exit 'gm_kill $server_pid $monitor_pid $idle_pid'

SERVICE=org.gaitmon.Monitor1
OBJECT=/org/gaitmon/Test1
IFACE=org.gaitmon.Test1
INTERVAL_MS=250

bctl() {
        busctl --address="$TESTBUS_ADDRESS" "$@"
}

server_alive() {
        kill -0 "$server_pid" 2>/dev/null || die "the server died ($1)"
}

# expect_output WHAT EXPECTED COMMAND...: the command prints exactly EXPECTED.
expect_output() {
        local what=$1 expected=$2 out; shift 2
        out=$("$@" 2>&1) || die "$what: '$*' failed: $out"
        [ "$out" = "$expected" ] || die "$what: expected '$expected', got '$out'"
}

# expect_error ERROR_NAME PATH INTERFACE.MEMBER [dbus-send arguments...]
expect_error() {
        local name=$1 path=$2 member=$3 out; shift 3
        if out=$(dbus-send --system --print-reply --dest=$SERVICE "$path" "$member" "$@" 2>&1); then
                die "$member $*: succeeded, expected $name"
        fi
        case "$out" in
        "Error $name: "*) ;;
        *) die "$member $*: expected $name, got: $out" ;;
        esac
        server_alive "after $member $*"
}

name_owned() {
        [ "$(bctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s $SERVICE 2>/dev/null)" = "b true" ]
}

wait_for_name() {
        name_up() { server_alive "waiting for $SERVICE"; name_owned; }
        wait_until 15 name_up || die "$SERVICE was never owned"
}

# monitor_up LOG: the monitor writing LOG has seen a call of ours.
monitor_up() {
        bctl call $SERVICE $OBJECT org.freedesktop.DBus.Peer Ping
        grep -q '"member":"Ping"' "$1"
}

# Fields of the PropertiesChanged lines of our object in a busctl --json=short log.
properties_changed() {
        grep '"path":"'$OBJECT'","interface":"org.freedesktop.DBus.Properties","member":"PropertiesChanged"' "$1" || true
}

# Peer calls between any connections, so the server can call a peer that stays silent.
mkdir -p "$dir/policy"
cat > "$dir/policy/peer.conf" <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy context="default">
    <allow send_type="method_call" send_interface="org.freedesktop.DBus.Peer"/>
  </policy>
</busconfig>
XML
testbus_start "$dir/bus" "$(testbus_permissive "$dir/policy")" "$dir/policy/peer.conf"
"$server" --interval-ms $INTERVAL_MS 2>"$dir/server.log" &
server_pid=$!
gm_log "$dir/server.log"
wait_for_name

echo "# introspection"
xml=$(bctl introspect --xml-interface $SERVICE $OBJECT)
for want in \
        '<interface name="org.freedesktop.DBus.Peer">' \
        '<interface name="org.freedesktop.DBus.Introspectable">' \
        '<interface name="org.freedesktop.DBus.Properties">' \
        '<interface name="org.gaitmon.Test1">' \
        '<method name="Describe">' '<arg type="s" name="metric" direction="in"/>' \
        '<arg type="d" name="value" direction="in"/>' '<arg type="u" name="length" direction="out"/>' \
        '<method name="Fail">' '<method name="BadReply">' '<method name="Churn">' '<method name="Spike">' \
        '<signal name="AsymmetrySpike">' '<arg type="d" name="baseline"/>' \
        '<signal name="FatigueAlert">' '<arg type="as" name="reasons"/>' \
        '<property name="Cadence" type="d" access="read"/>' \
        '<property name="StepCount" type="t" access="read"/>' \
        '<property name="Asymmetry" type="a{sd}" access="read"/>' \
        '<property name="Sensors" type="a(sss)" access="read">' \
        '<property name="Baseline" type="a{sd}" access="read">' \
        '<annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="invalidates"/>' \
        '<signal name="RelayDone">' '<arg type="u" name="timeout_ms" direction="in"/>' \
        '<property name="Name" type="s" access="read">' \
        '<property name="Label" type="s" access="readwrite"/>' \
        '<node name="Child"/>'; do
        grep -qF -- "$want" <<<"$xml" || die "introspection lacks $want"
done
# The served interface is the one --print-introspection installs.
served=$(sed -n '/<interface name="org.gaitmon.Test1">/,/<\/interface>/p' <<<"$xml")
printed=$("$server" --print-introspection | sed -n '/<interface name="org.gaitmon.Test1">/,/<\/interface>/p')
[ -n "$served" ] && [ "$served" = "$printed" ] || die "served and printed interface XML differ"
expect_output "tree" "$(printf '%s\n' '└─/org' '  └─/org/gaitmon' '    └─/org/gaitmon/Test1' \
        '      └─/org/gaitmon/Test1/Child')" bctl tree $SERVICE
bctl introspect $SERVICE $OBJECT > "$dir/introspect.txt"
grep -qE '^\.Cadence +property +d +170 +emits-change *$' "$dir/introspect.txt" || die "busctl introspect: Cadence"
grep -qE '^\.Name +property +s +"test-object" +const *$' "$dir/introspect.txt" || die "busctl introspect: Name"
grep -qE '^\.Label +property +s +"initial" +emits-change writable *$' "$dir/introspect.txt" ||
        die "busctl introspect: Label"
intermediate=$(dbus-send --system --print-reply=literal --dest=$SERVICE /org \
        org.freedesktop.DBus.Introspectable.Introspect)
grep -qF '<node name="gaitmon"/>' <<<"$intermediate" || die "/org does not lead to gaitmon"
! grep -qF 'org.gaitmon.Test1' <<<"$intermediate" || die "/org claims the object's interface"

echo "# properties"
expect_output "Cadence" "d 170" bctl get-property $SERVICE $OBJECT $IFACE Cadence
expect_output "StepCount" "t 0" bctl get-property $SERVICE $OBJECT $IFACE StepCount
expect_output "Name" 's "test-object"' bctl get-property $SERVICE $OBJECT $IFACE Name
expect_output "Asymmetry" 'a{sd} 2 "stance" 4.5 "hip_extension" -12.25' \
        bctl get-property $SERVICE $OBJECT $IFACE Asymmetry
expect_output "Sensors" 'a(sss) 2 "pelvis" "iio:device0" "streaming" "left_shank" "iio:device1" "faulty"' \
        bctl get-property $SERVICE $OBJECT $IFACE Sensors
expect_output "Sensors as JSON" \
        '{"type":"a(sss)","data":[["pelvis","iio:device0","streaming"],["left_shank","iio:device1","faulty"]]}' \
        bctl --json=short get-property $SERVICE $OBJECT $IFACE Sensors
json=$(bctl --json=short get-property $SERVICE $OBJECT $IFACE Asymmetry)
grep -qE '^\{"type":"a\{sd\}","data":\{"stance":4\.50*e\+00,"hip_extension":-1\.2250*e\+01\}\}$' <<<"$json" ||
        die "Asymmetry as JSON: $json"
expect_output "StepCount as JSON" '{"type":"t","data":0}' bctl --json=short get-property $SERVICE $OBJECT $IFACE StepCount
all=$(dbus-send --system --print-reply --dest=$SERVICE $OBJECT org.freedesktop.DBus.Properties.GetAll string:$IFACE)
for p in Name Cadence StepCount Asymmetry Baseline Sensors Label; do
        grep -qF "string \"$p\"" <<<"$all" || die "GetAll lacks $p"
done
all=$(dbus-send --system --print-reply --dest=$SERVICE $OBJECT org.freedesktop.DBus.Properties.GetAll \
        string:org.freedesktop.DBus.Peer)
! grep -qF 'string "' <<<"$all" || die "GetAll of Peer is not empty: $all"
bctl set-property $SERVICE $OBJECT $IFACE Label s "left hip weak" || die "Set Label"
expect_output "Label after Set" 's "left hip weak"' bctl get-property $SERVICE $OBJECT $IFACE Label

echo "# methods"
expect_output "Describe" 'su "stance=4.5" 6' bctl call $SERVICE $OBJECT $IFACE Describe sd stance 4.5
expect_output "Describe as JSON" '{"type":"su","data":["hip_extension=-12.25",13]}' \
        bctl --json=short call $SERVICE $OBJECT $IFACE Describe sd -- hip_extension -12.25
expect_output "Fail with nothing to fail" "" bctl call $SERVICE $OBJECT $IFACE Fail s none
expect_output "Ping" "" bctl call $SERVICE $OBJECT org.freedesktop.DBus.Peer Ping
for id_file in /var/lib/dbus/machine-id /etc/machine-id; do
        if [ -s $id_file ]; then
                expect_output "GetMachineId" "s \"$(head -c 32 $id_file)\"" \
                        bctl call $SERVICE $OBJECT org.freedesktop.DBus.Peer GetMachineId
                break
        fi
done

echo "# hostile calls"
E=org.freedesktop.DBus.Error
expect_error $E.InvalidArgs $OBJECT $IFACE.Describe uint32:5
expect_error $E.InvalidArgs $OBJECT $IFACE.Describe
expect_error $E.InvalidArgs $OBJECT $IFACE.Describe string:stance double:1 double:2
expect_error $E.InvalidArgs $OBJECT $IFACE.Churn string:forever
expect_error $E.UnknownMethod $OBJECT $IFACE.Explode
expect_error $E.UnknownMethod $OBJECT org.freedesktop.DBus.Properties.Delete string:$IFACE
expect_error $E.UnknownInterface $OBJECT org.gaitmon.Nope1.Describe string:stance double:1
expect_error $E.UnknownObject /org/gaitmon/Nope $IFACE.Describe string:stance double:1
expect_error $E.UnknownObject /org/gaitmon/Nope org.freedesktop.DBus.Introspectable.Introspect
expect_error $E.UnknownInterface /org/gaitmon org.freedesktop.DBus.Properties.Get string:$IFACE string:Cadence
expect_error $E.UnknownProperty $OBJECT org.freedesktop.DBus.Properties.Get string:$IFACE string:Speed
expect_error $E.UnknownProperty $OBJECT org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.DBus.Peer string:Cadence
expect_error $E.UnknownInterface $OBJECT org.freedesktop.DBus.Properties.Get string:org.gaitmon.Nope1 string:Cadence
expect_error $E.UnknownInterface $OBJECT org.freedesktop.DBus.Properties.GetAll string:org.gaitmon.Nope1
expect_error $E.InvalidArgs $OBJECT org.freedesktop.DBus.Properties.Get uint32:1
expect_error $E.InvalidArgs $OBJECT org.freedesktop.DBus.Properties.GetAll
expect_error $E.InvalidArgs $OBJECT org.freedesktop.DBus.Introspectable.Introspect string:extra
expect_error $E.PropertyReadOnly $OBJECT org.freedesktop.DBus.Properties.Set \
        string:$IFACE string:Name variant:string:other
expect_error $E.PropertyReadOnly $OBJECT org.freedesktop.DBus.Properties.Set \
        string:$IFACE string:Cadence variant:double:1
expect_error $E.InvalidArgs $OBJECT org.freedesktop.DBus.Properties.Set \
        string:$IFACE string:Label variant:uint32:5
expect_error $E.InvalidArgs $OBJECT org.freedesktop.DBus.Properties.Set \
        string:$IFACE string:Label variant:string:$(printf 'x%.0s' $(seq 65))
expect_error $E.UnknownProperty $OBJECT org.freedesktop.DBus.Properties.Set \
        string:$IFACE string:Speed variant:double:1
expect_error org.gaitmon.Test1.Error.Refused $OBJECT $IFACE.Fail string:named
expect_error $E.AccessDenied $OBJECT $IFACE.Fail string:errno
expect_error $E.Failed $OBJECT $IFACE.BadReply
grep -qF 'method BadReply replied "u", not "s"' "$dir/server.log" || die "the bad reply was not logged"
expect_output "Label unchanged by refused Sets" 's "left hip weak"' bctl get-property $SERVICE $OBJECT $IFACE Label

echo "# 1 MiB arguments"
expect_output "1 MiB metric" 1048576 "$call" 1048576
expect_output "1 MiB argument, wrong signature" $E.InvalidArgs "$call" --wrong 1048576
server_alive "after 1 MiB arguments"

echo "# PropertiesChanged throttled, signals"
bctl monitor --json=short $SERVICE > "$dir/monitor.json" 2>"$dir/monitor.err" &
monitor_pid=$!
wait_until 10 monitor_up "$dir/monitor.json" || die "busctl monitor did not start: $(cat "$dir/monitor.err")"
churn_ms=1500
bctl call $SERVICE $OBJECT $IFACE Churn u $churn_ms
sleep 2.25 # the churn (1.5 s) and three intervals: the last change has gone out
steps=$(bctl get-property $SERVICE $OBJECT $IFACE StepCount)
steps=${steps#t }
bctl set-property $SERVICE $OBJECT $IFACE Label s "after the run"
bctl call $SERVICE $OBJECT $IFACE Spike sd stance 9.5
# Wait for the Label change to come through, then stop watching.
wait_until 5 grep -qF '"Label":{"type":"s","data":"after the run"}' "$dir/monitor.json" || true
kill "$monitor_pid"; wait "$monitor_pid" 2>/dev/null || true; monitor_pid=

[ "$steps" -gt 10 ] || die "the churn made only $steps steps"
changes=$(properties_changed "$dir/monitor.json")
n=$(grep -c . <<<"$changes" || true)
max=$(( churn_ms / INTERVAL_MS + 3 ))
[ "$n" -ge 3 ] && [ "$n" -le "$max" ] || die "$n PropertiesChanged for $steps changes (expected 3..$max)"
# No two closer than half the interval (what the monitor saw, so scheduling jitter is allowed for).
grep -o '"timestamp-realtime":[0-9]*' <<<"$changes" | cut -d: -f2 |
        awk -v min=$(( INTERVAL_MS * 500 )) 'NR > 1 && $1 - prev < min { print "PropertiesChanged " $1 - prev " µs apart"; bad = 1 }
                                              { prev = $1 } END { exit bad }' >&2 ||
        die "PropertiesChanged came faster than every $INTERVAL_MS ms"
grep -qF '"Cadence":{"type":"d","data":' <<<"$changes" || die "PropertiesChanged never carried Cadence"
! grep -qE '"(Name|Sensors|Asymmetry|Baseline)":' <<<"$changes" || die "PropertiesChanged carried unchanged properties"
grep -qF '},["Baseline"]]}' <<<"$changes" || die "PropertiesChanged never invalidated Baseline"
last_steps=$(grep -o '"StepCount":{"type":"t","data":[0-9]*}' <<<"$changes" | tail -n1 | tr -dc 0-9)
[ "$last_steps" = "$steps" ] || die "the last PropertiesChanged had StepCount $last_steps, the object has $steps"
grep -qF '"Label":{"type":"s","data":"after the run"}' <<<"$changes" || die "no PropertiesChanged for Label"
spikes=$(grep '"member":"AsymmetrySpike"' "$dir/monitor.json" || true)
[ "$(grep -c . <<<"$spikes")" = 1 ] || die "expected one AsymmetrySpike, got: $spikes"
grep -qE '"path":"/org/gaitmon/Test1","interface":"org.gaitmon.Test1","member":"AsymmetrySpike","payload":\{"type":"sdd","data":\["stance",9\.50*e\+00,2\.50*e\+00\]\}' <<<"$spikes" ||
        die "AsymmetrySpike arguments: $spikes"
grep -qE '"member":"FatigueAlert","payload":\{"type":"uas","data":\[2,\["cadence","stance"\]\]\}' "$dir/monitor.json" ||
        die "FatigueAlert missing or wrong"
grep -qF 'signal AsymmetrySpike given "s", not "sdd"' "$dir/server.log" || die "the bad signal was not logged"

echo "# timeouts of outgoing calls"
"$call" --idle 30 > "$dir/idle.name" &
idle_pid=$!
wait_until 5 test -s "$dir/idle.name" || true
idle_name=$(cat "$dir/idle.name")
[ -n "$idle_name" ] || die "the idle peer did not connect"
bctl monitor --json=short $SERVICE > "$dir/relay.json" 2>/dev/null &
monitor_pid=$!
wait_until 10 monitor_up "$dir/relay.json" || true
bctl call $SERVICE $OBJECT $IFACE Relay su "$idle_name" 300
bctl call $SERVICE $OBJECT $IFACE Relay su org.freedesktop.DBus 300
relays_done() { [ "$(grep -c '"member":"RelayDone"' "$dir/relay.json")" -ge 2 ]; }
wait_until 10 relays_done || true
# Checked while the silent peer lives: once it is gone the bus itself would answer NoReply.
kill -0 "$idle_pid" 2>/dev/null || die "the idle peer exited early"
grep -qF '"member":"RelayDone","payload":{"type":"s","data":["org.freedesktop.DBus.Error.NoReply"]}' "$dir/relay.json" ||
        die "a call to a silent peer did not time out"
grep -qF '"member":"RelayDone","payload":{"type":"s","data":["ok"]}' "$dir/relay.json" ||
        die "a call to the bus driver got no reply"
kill "$monitor_pid" "$idle_pid"; wait "$monitor_pid" "$idle_pid" 2>/dev/null || true; monitor_pid= idle_pid=
server_alive "after outgoing calls"

echo "# the bus restarts"
cpu_ticks() { awk '{ print $14 + $15 }' /proc/$server_pid/stat; }
testbus_stop
before=$(cpu_ticks)
sleep 3
server_alive "while the bus was down"
after=$(cpu_ticks)
# A busy loop would burn about 300 ticks in 3 s.
[ $(( after - before )) -lt 30 ] || die "the server used $(( after - before )) ticks of CPU while the bus was down"
rm -f "$dir/bus/address"
testbus_start "$dir/bus"
wait_for_name
grep -qF 'lost the connection to the system bus, reconnecting' "$dir/server.log" || die "the loss was not logged"
grep -qF "connected to the system bus again, owning $SERVICE" "$dir/server.log" || die "the return was not logged"
expect_output "Label after reconnecting" 's "after the run"' bctl get-property $SERVICE $OBJECT $IFACE Label
expect_output "Describe after reconnecting" 'su "pelvic_drop=3" 11' bctl call $SERVICE $OBJECT $IFACE Describe sd pelvic_drop 3
expect_error $E.UnknownObject /nowhere $IFACE.Describe string:stance double:1

echo "# name already owned"
if "$server" 2>"$dir/second.log"; then
        die "a second server started while the name was owned"
fi
grep -qF "$SERVICE is already owned by another process" "$dir/second.log" || die "second server: $(cat "$dir/second.log")"

echo "# clean exit"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=
[ $status -eq 0 ] || die "the server exited with $status"

echo "# the policy denies the name"
testbus_stop
cat > "$dir/deny.conf" <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig/>
XML
rm -rf "$dir/bus"
testbus_start "$dir/bus" "$dir/deny.conf"
status=0
"$server" 2>"$dir/denied.log" || status=$?
[ $status -eq 1 ] || die "the server exited with $status without its name: $(cat "$dir/denied.log")"
grep -qxF "bus-test-server: not allowed to own $SERVICE: check the D-Bus policy" "$dir/denied.log" ||
        die "denied: $(cat "$dir/denied.log")"
echo "ok"
