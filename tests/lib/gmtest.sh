# Sourced by the shell tests: verdicts, polling, gaitmon-sim and gaitmond started
# for a test and stopped on every way out of it.
#
#   ok MESSAGE                    prints "ok: MESSAGE"
#   fail MESSAGE                  prints "FAIL: MESSAGE", counts it in GM_FAILURES, goes on
#   die MESSAGE                   prints "FAIL: MESSAGE" and the ends of the logs, exits 1
#   gm_verdict                    dies if anything failed
#   wait_until SECONDS CMD...     polls CMD until it succeeds; 1 if it never did
#   wait_for SECONDS WHAT CMD...  the same, CMD's output discarded; dies on a timeout
#   gm_on_exit 'CODE'             runs CODE at exit, the last registered first
#   gm_kill PID...                SIGTERM and reap each PID, if any, if alive
#   gm_log FILE                   die shows the end of FILE
#
#   sim_start DIR ARGS...         $GM_SIM --port 0 ARGS, its output in DIR/sim.out and
#                                 DIR/sim.err; exports SIM_PID, SIM_PORT, SIM_URI
#   sim_stop                      stops it (it may have ended its scenario already)
#   daemon_config DIR [LINE...]   DIR/gaitmon.conf for the sim's port, state in DIR/state,
#                                 then the LINEs ("[section]", "key = value")
#   daemon_spawn DIR [LOG]        $GM_DAEMON on DIR/gaitmon.conf, its output appended to
#                                 LOG (DIR/gaitmond.log); exports DAEMON_PID
#   daemon_start DIR [LOG]        daemon_spawn, then waits until it answers on the bus:
#                                 $GM_CTL status if set, else busctl on $TESTBUS_ADDRESS
#   daemon_stop [SIGNAL]          signals it (TERM) and reaps it; dies if it had exited
#
# One EXIT trap runs what gm_on_exit registered; sim_start, daemon_spawn and
# testbus_start (tests/lib/testbus.sh) register their stops. An EXIT trap set
# before the first gm_on_exit is kept and runs last. INT and TERM exit, so the
# trap runs on a timeout too.

GM_FAILURES=0
GM_CLEANUP=()
GM_LOGS=()
SIM_PID= DAEMON_PID=
GM_SHELL=$BASHPID

ok() { echo "ok: $*"; }

fail() {
        echo "FAIL: $*" >&2
        GM_FAILURES=$((GM_FAILURES + 1))
}

die() {
        echo "FAIL: $*" >&2
        local f
        for f in "${GM_LOGS[@]}"; do
                [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
        done
        exit 1
}

gm_verdict() {
        [ "$GM_FAILURES" -eq 0 ] || die "$GM_FAILURES checks failed"
}

# A loaded machine gets its tries: the time must be up and SECONDS * 5 tries made.
wait_until() {
        local limit=$1 tries=0 end
        shift
        end=$((SECONDS + limit))
        until "$@"; do
                tries=$((tries + 1))
                [ "$SECONDS" -lt "$end" ] || [ "$tries" -lt $((limit * 5)) ] || return 1
                sleep 0.2
        done
}

gm_quiet() { "$@" >/dev/null 2>&1; }

wait_for() {
        local limit=$1 what=$2
        shift 2
        wait_until "$limit" gm_quiet "$@" || die "timed out waiting for $what"
}

gm_on_exit() {
        local code=$1 prev
        if [ ${#GM_CLEANUP[@]} -eq 0 ]; then
                prev=$(trap -p EXIT)
                if [ -n "$prev" ]; then
                        eval "set -- $prev" # trap -- 'CODE' EXIT
                        GM_CLEANUP+=("$3")
                fi
                trap gm_cleanup EXIT
                trap 'exit 130' INT
                trap 'exit 143' TERM
        fi
        GM_CLEANUP+=("$code")
}

gm_cleanup() {
        local i
        # A child signalled between fork and exec runs the traps too: not its to run.
        [ "$BASHPID" = "$GM_SHELL" ] || return 0
        set +e
        for ((i = ${#GM_CLEANUP[@]} - 1; i >= 0; i--)); do
                eval "${GM_CLEANUP[i]}"
        done
}

gm_kill() {
        local pid
        for pid in "$@"; do
                kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
        done
        return 0
}

gm_log() {
        local f
        for f in "${GM_LOGS[@]}"; do [ "$f" != "$1" ] || return 0; done
        GM_LOGS+=("$1")
}

sim_start() {
        local dir=$1
        shift
        [ -n "${GM_SIM_STOP:-}" ] || { GM_SIM_STOP=1; gm_on_exit sim_stop; }
        "${GM_SIM:?GM_SIM: path of gaitmon-sim}" --port 0 "$@" >"$dir/sim.out" 2>"$dir/sim.err" &
        SIM_PID=$!
        gm_log "$dir/sim.err"
        wait_until 30 gm_sim_listening "$dir" || die "gaitmon-sim did not start: $(cat "$dir/sim.err")"
        SIM_URI=ip:127.0.0.1:$SIM_PORT
        export SIM_PID SIM_PORT SIM_URI
}

gm_sim_listening() {
        # The background shell may not have opened sim.out yet.
        SIM_PORT=$(sed -n 's/^gaitmon-sim: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$1/sim.out" 2>/dev/null)
        [ -n "$SIM_PORT" ] && return 0
        kill -0 "$SIM_PID" 2>/dev/null || die "gaitmon-sim exited: $(cat "$1/sim.err")"
        return 1
}

sim_stop() {
        gm_kill $SIM_PID
        SIM_PID=
}

daemon_config() {
        local dir=$1
        shift
        mkdir -p "$dir/state"
        {
                printf '[iio]\nuri = ip:127.0.0.1:%s\n[daemon]\nstate_directory = %s\n' \
                        "${SIM_PORT:?daemon_config: no gaitmon-sim started}" "$dir/state"
                [ $# -eq 0 ] || printf '%s\n' "$@"
        } > "$dir/gaitmon.conf"
}

daemon_spawn() {
        local dir=$1 log=${2:-$1/gaitmond.log}
        [ -n "${GM_DAEMON_STOP:-}" ] || { GM_DAEMON_STOP=1; gm_on_exit 'gm_kill $DAEMON_PID'; }
        "${GM_DAEMON:?GM_DAEMON: path of gaitmond}" --config "$dir/gaitmon.conf" >>"$log" 2>&1 &
        DAEMON_PID=$!
        gm_log "$log"
        export DAEMON_PID
}

daemon_start() {
        daemon_spawn "$@"
        wait_until 30 gm_daemon_on_bus || die "gaitmond is not on the bus"
}

gm_daemon_on_bus() {
        kill -0 "$DAEMON_PID" 2>/dev/null || die "gaitmond exited"
        if [ -n "${GM_CTL:-}" ]; then
                "$GM_CTL" status >/dev/null 2>&1
        else
                busctl --address="$TESTBUS_ADDRESS" status org.gaitmon.Monitor1 >/dev/null 2>&1
        fi
}

# Strict: gaitmond never ends on its own in these tests.
daemon_stop() {
        kill -"${1:-TERM}" "$DAEMON_PID" || die "gaitmond had exited before it was stopped"
        wait "$DAEMON_PID" 2>/dev/null || true
        DAEMON_PID=
}
