#!/usr/bin/env bash
# gaitmon-notify's command line, its user unit and its autostart entry.
#
#   test_cli_units.sh GAITMON_NOTIFY UNIT DESKTOP_ENTRY
set -euo pipefail

exe=$1 unit=$2 entry=$3
tmp=$(mktemp -d)
# shellcheck source=../lib/gmtest.sh
. "$(dirname "$0")/../lib/gmtest.sh"
gm_on_exit 'rm -rf "$tmp"'

"$exe" --help >"$tmp/out"
grep -q '^Usage: gaitmon-notify' "$tmp/out" || die "--help: $(cat "$tmp/out")"
grep -q -- '--cooldown' "$tmp/out" || die "--help does not describe --cooldown"
"$exe" --version | grep -qE '^gaitmon-notify [0-9]+\.[0-9]+' || die "--version"

# Bad usage: exit 2 with a message naming the problem, before touching any bus.
expect_usage_error() {
        local rc=0
        DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent \
                "$exe" "$@" >"$tmp/out" 2>&1 || rc=$?
        [ "$rc" -eq 2 ] || die "'$*' exited $rc: $(cat "$tmp/out")"
        grep -q "$pattern" "$tmp/out" || die "'$*' said: $(cat "$tmp/out")"
}
pattern="invalid --cooldown" expect_usage_error --cooldown=-1
pattern="invalid --cooldown" expect_usage_error --cooldown=ten
pattern="invalid --cooldown" expect_usage_error --cooldown=posture=5
pattern="invalid --cooldown" expect_usage_error --cooldown=asymmetry=nan
pattern="invalid --cooldown" expect_usage_error --cooldown=1e9
pattern="--help" expect_usage_error --no-such-option
pattern="unexpected argument" expect_usage_error stray

# The unit as installed, but starting the program just built.
sed "s|^ExecStart=.*|ExecStart=$(realpath "$exe")|" "$unit" >"$tmp/gaitmon-notify.service"
grep -qx 'WantedBy=default.target' "$tmp/gaitmon-notify.service" || die "the unit is not wanted by default.target"
mkdir -m 700 "$tmp/runtime"
# Problems are printed with exit status 0: any output is a failure.
XDG_RUNTIME_DIR=$tmp/runtime systemd-analyze --user verify --man=no "$tmp/gaitmon-notify.service" >"$tmp/out" 2>&1 ||
        die "systemd-analyze verify: $(cat "$tmp/out")"
[ ! -s "$tmp/out" ] || die "systemd-analyze verify: $(cat "$tmp/out")"

grep -qx '\[Desktop Entry\]' "$entry" || die "no [Desktop Entry] group"
grep -qx 'Type=Application' "$entry" || die "the autostart entry is not an application"
exec_path=$(sed -n 's/^Exec=//p' "$entry")
case $exec_path in /*/gaitmon-notify) ;; *) die "the autostart entry runs '$exec_path'" ;; esac
# Under systemd the unit runs it; a second copy would show every alert twice.
grep -qx 'X-systemd-skip=true' "$entry" || die "the autostart entry would run beside the unit"
echo PASS
