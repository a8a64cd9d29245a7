#!/usr/bin/env python3
"""Compares gaitmonctl --json output with the history database as the sqlite3 CLI reads it.

check-ctl-json.py history HISTORY.json DB.json   runs listed by GetSessions == rows of runs
check-ctl-json.py show SHOW.json RUN.json MINUTES.json ACTIONS.json
check-ctl-json.py status STATUS.json
"""
import json
import math
import sys


def load(path):
    with open(path) as f:
        text = f.read()
    return json.loads(text) if text.strip() else []


def same(a, b, what):
    """Numbers equal to float precision; SQL NULL (NaN stored as NULL) is JSON null."""
    if a is None or b is None:
        if a is not None or b is not None:
            sys.exit(f"{what}: {a!r} != {b!r}")
        return
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if not math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-8):
            sys.exit(f"{what}: {a!r} != {b!r}")
        return
    if a != b:
        sys.exit(f"{what}: {a!r} != {b!r}")


def check_history(history, rows):
    runs = history["runs"]
    if len(runs) != len(rows):
        sys.exit(f"history lists {len(runs)} runs, the database holds {len(rows)}")
    for run, row in zip(runs, rows):
        w = f"run {row['id']}"
        for key, col in [("id", "id"), ("start_us", "start_us"), ("activity", "activity"), ("state", "state"),
                         ("duration_s", "duration_s"), ("steps", "steps"), ("cadence_spm", "cadence_spm"),
                         ("asymmetry_max_pct", "asym_max_pct"), ("fatigue_max", "fatigue_max"),
                         ("advice", "advice_summary"), ("rest_days", "rest_days")]:
            same(run[key], row[col], f"{w} {key}")
    print(f"history: {len(runs)} runs agree with the database")


def check_show(show, run_rows, minute_rows, action_rows):
    row = run_rows[0]
    w = f"run {row['id']}"
    for key, col in [("id", "id"), ("start_us", "start_us"), ("state", "state"), ("duration_s", "duration_s"),
                     ("steps", "steps"), ("cadence_spm", "cadence_spm"), ("asymmetry_max_pct", "asym_max_pct"),
                     ("asymmetry_metric", "asym_metric"), ("fatigue_max", "fatigue_max"), ("load", "load")]:
        same(show[key], row[col], f"{w} {key}")
    same(show["hip_extension_deg"]["left"], row["hip_ext_left_deg"], f"{w} hip left")
    same(show["pelvic_drop_deg"]["right"], row["pelvic_drop_right_deg"], f"{w} drop right")
    comp = show["compensation"]
    same(comp["hip_extension_asymmetry_pct"], row["hip_ext_asym_pct"], f"{w} hip extension asymmetry")
    same(comp["pelvic_drop_asymmetry_pct"], row["pelvic_drop_asym_pct"], f"{w} pelvic drop asymmetry")
    same(comp["pelvic_drop_rise_deg"]["left"], row["pelvic_drop_rise_left_deg"], f"{w} drop rise left")
    same(comp["pelvic_drop_rise_deg"]["right"], row["pelvic_drop_rise_right_deg"], f"{w} drop rise right")
    same(comp["fatigue_level_max"], row["fatigue_level_max"], f"{w} fatigue level")
    same(show["advice"]["summary"], row["advice_summary"], f"{w} advice")
    same(show["advice"]["rest_days"], row["rest_days"], f"{w} rest days")
    same(show["advice"]["acwr"], row["acwr"], f"{w} acwr")
    same(show["advice"]["actions"], [a["text"] for a in action_rows], f"{w} actions")
    minutes = show["minutes"]
    if len(minutes) != len(minute_rows):
        sys.exit(f"{w}: show lists {len(minutes)} minutes, the database holds {len(minute_rows)}")
    for m, r in zip(minutes, minute_rows):
        mw = f"{w} minute at {r['t_s']} s"
        for key, col in [("t_s", "t_s"), ("length_s", "length_s"), ("steps", "steps"), ("cadence_spm", "cadence_spm"),
                         ("asymmetry_max_pct", "asym_max_pct"), ("fatigue", "fatigue")]:
            same(m[key], r[col], f"{mw} {key}")
        same(m["stance_ms"]["left"], r["stance_left_ms"], f"{mw} stance left")
        same(m["hip_extension_deg"]["right"], r["hip_ext_right_deg"], f"{mw} hip right")
    if sum(m["steps"] for m in minutes) <= 0:
        sys.exit(f"{w}: no steps in its minutes")
    print(f"show: {w} ({show['state']}, {len(minutes)} minutes, {len(action_rows)} actions) agrees with the database")


def check_status(status):
    for key in ["State", "Activity", "Cadence", "StepCount", "Asymmetry", "FatigueScore", "SessionStart", "Sensors"]:
        if key not in status:
            sys.exit(f"status lacks {key}")
    if sorted(s["location"] for s in status["Sensors"]) != sorted(
            ["pelvis", "left_hip", "right_hip", "left_shank", "right_shank"]):
        sys.exit(f"status sensors: {status['Sensors']}")
    print(f"status: {len(status)} properties, state {status['State']}")


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "history":
        check_history(load(sys.argv[2]), load(sys.argv[3]))
    elif what == "show":
        check_show(load(sys.argv[2]), load(sys.argv[3]), load(sys.argv[4]), load(sys.argv[5]))
    elif what == "status":
        check_status(load(sys.argv[2]))
    else:
        sys.exit(__doc__)
