#!/bin/bash
# Command-line test of gaitmon-analyze: usage, errors, bad samples, JSON and output files.
# Usage: test_analyze.sh PATH/TO/gaitmon-analyze
set -u

analyze=${1:?usage: test_analyze.sh GAITMON_ANALYZE}
work=$(mktemp -d "${TMPDIR:-/tmp}/gm-analyze-test.XXXXXX") || exit 1
. "$(dirname "$0")/lib/gmtest.sh"
gm_on_exit 'rm -rf "$work"'

# A plausible walking pelvis recording: 1.8 steps/s, vertical bounce, sway at stride rate.
# $1: seconds, $2: awk snippet run per row that may replace fields (row number in i).
make_walk() {
        awk -v secs="$1" 'BEGIN {
                print "# gaitmon-recording 1"
                print "# rate_hz: 100"
                print "# activity: walking"
                print "time_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z,pelvis_gyr_x,pelvis_gyr_y,pelvis_gyr_z"
                pi = 3.14159265358979
                for (i = 0; i < secs * 100; i++) {
                        t = i / 100; w = 2 * pi * 1.8 * t
                        ax = 9.81 + 2.5 * sin(w) + 0.8 * sin(2 * w + 0.4)
                        ay = 0.9 * sin(w / 2)
                        az = 1.2 * cos(w) + 0.3 * sin(3 * w)
                        gx = 0.35 * sin(w / 2 + 0.2); gy = 0.25 * cos(w); gz = 0.5 * sin(w / 2)
                        row = sprintf("%.2f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f", t, ax, ay, az, gx, gy, gz)
                        '"${2:-}"'
                        print row
                }
        }'
}

run() { # run ARGS...: sets rc, out, err
        "$analyze" "$@" >"$work/out" 2>"$work/err"
        rc=$?
        out=$(cat "$work/out")
        err=$(cat "$work/err")
}

make_walk 60 >"$work/walk.csv"

# --help
run --help
[ "$rc" -eq 0 ] || fail "--help exited $rc"
grep -q -- '--events' "$work/out" || fail "--help does not mention --events"
[ -z "$err" ] || fail "--help wrote to stderr: $err"

# bad usage: exit 2, usage on stderr, nothing on stdout
run --no-such-option "$work/walk.csv"
[ "$rc" -eq 2 ] || fail "bad option exited $rc, expected 2"
grep -qi 'usage' "$work/err" || fail "bad option: no usage on stderr"
[ -z "$out" ] || fail "bad option wrote to stdout"
run
[ "$rc" -eq 2 ] || fail "no argument exited $rc, expected 2"
run --events
[ "$rc" -eq 2 ] || fail "--events without a file exited $rc, expected 2"

# missing file: exit 1, one line on stderr naming the file
run "$work/nonexistent.csv"
[ "$rc" -eq 1 ] || fail "missing file exited $rc, expected 1"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "missing file: expected one line on stderr, got: $err"
grep -q 'nonexistent.csv' "$work/err" || fail "missing file: message does not name the file: $err"
[ -z "$out" ] || fail "missing file wrote a summary"

# text in a number at line 7 (the header is line 4, the 3rd sample row line 7)
make_walk 20 'if (i == 2) row = "0.02,1.0,2.0,abc,0,0,0"' >"$work/malformed.csv"
run "$work/malformed.csv"
[ "$rc" -eq 1 ] || fail "malformed file exited $rc, expected 1"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "malformed file: expected one line on stderr, got: $err"
grep -q 'malformed.csv:7:' "$work/err" || fail "malformed file: message does not name line 7: $err"

# not a recording at all
printf 'hello\n' >"$work/text.csv"
run "$work/text.csv"
[ "$rc" -eq 1 ] || fail "non-recording exited $rc, expected 1"

# NaN, Inf and huge values: no crash, the summary reports them, never prints nan/inf
make_walk 60 'if (i == 500) row = sprintf("%.2f,nan,0,9.8,0,0,0", t)
              if (i == 1500) row = sprintf("%.2f,0,inf,9.8,0,0,0", t)
              if (i == 2500) row = sprintf("%.2f,0,0,1e300,0,0,0", t)
              if (i == 3500) row = sprintf("%.2f,0,0,9.8,-Infinity,0,0", t)' >"$work/bad.csv"
run "$work/bad.csv"
[ "$rc" -eq 0 ] || fail "NaN/Inf/huge rows: exited $rc ($err)"
grep -Eq '^ *bad_samples: 4$' "$work/out" || fail "summary does not report 4 bad samples: $out"
grep -Eiqw 'nan|-?inf' "$work/out" && fail "summary prints a NaN or Inf: $out"
run --json "$work/bad.csv"
[ "$rc" -eq 0 ] || fail "--json on bad samples exited $rc ($err)"
python3 -m json.tool "$work/out" >/dev/null 2>&1 || fail "--json output is not valid JSON: $out"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["bad_samples"] != 4)' "$work/out" ||
        fail "--json does not report 4 bad samples"

# time gaps are counted
make_walk 40 'if (i >= 1000 && i < 1200) continue' >"$work/gap.csv"
run "$work/gap.csv"
[ "$rc" -eq 0 ] || fail "gap file exited $rc ($err)"
grep -Eq '^ *time_gaps: 1$' "$work/out" || fail "summary does not report 1 time gap: $out"

# a clean walk: text summary, valid JSON, output files
run "$work/walk.csv"
[ "$rc" -eq 0 ] || fail "walk exited $rc ($err)"
for key in duration sensors steps cadence cadence_fft vertical_osc stance swing stride hip_extension pelvic_drop impact spikes bad_samples time_gaps; do
        grep -Eq "^ *$key: " "$work/out" || fail "summary lacks '$key': $out"
done
grep -Eq '^ *bad_samples: 0$' "$work/out" || fail "clean walk reports bad samples: $out"
run --json "$work/walk.csv"
[ "$rc" -eq 0 ] || fail "--json exited $rc ($err)"
python3 -m json.tool "$work/out" >/dev/null 2>&1 || fail "--json output is not valid JSON: $out"
# 2.5 m/s² up and down at 1.8 Hz is 2 * 2.5 / (2 pi 1.8)² = 3.9 cm; its second harmonic adds 0.3 at most
python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))["vertical_osc_cm"]; sys.exit(not 3.6 <= v <= 4.2)' "$work/out" ||
        fail "--json vertical_osc_cm is not the walk's 3.9 cm: $out"

# a file name that needs escaping in JSON
cp "$work/walk.csv" "$work/we\"ird \\ name.csv"
run --json "$work/we\"ird \\ name.csv"
python3 -m json.tool "$work/out" >/dev/null 2>&1 || fail "--json with an odd file name is not valid JSON: $out"

run --events "$work/out.events.csv" --strides "$work/out.strides.csv" "$work/walk.csv"
[ "$rc" -eq 0 ] || fail "--events/--strides exited $rc ($err)"
[ "$(head -n 1 "$work/out.events.csv" 2>/dev/null)" = "time_s,side,event" ] ||
        fail "events file does not start with time_s,side,event"
head -n 1 "$work/out.strides.csv" 2>/dev/null | grep -q '^side,t_ic_s,t_fc_s,t_next_ic_s,stride_s,.*,vertical_osc_cm$' ||
        fail "strides file has the wrong header"
ls "$work" | grep -q 'out\.events\.csv\.' && fail "a temporary events file was left behind"

# an output that cannot be written: exit 1, one line, no half file
run --events "$work/no/such/dir/x.events.csv" "$work/walk.csv"
[ "$rc" -eq 1 ] || fail "unwritable --events exited $rc, expected 1"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "unwritable --events: expected one line on stderr, got: $err"

# from a pipe: read as it comes when rate_hz is given; refused without it (read twice)
run /dev/stdin <"$work/walk.csv"
[ "$rc" -eq 0 ] || fail "a recording from a pipe exited $rc ($err)"
cat "$work/walk.csv" | "$analyze" /dev/stdin >/dev/null 2>"$work/err" || fail "a recording through cat failed: $(cat "$work/err")"
grep -v '^# rate_hz' "$work/walk.csv" | "$analyze" /dev/stdin >/dev/null 2>"$work/err"
[ $? -eq 1 ] && grep -q "regular file" "$work/err" || fail "a pipe without rate_hz: $(cat "$work/err")"

# a file cut in the middle of its last row: exit 1 naming that line
make_walk 30 >"$work/cut.csv"
head -c -5 "$work/cut.csv" >"$work/cut2.csv"
run "$work/cut2.csv"
[ "$rc" -eq 1 ] || fail "a file cut mid-row exited $rc, expected 1"
echo "$err" | grep -q "cut2.csv:3004:" || fail "a file cut mid-row does not name line 3004: $err"

# progress: a line on a terminal for a long file, never when stderr is not one or with --quiet
make_walk 1500 >"$work/long.csv"  # over the 5 MiB below which no progress is shown
run "$work/long.csv"
[ "$rc" -eq 0 ] && [ ! -s "$work/err" ] || fail "progress written to a non-terminal stderr: $err"
run --quiet "$work/long.csv"
[ "$rc" -eq 0 ] && grep -q '^ *steps:' "$work/out" || fail "--quiet exited $rc ($err)"
if command -v script >/dev/null; then
        script -qec "'$analyze' '$work/long.csv' >/dev/null" /dev/null >"$work/tty" 2>&1
        grep -q 'analysing 100%' "$work/tty" || fail "no progress line on a terminal: $(tr '\r' '\n' <"$work/tty" | tail -n 2)"
        script -qec "'$analyze' --quiet '$work/long.csv' >/dev/null" /dev/null >"$work/tty" 2>&1
        grep -q 'analysing' "$work/tty" && fail "--quiet still shows progress on a terminal"
fi

gm_verdict
echo "all gaitmon-analyze checks passed"
