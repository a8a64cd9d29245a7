#!/usr/bin/env python3
"""Reads a FIT file with a decoder of its own, written from the FIT protocol description
(header, definition and data messages, developer fields, CRC), and checks every value against
the history database as the sqlite3 module reads it.

fit-check.py RUN.fit HISTORY.db RUN_ID GPSBABEL.csv

The record of a wall-clock second holds the strides whose initial contact falls in it:
cadence + fractional_cadence/128 = 60000 / mean stride_ms (strides/min); stance_time (41) /10
= mean stance_ms; stance_time_balance (84) /100 = 100 L / (L + R) of the mean left and right
stance, invalid unless both sides stepped; developer fields hip_extension_left/right and
pelvic_drop_left/right the mean of that side's strides, fatigue_score the minute's;
vertical_oscillation (39) /100 = the strides' mean vertical_osc_cm, and the lap's (77) and
session's (89) the run's; a value not measured is invalid. GPSBABEL.csv (gpsbabel's unicsv of the same file) must list the same
records at the same times with the same cadence.
"""
import csv
import datetime
import math
import os
import sqlite3
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gmtest import die  # noqa: E402

FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z in Unix seconds

# base type number -> (struct format, size, invalid raw value)
BASE = {
    0x00: ("B", 1, 0xFF),          # enum
    0x01: ("b", 1, 0x7F),          # sint8
    0x02: ("B", 1, 0xFF),          # uint8
    0x83: ("h", 2, 0x7FFF),        # sint16
    0x84: ("H", 2, 0xFFFF),        # uint16
    0x85: ("i", 4, 0x7FFFFFFF),    # sint32
    0x86: ("I", 4, 0xFFFFFFFF),    # uint32
    0x88: ("f", 4, None),          # float32, invalid = all bits set
    0x8C: ("I", 4, 0),             # uint32z
    0x07: (None, 1, None),         # string
    0x0D: (None, 1, None),         # byte
}


def crc16(data):
    # The protocol's nibble-table form of CRC-16 (reflected 0x8005).
    table = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]
    crc = 0
    for byte in data:
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[byte & 0xF]
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[(byte >> 4) & 0xF]
    return crc


def decode_value(base, raw, little):
    fmt, size, invalid = BASE[base]
    if base == 0x07:
        return raw.split(b"\0", 1)[0].decode("utf-8")
    if base == 0x0D:
        return bytes(raw)
    if base == 0x88:
        if raw == b"\xff\xff\xff\xff":
            return None
        return struct.unpack(("<" if little else ">") + fmt, raw)[0]
    v = struct.unpack(("<" if little else ">") + fmt, raw)[0]
    return None if v == invalid else v


def parse(path):
    data = open(path, "rb").read()
    hsize = data[0]
    if hsize not in (12, 14) or data[8:12] != b".FIT":
        die("not a FIT header")
    protocol, profile, dsize = data[1], struct.unpack("<H", data[2:4])[0], struct.unpack("<I", data[4:8])[0]
    if hsize == 14 and struct.unpack("<H", data[12:14])[0] not in (0, crc16(data[:12])):
        die("header CRC")
    if len(data) != hsize + dsize + 2:
        die(f"file is {len(data)} bytes, header says {hsize} + {dsize} + 2")
    if crc16(data[:hsize + dsize]) != struct.unpack("<H", data[hsize + dsize:])[0]:
        die("file CRC")
    defs = {}
    dev_desc = {}  # (dev index, field number) -> (name, base type, units)
    messages = []
    pos, end = hsize, hsize + dsize
    while pos < end:
        h = data[pos]
        pos += 1
        if h & 0x80:
            die("compressed timestamp headers are not expected here")
        local = h & 0x0F
        if h & 0x40:
            little = data[pos + 1] == 0
            glob = struct.unpack("<H" if little else ">H", data[pos + 2:pos + 4])[0]
            nf = data[pos + 4]
            pos += 5
            fields = []
            for _ in range(nf):
                fields.append((data[pos], data[pos + 1], data[pos + 2]))
                pos += 3
            devs = []
            if h & 0x20:
                nd = data[pos]
                pos += 1
                for _ in range(nd):
                    devs.append((data[pos], data[pos + 1], data[pos + 2]))
                    pos += 3
            defs[local] = (glob, little, fields, devs)
            continue
        if local not in defs:
            die(f"data message of undefined local type {local}")
        glob, little, fields, devs = defs[local]
        msg = {"global": glob, "fields": {}, "dev": {}}
        for num, size, base in fields:
            raw = data[pos:pos + size]
            pos += size
            if base not in BASE:
                die(f"unknown base type {base:#x}")
            if base in (0x07, 0x0D) or size == BASE[base][1]:
                msg["fields"][num] = decode_value(base, raw, little)
            else:
                die(f"field {num} of message {glob}: size {size} for base type {base:#x}")
        for num, size, index in devs:
            raw = data[pos:pos + size]
            pos += size
            if (index, num) not in dev_desc:
                die(f"developer field {num} used before its field_description")
            name, base, units = dev_desc[(index, num)]
            msg["dev"][name] = decode_value(base, raw, little)
        if glob == 206:  # field_description
            f = msg["fields"]
            dev_desc[(f[0], f[1])] = (f[3], f[2], f.get(8))
        messages.append(msg)
    if pos != end:
        die("records overrun the data size")
    return protocol, profile, messages, dev_desc


def close(a, b, tol, what):
    if a is None or b is None:
        if not (a is None and b is None):
            die(f"{what}: {a!r} != {b!r}")
        return
    if abs(a - b) > tol:
        die(f"{what}: {a!r} != {b!r} (tolerance {tol})")


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def main():
    fit_path, db_path, run_id, babel_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    protocol, profile, messages, dev_desc = parse(fit_path)
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    run = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    strides = db.execute("SELECT * FROM run_strides WHERE run_id = ? ORDER BY t_s, side", (run_id,)).fetchall()
    minutes = db.execute("SELECT * FROM run_minutes WHERE run_id = ? ORDER BY t_s", (run_id,)).fetchall()
    start_s = run["start_us"] // 1_000_000
    end_s = (run["start_us"] + round(run["duration_s"] * 1e6)) // 1_000_000

    by = {}
    for m in messages:
        by.setdefault(m["global"], []).append(m)
    file_id = by[0][0]["fields"]
    if file_id[0] != 4 or file_id[4] != start_s - FIT_EPOCH:
        die(f"file_id: {file_id}")
    names = {v[0]: (v[1], v[2]) for v in dev_desc.values()}
    want = {"hip_extension_left": "deg", "hip_extension_right": "deg", "pelvic_drop_left": "deg",
            "pelvic_drop_right": "deg", "fatigue_score": "0-1"}
    for name, unit in want.items():
        if name not in names or names[name] != (0x88, unit):
            die(f"field_description of {name}: {names.get(name)}")

    # The expected records, from the database rows.
    seconds = {}
    for st in strides:
        sec = (run["start_us"] + round(st["t_s"] * 1e6)) // 1_000_000
        seconds.setdefault(sec, []).append(st)
    records = by.get(20, [])
    if len(records) != len(seconds):
        die(f"{len(records)} records for {len(seconds)} seconds with strides")

    def fatigue_at(t):
        for m in minutes:
            if m["t_s"] <= t < m["t_s"] + m["length_s"]:
                return m["fatigue"]
        return None

    for rec, (sec, group) in zip(records, sorted(seconds.items())):
        f, dev = rec["fields"], rec["dev"]
        w = f"record at {sec}"
        if f[253] != sec - FIT_EPOCH:
            die(f"{w}: timestamp {f[253]}")
        stride = mean(s["stride_ms"] for s in group)
        cadence = 60000 / stride
        if f[4] != math.floor(cadence):
            die(f"{w}: cadence {f[4]} for {cadence}")
        close(f[4] + f[53] / 128, cadence, 0.5 / 128 + 1e-9, f"{w} cadence")
        close(f[41] / 10, mean(s["stance_ms"] for s in group), 0.05 + 1e-9, f"{w} stance_time")
        left = mean(s["stance_ms"] for s in group if s["side"] == "left")
        right = mean(s["stance_ms"] for s in group if s["side"] == "right")
        balance = None if left is None or right is None else 100 * left / (left + right)
        close(None if f[84] is None else f[84] / 100, balance, 0.005 + 1e-9, f"{w} stance_time_balance")
        for side in ("left", "right"):
            for key, col in (("hip_extension", "hip_ext_deg"), ("pelvic_drop", "pelvic_drop_deg")):
                v = mean(s[col] for s in group if s["side"] == side)
                close(dev[f"{key}_{side}"], v, 1e-5 * max(1, abs(v or 0)), f"{w} {key}_{side}")
        v = fatigue_at(group[0]["t_s"])
        close(dev["fatigue_score"], v, 1e-6, f"{w} fatigue_score")
        vosc = mean(s["vertical_osc_cm"] for s in group)
        close(None if f[39] is None else f[39] / 100, vosc, 0.005 + 1e-9, f"{w} vertical_oscillation")

    session = by[18][0]["fields"]
    if session[2] != start_s - FIT_EPOCH or session[253] != end_s - FIT_EPOCH:
        die(f"session times: {session}")
    close(session[7] / 1000, run["duration_s"], 0.0005, "session total_elapsed_time")
    if session[5] != (11 if run["activity"] == "walking" else 1):
        die(f"session sport {session[5]} for {run['activity']}")
    if session[18] != round(run["cadence_spm"] / 2):
        die(f"session avg_cadence {session[18]} for {run['cadence_spm']} steps/min")
    close(None if session[89] is None else session[89] / 100, run["vertical_osc_cm"], 0.005 + 1e-9,
          "session avg_vertical_oscillation")
    lap = by[19][0]["fields"]
    if lap[2] != start_s - FIT_EPOCH or lap[7] != session[7] or lap[77] != session[89]:
        die(f"lap: {lap}")
    activity = by[34][0]["fields"]
    if activity[1] != 1 or activity[0] != session[8]:
        die(f"activity: {activity}")
    events = [(e["fields"][0], e["fields"][1]) for e in by[21]]
    if events != [(0, 0), (0, 4)]:
        die(f"timer events {events}")
    for forbidden in (0, 1, 5, 6, 73):  # position_lat/long, distance, speed, enhanced_speed
        if any(forbidden in r["fields"] for r in records):
            die(f"record field {forbidden}: gaitmon has no GPS")

    # gpsbabel's reading of the same file: the same points at the same times, the same cadence.
    rows = list(csv.DictReader(open(babel_path)))
    if len(rows) != len(records):
        die(f"gpsbabel read {len(rows)} points, the file has {len(records)} records")
    for row, rec in zip(rows, records):
        t = datetime.datetime.strptime(row["Date"] + " " + row["Time"], "%Y/%m/%d %H:%M:%S")
        t = int(t.replace(tzinfo=datetime.timezone.utc).timestamp())
        if t != rec["fields"][253] + FIT_EPOCH:
            die(f"gpsbabel time {row['Date']} {row['Time']} for record at {rec['fields'][253] + FIT_EPOCH}")
        if int(row["Cadence"]) != rec["fields"][4]:
            die(f"gpsbabel cadence {row['Cadence']} for {rec['fields'][4]}")
    print(f"fit: protocol {protocol >> 4}.{protocol & 15}, profile {profile}, {len(messages)} messages, "
          f"{len(records)} records for {len(strides)} strides; every value agrees with the database; "
          f"gpsbabel read {len(rows)} points at the same times")


if __name__ == "__main__":
    main()
