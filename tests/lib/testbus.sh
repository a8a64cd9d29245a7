# Sourced by integration tests: a private system-like dbus-daemon in a temporary
# directory, built from the stock system policy plus the policy files given.
#
#   testbus_start DIR [POLICY.conf...]   start it; exports DBUS_SYSTEM_BUS_ADDRESS
#                                        and TESTBUS_ADDRESS (for busctl --address=)
#   testbus_permissive                   path of a policy that lets anyone own and
#                                        call org.gaitmon.Monitor1 (tests of the
#                                        daemon itself, not of its access policy)
#   testbus_stop                         kill it (also done at exit when gmtest.sh
#                                        is loaded)
#
# With no policy files the permissive one is used.

testbus_start() {
        local dir=$1; shift
        mkdir -p "$dir/policy.d"
        if [ $# -eq 0 ]; then
                set -- "$(testbus_permissive "$dir")"
        fi
        cp "$@" "$dir/policy.d/"
        # The stock policy, minus what only the real system bus does (user switch,
        # fork, activation helper, pid file, syslog, system include dirs).
        sed -e '/<user>/d' -e '/<fork\/>/d' -e '/<pidfile>/d' -e '/<syslog\/>/d' \
            -e '/<servicehelper>/d' -e '/<standard_system_servicedirs\/>/d' \
            -e '/<includedir>/d' -e '/<include /d' -e '/<include>/d' \
            -e "s|<listen>.*</listen>|<listen>unix:path=$dir/system_bus_socket</listen>|" \
            -e "s|</busconfig>|<includedir>$dir/policy.d</includedir></busconfig>|" \
            /usr/share/dbus-1/system.conf > "$dir/system.conf"
        # A bus started again in the same directory must not be read from the last one's
        # file, nor from the new one before dbus-daemon wrote its whole line.
        rm -f "$dir/address"
        dbus-daemon --config-file="$dir/system.conf" --nofork --nopidfile \
                --print-address=3 3>"$dir/address.new" &
        TESTBUS_PID=$!
        ! declare -F gm_on_exit >/dev/null || gm_on_exit testbus_stop
        local i
        for i in $(seq 200); do
                if [ "$(wc -l 2>/dev/null <"$dir/address.new" || echo 0)" -ge 1 ]; then
                        mv "$dir/address.new" "$dir/address"
                        break
                fi
                sleep 0.05
        done
        [ -s "$dir/address" ] || { echo "testbus: dbus-daemon did not start" >&2; return 1; }
        TESTBUS_ADDRESS=$(head -n1 "$dir/address")
        export DBUS_SYSTEM_BUS_ADDRESS=$TESTBUS_ADDRESS TESTBUS_ADDRESS TESTBUS_PID
}

testbus_permissive() {
        cat > "$1/permissive.conf" <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy context="default">
    <allow own="org.gaitmon.Monitor1"/>
    <allow send_destination="org.gaitmon.Monitor1"/>
  </policy>
</busconfig>
XML
        echo "$1/permissive.conf"
}

testbus_stop() {
        if [ -n "${TESTBUS_PID:-}" ]; then
                kill "$TESTBUS_PID" 2>/dev/null || true
                wait "$TESTBUS_PID" 2>/dev/null || true
                TESTBUS_PID=
        fi
}
