#!/usr/bin/env bash
# What gaitmond says about a configuration a person got wrong: --check-config
# refuses what would fail later, names the mistake (the section, not each key;
# the URI and the one it should be), and a sensor it cannot find comes with
# how to do without it.
#
# Usage: test-config.sh TESTBUS_SH GAITMOND GAITMON_SIM
set -euo pipefail

testbus_sh=$1 daemon=$2 sim=$3
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

# shellcheck source=../lib/testbus.sh
. "$testbus_sh"
tmp=$(mktemp -d)
sim_pid= daemon_pid= watch_pid=
cleanup() {
        # Each step whatever the one before did: a killed process's wait fails.
        [ -z "$watch_pid" ] || kill "$watch_pid" 2>/dev/null || true
        if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
        if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
        testbus_stop
        rm -rf "$tmp"
}
trap cleanup EXIT

refused() { # refused TEXT EXPECTED: --check-config fails on TEXT with EXPECTED on its one line
        printf "$1" > "$tmp/bad.conf"
        local rc=0 out
        out=$("$daemon" --config "$tmp/bad.conf" --check-config 2>&1) || rc=$?
        if [ $rc -ne 0 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qF -- "$2" <<<"$out"; then
                ok "refused: $out"
        else
                fail "for $(printf '%q' "$1"): exit $rc, '$out', expected '$2'"
        fi
}
refused '[iio]\nuri = 127.0.0.1:30431\n' \
        "$tmp/bad.conf:2: [iio] uri: '127.0.0.1:30431' is not a libiio URI: local: for this machine's sensors, ip:127.0.0.1:30431 for"
refused '[iio]\nuri = ip:\n' "[iio] uri: 'ip:' is not a libiio URI"
refused '[sensor]\npelvis = none\nleft_hip = none\n' "$tmp/bad.conf:2: unknown section [sensor] (sections: [iio], [sensors],"
refused 'uri = local:\n' "$tmp/bad.conf:1: 'uri' is outside any [section]"
refused '[sensors]\npelvis = none\nleft_hip = none\nright_hip = none\nleft_shank = none\nright_shank = none\n' \
        "no sensor configured in [sensors]"
refused '[iio]\nfrobnicate = 1\n' "$tmp/bad.conf:2: unknown key 'frobnicate' in section [iio]"
for uri in local: ip:127.0.0.1:30431 ip:belt.local usb: serial:/dev/ttyUSB0,115200; do
        printf '[iio]\nuri = %s\n' "$uri" > "$tmp/good.conf"
        out=$("$daemon" --config "$tmp/good.conf" --check-config 2>&1) &&
                [ "$out" = "$tmp/good.conf: ok" ] || fail "uri = $uri refused: $out"
done
[ $failures -eq 0 ] && ok "libiio's local:, ip:, usb:, serial: URIs pass"

# Without a file there is nothing to check: the default file missing is said.
if [ ! -e /etc/gaitmon/gaitmon.conf ]; then
        rc=0
        out=$("$daemon" --check-config 2>&1) || rc=$?
        [ $rc -ne 0 ] && grep -qF "/etc/gaitmon/gaitmon.conf: No such file or directory" <<<"$out" &&
                ok "--check-config without /etc/gaitmon/gaitmon.conf: $out" ||
                fail "--check-config without a file: exit $rc, '$out'"
else
        echo "skipped: /etc/gaitmon/gaitmon.conf exists here"
fi

# A sensor not found, against the emulator: the log says how to do without it.
testbus_start "$tmp/bus" >/dev/null
"$sim" --port 0 --speed 1 --duration 600 "$(dirname "$0")/../../config/scenarios/walk.ini" \
        >"$tmp/sim.out" 2>"$tmp/sim.err" &
sim_pid=$!
port=
for _ in $(seq 100); do
        # The background shell may not have opened sim.out yet.
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/sim.out" 2>/dev/null || true)
        [ -n "$port" ] && break
        sleep 0.1
done
[ -n "$port" ] || die "gaitmon-sim did not start: $(cat "$tmp/sim.err")"
mkdir "$tmp/state"
printf '[iio]\nuri = ip:127.0.0.1:%s\n[sensors]\npelvis = label:pelvic\n[daemon]\nstate_directory = %s\n' \
        "$port" "$tmp/state" > "$tmp/gaitmon.conf"
"$daemon" --config "$tmp/gaitmon.conf" 2>"$tmp/gaitmond.log" &
daemon_pid=$!
want="gaitmond: pelvis: no IIO device with label pelvic at ip:127.0.0.1:$port; set pelvis = none in [sensors] if it is not worn"
for _ in $(seq 200); do
        grep -qF "$want" "$tmp/gaitmond.log" && break
        kill -0 "$daemon_pid" 2>/dev/null || break
        sleep 0.1
done
grep -qF "$want" "$tmp/gaitmond.log" && ok "logged: $want" ||
        fail "gaitmond did not log '$want': $(cat "$tmp/gaitmond.log")"

[ $failures -eq 0 ] || die "$failures checks failed"
