#!/usr/bin/env bash
# gaitmonctl without gaitmond: --help, bad usage (exit 2, a clear message), no bus, and
# gaitmond missing from a private system-like bus (exit 1, "not running"); bash completion.
set -euo pipefail

ctl=$1
completion=$2
here=$(dirname "$0")
work=$(mktemp -d)
. "$here/../lib/gmtest.sh"
. "$here/../lib/testbus.sh"
gm_on_exit 'rm -rf "$work"'

# expect STATUS PATTERN ARGS...: exit status and a line of stderr matching PATTERN.
expect() {
        local want=$1 pattern=$2 rc=0
        shift 2
        "$ctl" "$@" >"$work/out" 2>"$work/err" || rc=$?
        [ "$rc" -eq "$want" ] || fail "gaitmonctl $*: exit $rc, expected $want ($(cat "$work/err"))"
        grep -q -- "$pattern" "$work/err" || fail "gaitmonctl $*: stderr lacks '$pattern': $(cat "$work/err")"
        [ ! -s "$work/out" ] || [ "$want" -eq 0 ] || fail "gaitmonctl $*: wrote to stdout on error: $(cat "$work/out")"
}

"$ctl" --help > "$work/help"
for verb in status watch history show end-run reset-baseline --json --days --svg --duration; do
        grep -q -- "$verb" "$work/help" || fail "--help does not mention $verb"
done
"$ctl" --version | grep -q '^gaitmonctl [0-9]' || fail "--version"

expect 2 "Unknown command 'frobnicate'" frobnicate
expect 2 "Unknown option '--frob'" --frob status
expect 2 "needs a value" history --days
expect 2 "Invalid number of days '-3'" history --days -3
expect 2 "Invalid number of days 'week'" history --days week
expect 2 "Invalid number of days '99999999999'" history --days 99999999999
expect 2 "'show' needs a run id" show
expect 2 "Invalid run id 'abc'" show abc
expect 2 "Invalid run id '0'" show 0
expect 2 "Invalid run id '-1'" show -- -1
expect 2 "Too many arguments for 'status'" status extra
expect 2 "Too many arguments for 'show'" show 1 2
expect 2 "Option --svg does not apply to 'history'" history --svg x.svg
expect 2 "Option --days does not apply to 'status'" --days 3 status
expect 2 "Option --duration does not apply to 'show'" show 1 --duration 3
expect 2 "Invalid duration 'soon'" watch --duration soon
expect 2 "Invalid duration '0'" watch --duration 0
expect 2 "Invalid duration 'nan'" watch --duration nan
expect 2 "needs a file name" show 1 --svg ''

# No bus at all.
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/no-such-socket" expect 1 "Failed to connect to the system bus" status

# A bus without gaitmond: every command that talks to it says so.
testbus_start "$work/bus" 2>/dev/null
for args in status "--json status" watch "history" "--json history --days 3" "show 4" "show 4 --svg $work/x.svg" \
            end-run reset-baseline; do
        # shellcheck disable=SC2086
        expect 1 "gaitmond is not running (org.gaitmon.Monitor1 not on the system bus)" $args
done
[ ! -e "$work/x.svg" ] || fail "show wrote a chart without a run"

# Bash completion: verbs, options, option values.
complete_words() {
        bash -c '
                . /usr/share/bash-completion/bash_completion
                . "$1"; shift
                COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
                COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
                _gaitmonctl gaitmonctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@"
}
if [ -r /usr/share/bash-completion/bash_completion ]; then
        [ "$(complete_words gaitmonctl sh)" = show ] || fail "completion of 'sh': $(complete_words gaitmonctl sh)"
        [ "$(complete_words gaitmonctl r)" = reset-baseline ] || fail "completion of 'r'"
        [ "$(complete_words gaitmonctl --j)" = --json ] || fail "completion of '--j'"
        [ "$(complete_words gaitmonctl --days 3 hi)" = history ] || fail "completion after --days 3"
        [ "$(complete_words gaitmonctl en)" = end-run ] || fail "completion of 'en'"
        [ "$(complete_words gaitmonctl ex)" = export ] || fail "completion of 'ex'"
        [ "$(complete_words gaitmonctl export 1 --format j)" = json ] || fail "completion of --format j"
else
        fail "bash-completion is not installed (tools/run installs it)"
fi

gm_verdict
echo ok
