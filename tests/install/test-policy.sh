#!/usr/bin/env bash
# Install test: the D-Bus policy of org.gaitmon.Monitor1 as enforced by a private system-like dbus-daemon.
#
# Usage: test-policy.sh TESTBUS_SH POLICY_CONF SIGNAL_PROBE DAEMON
#
# DAEMON (gaitmond) runs as user gaitmon against an unreachable sensor and must
# own the name; then each of root, a member of group gaitmon and nobody tries to
# own the name, read properties, introspect, ping and call a method. Signals
# come from SIGNAL_PROBE owning the name as user gaitmon once gaitmond is gone.
# Needs root (it creates users and switches uid with setpriv).
set -euo pipefail

testbus_sh=$1 policy=$2 probe=$3 daemon=$4
name=org.gaitmon.Monitor1
path=/org/gaitmon/Monitor1

# shellcheck source=../lib/gmtest.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gmtest.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root: it creates the users gaitmon and a test user and switches uid with setpriv"
for prog in "$daemon" "$probe"; do
        [ -x "$prog" ] || die "$prog is not built"
done
for tool in setpriv busctl dbus-daemon useradd userdel; do
        command -v "$tool" >/dev/null || die "$tool is missing"
done

# shellcheck source=../lib/testbus.sh
. "$testbus_sh"

tmp=$(mktemp -d)
created_users=()
created_group=no
daemon_pid=
remove_users() {
        local u
        for u in "${created_users[@]}"; do
                userdel "$u" 2>/dev/null || true
        done
        if [ $created_group = yes ] && getent group gaitmon >/dev/null; then
                groupdel gaitmon 2>/dev/null || true
        fi
}
# At exit, the last registered first: gaitmond, the bus (testbus_start), the users, $tmp.
gm_on_exit 'rm -rf "$tmp"'
gm_on_exit remove_users

# The service user (as sysusers.d would make it) and a user who is only in group gaitmon.
getent group gaitmon >/dev/null || created_group=yes
if ! getent passwd gaitmon >/dev/null; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin gaitmon 2>/dev/null || getent passwd gaitmon >/dev/null ||
                die "cannot create user gaitmon"
        getent passwd gaitmon >/dev/null && created_users+=(gaitmon)
fi
member=gmtest$$
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        --user-group --groups gaitmon "$member" || die "cannot create test user $member"
created_users=("$member" "${created_users[@]}")
id -nG "$member" | grep -qw gaitmon || die "$member is not in group gaitmon"

# as USER CMD...: run CMD with USER's uid, primary group and supplementary groups.
as() {
        local user=$1; shift
        if [ "$user" = root ]; then
                "$@"
        else
                setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups "$@"
        fi
}

chmod 0755 "$tmp"
testbus_start "$tmp/bus" "$policy"
chmod 0755 "$tmp/bus"
bus() { busctl --address="$TESTBUS_ADDRESS" "$@"; }

# gaitmond as user gaitmon, with a sensor nobody serves and its own state directory.
mkdir -p "$tmp/state"
chown gaitmon:gaitmon "$tmp/state"
chmod 0750 "$tmp/state"
cat > "$tmp/gaitmon.conf" <<EOF
[iio]
uri = ip:127.0.0.1:1
[daemon]
state_directory = $tmp/state
EOF
chmod 0644 "$tmp/gaitmon.conf"
setpriv --reuid=gaitmon --regid=gaitmon --init-groups \
        env -u NOTIFY_SOCKET -u WATCHDOG_USEC "$daemon" --config "$tmp/gaitmon.conf" \
        >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
gm_on_exit 'gm_kill $daemon_pid'
gm_log "$tmp/daemon.log"

owned=no
for _ in $(seq 200); do
        if bus call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s "$name" 2>/dev/null | grep -qx 'b true'; then
                owned=yes
                break
        fi
        kill -0 "$daemon_pid" 2>/dev/null || break
        sleep 0.05
done
if [ $owned = yes ]; then
        ok "$daemon as user gaitmon owns $name"
else
        die "$daemon as user gaitmon did not get $name"
fi
owner_uid=$(bus call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        GetConnectionUnixUser s "$name" | awk '{print $2}')
[ "$owner_uid" = "$(id -u gaitmon)" ] && ok "the owner's uid is gaitmon's ($owner_uid)" ||
        fail "owner uid $owner_uid, expected $(id -u gaitmon)"

# expect allowed|denied USER DESCRIPTION busctl-arguments...
expect() {
        local want=$1 user=$2 what=$3; shift 3
        local out rc=0
        out=$(as "$user" busctl --address="$TESTBUS_ADDRESS" "$@" 2>&1) || rc=$?
        local denied=no
        if [ $rc -ne 0 ] && grep -qiE 'access denied|AccessDenied|Rejected send message' <<<"$out"; then
                denied=yes
        fi
        case $want in
        allowed)
                if [ $rc -eq 0 ]; then ok "$user may $what"
                else fail "$user may not $what: $out"; fi ;;
        allowed-not-denied)
                # The call reaches the daemon; it may still answer with its own error.
                if [ $denied = no ] && ! grep -qiE 'not provided by|disconnected|timed out' <<<"$out"; then ok "$user may $what (${out:-no output})"
                else fail "$user was denied to $what: $out"; fi ;;
        denied)
                if [ $denied = yes ]; then ok "$user is denied to $what"
                else fail "$user was not denied to $what (exit $rc): $out"; fi ;;
        esac
}

for user in root "$member"; do
        expect allowed "$user" "read State" get-property "$name" "$path" "$name" State
        expect allowed "$user" "read all properties" call "$name" "$path" \
                org.freedesktop.DBus.Properties GetAll s "$name"
        expect allowed "$user" "introspect" introspect "$name" "$path"
        expect allowed "$user" "ping" call "$name" "$path" org.freedesktop.DBus.Peer Ping
        expect allowed-not-denied "$user" "call ResetBaseline" call "$name" "$path" "$name" ResetBaseline
        # Deleting health data is for the same people (an unknown id: the daemon's own error).
        expect allowed-not-denied "$user" "call DeleteRun" call "$name" "$path" "$name" DeleteRun t 999999
done
# Nothing is writable: Properties.Set is not let through even for the group.
expect denied "$member" "set State" call "$name" "$path" org.freedesktop.DBus.Properties Set \
        ssv "$name" State s idle

for user in nobody; do
        expect denied "$user" "read State" get-property "$name" "$path" "$name" State
        expect denied "$user" "read all properties" call "$name" "$path" \
                org.freedesktop.DBus.Properties GetAll s "$name"
        expect denied "$user" "introspect" call "$name" "$path" \
                org.freedesktop.DBus.Introspectable Introspect
        expect denied "$user" "ping" call "$name" "$path" org.freedesktop.DBus.Peer Ping
        expect denied "$user" "call ResetBaseline" call "$name" "$path" "$name" ResetBaseline
        expect denied "$user" "call EndSession" call "$name" "$path" "$name" EndSession
        expect denied "$user" "call GetSessions" call "$name" "$path" "$name" GetSessions u 7
        expect denied "$user" "call GetStrides" call "$name" "$path" "$name" GetStrides tdd 1 0 inf
        expect denied "$user" "call DeleteRun" call "$name" "$path" "$name" DeleteRun t 1
done

# Owning the name: only user gaitmon. Flag 4 = do not queue, so gaitmon (allowed,
# but the name is taken) gets reply 3 (exists) where the others get AccessDenied.
for user in nobody "$member"; do
        expect denied "$user" "own $name" call org.freedesktop.DBus /org/freedesktop/DBus \
                org.freedesktop.DBus RequestName su "$name" 4
done
out=$(as gaitmon busctl --address="$TESTBUS_ADDRESS" call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus RequestName su "$name" 4 2>&1) || true
[ "$out" = "u 3" ] && ok "gaitmon may ask for $name (taken: reply 3)" || fail "gaitmon asking for $name: $out"

# gaitmond stops cleanly on SIGTERM and gives the name back.
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
[ $rc -eq 0 ] && ok "$daemon exits 0 on SIGTERM" || fail "$daemon exited $rc on SIGTERM"
for _ in $(seq 100); do
        bus call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s "$name" | grep -qx 'b false' && break
        sleep 0.05
done

# Signals: the owner's broadcasts reach root and group gaitmon, not nobody.
as nobody "$probe" emit 1 >"$tmp/emit-nobody.log" 2>&1 && rc=0 || rc=$?
[ $rc -eq 3 ] && ok "nobody cannot own $name (probe)" || fail "probe as nobody: exit $rc: $(cat "$tmp/emit-nobody.log")"
listeners=()
for user in root "$member" nobody; do
        as "$user" "$probe" listen 4 >"$tmp/listen-$user.log" 2>&1 &
        listeners+=($!)
done
for user in root "$member" nobody; do
        for _ in $(seq 100); do
                grep -q listening "$tmp/listen-$user.log" 2>/dev/null && break
                sleep 0.05
        done
done
as gaitmon "$probe" emit 1.5 >"$tmp/emit.log" 2>&1 || fail "probe as gaitmon could not emit: $(cat "$tmp/emit.log")"
wait "${listeners[@]}" || true
for user in root "$member"; do
        n=$(sed -n 's/^signals: //p' "$tmp/listen-$user.log")
        [ "${n:-0}" -gt 0 ] && ok "$user receives signals of $name ($n)" ||
                fail "$user received no signals: $(cat "$tmp/listen-$user.log")"
done
n=$(sed -n 's/^signals: //p' "$tmp/listen-nobody.log")
[ "$n" = 0 ] && ok "nobody receives no signals of $name" ||
        fail "nobody received signals: $(cat "$tmp/listen-nobody.log")"

gm_verdict
echo "all policy checks passed"
