#!/usr/bin/env bash
# kill -9 during a run, several times: earlier runs stay intact, each killed run is kept as
# interrupted with every minute committed before the kill.
set -euo pipefail

writer=$1
dir=$(mktemp -d)
pid=
cleanup() {
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
        rm -rf "$dir"
}
trap cleanup EXIT

prepared=4
"$writer" prepare "$dir" "$prepared"

round=0
for target in 3 25 80; do
        round=$((round + 1))
        start=$((1800000000000000 + round * 1000000))
        : > "$dir/written"
        "$writer" write "$dir" "$start" > "$dir/written" 2>"$dir/writer.err" &
        pid=$!
        for _ in $(seq 600); do
                [ "$(wc -l < "$dir/written")" -ge "$target" ] && break
                kill -0 "$pid" 2>/dev/null || { echo "writer died:"; cat "$dir/writer.err"; exit 1; } >&2
                sleep 0.01
        done
        kill -9 "$pid"
        wait "$pid" 2>/dev/null || true
        pid=
        # Only whole lines: the last one may have been cut by the kill.
        committed=$(grep -c '^[0-9][0-9]*$' "$dir/written" || true)
        if [ "$committed" -lt "$target" ]; then
                echo "round $round: only $committed minutes written before the timeout" >&2
                exit 1
        fi
        have=$("$writer" check "$dir" "$prepared" "$start" "$committed" 2>"$dir/check.err") || {
                echo "round $round (killed after $committed committed minutes):" >&2
                cat "$dir/check.err" >&2
                exit 1
        }
        grep -q "was never ended; kept as interrupted" "$dir/check.err" || {
                echo "round $round: the interrupted run was not reported:" >&2
                cat "$dir/check.err" >&2
                exit 1
        }
        echo "round $round: killed after $committed committed minutes; reopened with $have, $prepared earlier runs intact"
done

# An independent reader agrees: the file is sound and holds every run.
[ "$(sqlite3 "$dir/history.db" 'PRAGMA integrity_check')" = ok ]
[ "$(sqlite3 "$dir/history.db" "SELECT count(*) FROM runs WHERE state = 'interrupted'")" = 3 ]
[ "$(sqlite3 "$dir/history.db" "SELECT count(*) FROM runs WHERE state = 'ended'")" = "$prepared" ]
ls "$dir" | grep -q corrupt && { echo "a sound file was set aside" >&2; exit 1; }
echo "ok"
