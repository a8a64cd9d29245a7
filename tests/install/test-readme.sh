#!/usr/bin/env bash
# The README's "same by hand" recipe, run as written: its shell block from the
# checkout, line by line as if pasted into bash. It must print the status,
# watch the run's changes and read a running cadence from the bus.
#
# Usage: test-readme.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail

source=$1 build=$2
# shellcheck source=../lib/gmtest.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gmtest.sh"

tmp=$(mktemp -d)
pgid=
stop_recipe() {
        # The recipe's sim, gaitmond and bus live in their own process group.
        [ -n "$pgid" ] && kill -TERM -- "-$pgid" 2>/dev/null || true
        sleep 0.2
        [ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null || true
}
gm_on_exit 'rm -rf "$tmp"'
gm_on_exit stop_recipe

# The block after "The same by hand".
awk '/^The same by hand/ { found = 1 } found && /^```sh$/ { inside = 1; next }
     inside && /^```$/ { exit } inside { print }' "$source/README.md" > "$tmp/recipe.sh"
[ -s "$tmp/recipe.sh" ] || die "no \"same by hand\" block in README.md"
grep -q '^build/' "$tmp/recipe.sh" || die "the recipe runs nothing from build/"

# It uses the emulator's default port: another one there would answer instead.
if (exec 3<>/dev/tcp/127.0.0.1/30431) 2>/dev/null; then
        echo "port 30431 is taken; the recipe needs it" >&2
        exit 77
fi

# The recipe names build/ of the checkout: run it in a copy of the layout
# (the source tree with this build tree as build/), like a fresh checkout.
work=$tmp/checkout
mkdir -p "$work"
ln -s "$source/config" "$work/config"
ln -s "$build" "$work/build"
cd "$work"
# mktemp -d in the recipe: inside this test's directory, removed with it.
TMPDIR=$tmp setsid bash < "$tmp/recipe.sh" > "$tmp/out" 2> "$tmp/err" &
pid=$!
pgid=$pid
# The recipe ends itself (watch --duration); a hang is for meson's timeout.
rc=0
wait "$pid" || rc=$?
# kill %1 %2 only sends the signal: give them a moment to exit.
for _ in $(seq 50); do
        pgid_alive=$(pgrep -g "$pid" 2>/dev/null | wc -l || true)
        [ "$pgid_alive" -eq 0 ] && break
        sleep 0.1
done
cat "$tmp/out"
[ $rc -eq 0 ] || { cat "$tmp/err" >&2; die "the recipe exited with $rc"; }
ok "the recipe ran to its end (exit 0)"
grep -q '^ *State: ' "$tmp/out" || { cat "$tmp/err" >&2; die "gaitmonctl watch printed no status"; }
changes=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' "$tmp/out" || true)
[ "$changes" -ge 5 ] || { cat "$tmp/err" >&2; die "watch showed $changes changes in 20 s"; }
grep -qE '^[0-9:]{8} running, [0-9]+ steps/min, .* \(left/right[;)]' "$tmp/out" ||
        die "watch printed no live line in words: $(grep -m3 '^[0-9]' "$tmp/out")"
ok "gaitmonctl watch showed the status and $changes changes"
cadence=$(sed -n 's/^d \([0-9.]*\)$/\1/p' "$tmp/out" | tail -n1)
[ -n "$cadence" ] && awk -v c="$cadence" 'BEGIN { exit !(c > 140 && c < 200) }' ||
        { cat "$tmp/err" >&2; die "busctl read no running cadence (scenario: 168 steps/min): $(tail -n3 "$tmp/out")"; }
ok "busctl get-property Cadence: $cadence steps/min (scenario: 168)"
[ "$pgid_alive" -eq 0 ] && ok "kill %1 %2; exit left nothing running" ||
        die "$pgid_alive processes of the recipe still run after it ended"
