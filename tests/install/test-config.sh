#!/usr/bin/env bash
# What gaitmond says about a configuration a person got wrong: --check-config
# refuses what would fail later, names the mistake (the section, not each key;
# the URI and the one it should be), and a sensor it cannot find comes with
# how to do without it.
#
# Usage: test-config.sh TESTBUS_SH GAITMOND GAITMON_SIM
set -euo pipefail

testbus_sh=$1 daemon=$2
GM_DAEMON=$2 GM_SIM=$3
# shellcheck source=../lib/gmtest.sh
. "$(dirname "$testbus_sh")/gmtest.sh"
# shellcheck source=../lib/testbus.sh
. "$testbus_sh"
tmp=$(mktemp -d)
gm_on_exit 'rm -rf "$tmp"'

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
refused '[iio]\nsample_rate_hz = 104\nbuffer_samples = 256\n' \
        "$tmp/bad.conf: [iio] buffer_samples: 256 samples last 2.5 s at sample_rate_hz = 104; the sensors' blocks would"
for uri in local: ip:127.0.0.1:30431 ip:belt.local usb: serial:/dev/ttyUSB0,115200; do
        printf '[iio]\nuri = %s\n' "$uri" > "$tmp/good.conf"
        out=$("$daemon" --config "$tmp/good.conf" --check-config 2>&1) &&
                [ "$out" = "$tmp/good.conf: ok" ] || fail "uri = $uri refused: $out"
done
[ $GM_FAILURES -eq 0 ] && ok "libiio's local:, ip:, usb:, serial: URIs pass"

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
sim_start "$tmp" --speed 1 --duration 600 "$(dirname "$0")/../../config/scenarios/walk.ini"
daemon_config "$tmp" '[sensors]' 'pelvis = label:pelvic'
daemon_spawn "$tmp"
want="gaitmond: pelvis: no IIO device with label pelvic at $SIM_URI; set pelvis = none in [sensors] if it is not worn"
logged_or_gone() { grep -qF "$want" "$tmp/gaitmond.log" || ! kill -0 "$DAEMON_PID" 2>/dev/null; }
wait_until 20 logged_or_gone || true
grep -qF "$want" "$tmp/gaitmond.log" && ok "logged: $want" ||
        fail "gaitmond did not log '$want': $(cat "$tmp/gaitmond.log")"

gm_verdict
