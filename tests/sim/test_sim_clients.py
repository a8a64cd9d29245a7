#!/usr/bin/env python3
"""gaitmon-sim against libiio's own clients (iio_info, iio_attr, iio_readdev), its command
line, scenario errors and the true events file."""
import math
import os
import struct
import subprocess
import sys
import tempfile
import time

from gmtest import SIM, Sim, check, verdict

TESTDIR = os.path.dirname(os.path.abspath(__file__))

LABELS = ["pelvis", "left_hip", "right_hip", "left_shank", "right_shank"]
CHANNELS = ["accel_x", "accel_y", "accel_z", "anglvel_x", "anglvel_y", "anglvel_z", "timestamp"]
ACC_SCALE, GYR_SCALE = 0.004785645, 0.001221730


def run(*cmd, timeout=30):
    return subprocess.run(cmd, capture_output=True, timeout=timeout)


def test_usage():
    r = run(SIM, "--help")
    check(r.returncode == 0 and b"[fault NAME]" in r.stdout, "--help documents the scenario schema")
    for args, why in [((), "no scenario"), (("--port", "70000", "x.ini"), "port out of range"),
                      (("--speed", "fast", "x.ini"), "bad speed"), (("--loop", "x.ini"), "--loop without --replay"),
                      (("--bogus",), "unknown option"), (("a.ini", "b.ini"), "two scenarios")]:
        r = run(SIM, *args)
        check(r.returncode == 2 and b"gaitmon-sim:" in r.stderr + r.stdout, "bad usage (%s) exits 2 with a message: %r"
              % (why, r.stderr))
    r = run(SIM, "--port", "0", "/nonexistent/scenario.ini")
    check(r.returncode == 1 and b"/nonexistent/scenario.ini" in r.stderr, "a missing scenario is named")


def test_bad_scenarios():
    cases = [
        ("[sim]\nrate = 400\n[phase a]\nactivity = running\nduration = 5\n", 2, "rate"),
        ("[phase a]\nactivity = jogging\nduration = 5\n", 2, "activity"),
        ("[phase a]\nactivity = running\nduration = -5\n", 3, "duration"),
        ("[phase a]\nactivity = running\nduration = 5\nspeed = 3\nspeeed = 3\n", 5, "speeed"),
        ("[phase a]\nactivity = running\nduration = 5\nduration = 6\n", 4, "twice"),
        ("[phase a]\nactivity = running\nduration = 5\n# " + "x" * 197 + " speed = 7\n", 4, "longer than"),
        ("[phase a]\nactivity = running\nduration = 5\n[phase  b]\nactivity = running\nduration = 5\n", 5, "one space"),
        ("[phase a]\nactivity = idle\nduration = 5\nspeed = 12\ncadence = 260\n", 2, "no speed"),
        ("[phase a]\nactivity = running\nduration = 5\nspeed = 3\ncadence = 40\n", 2, "what a body does"),
        ("[phase a]\nactivity = running\nduration = 5\n[fault f]\ntype = unplug\nlocation = left_shank\n"
         "from = 10\nto = 15\n", 5, "after the scenario's end"),
        ("[sim]\nlocations = pelvis, left_elbow\n", 2, "locations"),
        ("[sim]\nseed = 1\n", 2, "phase"),
        ("[phase a]\nactivity = running\n", 2, "duration"),
        ("[phase a]\nactivity = running\nduration = 5\n[weather]\nrain = yes\n", 5, "unknown section"),
        ("[phase a]\nactivity = running\nduration = 5\nthis line is not ini\n", 4, "key = value"),
        ("[phase a]\nactivity = running\nduration = 5\n[fault f]\ntype = unplug\nlocation = left_shank\n"
         "from = 10\nto = 5\n", 5, "after"),
        ("[phase a]\nactivity = running\nduration = 5\n[fault f]\ntype = molten\n", 5, "type"),
        ("[phase a]\nactivity = running\nduration = 5\n[asymmetry]\nhip_extension_loss = 0.1\n", 5, "side"),
        ("[sim]\nlocations = pelvis\n[phase a]\nactivity = running\nduration = 5\n[fault f]\ntype = stuck\n"
         "location = left_hip\nfrom = 1\nto = 2\n", 7, "locations"),
        ("[phase a]\nactivity = running\nduration = 5\n[mount left_hip]\nroll = 999\n", 5, "degrees"),
        ("[phase a]\nactivity = running\nduration = 100\n" + "".join(
            "[fault f%d]\ntype = stuck\nlocation = left_hip\nfrom = %d\nto = %d\n" % (i, i, i + 1) for i in range(17)),
         5 + 5 * 16, "more than 16 faults on left_hip"),
    ]
    with tempfile.TemporaryDirectory() as d:
        for i, (text, line, word) in enumerate(cases):
            path = os.path.join(d, "bad%d.ini" % i)
            with open(path, "w") as f:
                f.write(text)
            r = run(SIM, "--port", "0", "--duration", "1", path)
            err = r.stderr.decode()
            check(r.returncode == 1 and ("%s:%d:" % (path, line)) in err and word in err,
                  "bad scenario %d: expected an error at line %d about %r, got rc %d: %r"
                  % (i, line, word, r.returncode, err))


def test_replay_with_a_huge_gap():
    """A recording with a gap of 1e9 s is refused at once with the row, not served for days."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "gap.csv")
        rows = ["%.2f,0,0,9.8" % (i / 100) for i in range(10)] + ["%.2f,0,0,9.8" % (1e9 + i / 100) for i in range(10)]
        with open(path, "w") as f:
            f.write("# gaitmon-recording 1\n# rate_hz: 100\ntime_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z\n")
            f.write("\n".join(rows) + "\n")
        r = run(SIM, "--port", "0", "--replay", path, timeout=10)
        check(r.returncode == 1 and b"time gap" in r.stderr and b"row 11" in r.stderr,
              "a 1e9 s gap is refused with its row: %r" % r.stderr)


def test_shipped_scenarios():
    d = os.path.join(TESTDIR, "..", "..", "config", "scenarios")
    names = sorted(f for f in os.listdir(d) if f.endswith(".ini"))
    for want in ["steady-run.ini", "left-hip-weakness.ini", "unplug.ini", "fatigue.ini", "demo.ini", "walk.ini"]:
        check(want in names, "config/scenarios/%s exists" % want)
    for name in names:
        sim = Sim("--speed", "max", os.path.join(d, name))
        rc, err = sim.stop()
        check(rc == 0 and not err, "%s loads and serves (rc %d, %r)" % (name, rc, err))


def test_iio_info(sim):
    r = run("iio_info", "-u", sim.uri)
    out = r.stdout.decode()
    check(r.returncode == 0, "iio_info succeeds: %r" % r.stderr)
    check("IIO context has 5 devices" in out, "iio_info sees five devices")
    for i, label in enumerate(LABELS):
        check("iio:device%d: lsm6dso (label: %s) (buffer capable)" % (i, label) in out,
              "iio_info lists iio:device%d labelled %s" % (i, label))
    for ch in CHANNELS:
        fmt = "le:S64/64>>0" if ch == "timestamp" else "le:S16/16>>0"
        check(out.count("%s:  (input, index: %d, format: %s)" % (ch, CHANNELS.index(ch), fmt)) == 5,
              "every device has %s as %s" % (ch, fmt))
    check(out.count("scale value: 0.004785645") == 15 and out.count("scale value: 0.001221730") == 15,
          "accel and anglvel scales (±16 g, ±2000 dps)")
    check(out.count("sampling_frequency_available value: 12.500 26.000 52.000 104.000 208.000 416.000 833.000") == 5,
          "sampling_frequency_available on every device")
    check(out.count("sampling_frequency value: 104.000") == 5, "the scenario's starting rate")


def test_iio_attr(sim):
    r = run("iio_attr", "-u", sim.uri, "-d", "left_shank", "sampling_frequency")
    check(r.returncode == 0 and r.stdout.strip() == b"104.000", "iio_attr reads sampling_frequency: %r" % r.stdout)
    r = run("iio_attr", "-u", sim.uri, "-d", "iio:device3", "sampling_frequency", "416")
    check(r.returncode == 0, "iio_attr writes sampling_frequency")
    r = run("iio_attr", "-u", sim.uri, "-d", "iio:device3", "sampling_frequency")
    check(r.stdout.strip() == b"416.000", "the write took: %r" % r.stdout)
    r = run("iio_attr", "-u", sim.uri, "-d", "iio:device3", "sampling_frequency", "300")
    check(b"Invalid argument (22)" in r.stdout + r.stderr, "an unsupported rate is refused: %r" % r.stdout)
    r = run("iio_attr", "-u", sim.uri, "-d", "iio:device3", "sampling_frequency")
    check(r.stdout.strip() == b"416.000", "a refused write changes nothing")
    r = run("iio_attr", "-u", sim.uri, "-d", "iio:device3", "label")
    check(r.stdout.strip() == b"left_shank", "label attribute")
    r = run("iio_attr", "-u", sim.uri, "-c", "iio:device0", "accel_x", "scale")
    check(r.stdout.strip() == b"0.004785645", "channel scale through iio_attr: %r" % r.stdout)


def dominant_frequency(x, rate, lo=0.5, hi=4.0, step=0.002):
    mean = sum(x) / len(x)
    x = [v - mean for v in x]
    n = len(x)
    window = [0.5 - 0.5 * math.cos(2 * math.pi * i / (n - 1)) for i in range(n)]
    xw = [a * w for a, w in zip(x, window)]
    best, best_f = -1.0, 0.0
    f = lo
    while f <= hi:
        w = 2 * math.pi * f / rate
        # Goertzel: the power at one frequency without a full transform
        c = 2 * math.cos(w)
        s1 = s2 = 0.0
        for v in xw:
            s1, s2 = v + c * s1 - s2, s1
        p = s1 * s1 + s2 * s2 - c * s1 * s2
        if p > best:
            best, best_f = p, f
        f += step
    return best_f


def test_iio_readdev(sim):
    n = 416 * 20
    for dev in ["iio:device3", "iio:device0"]:
        run("iio_attr", "-u", sim.uri, "-d", dev, "sampling_frequency", "416")
    r = run("iio_readdev", "-u", sim.uri, "-s", str(n), "iio:device3", timeout=60)
    check(r.returncode == 0, "iio_readdev succeeds: %r" % r.stderr)
    check(len(r.stdout) == n * 24, "iio_readdev returns exactly %d samples of 24 bytes (got %d bytes)"
          % (n, len(r.stdout)))
    rows = [struct.unpack_from("<6h4xq", r.stdout, i * 24) for i in range(len(r.stdout) // 24)]
    if not rows:
        return
    ts = [row[6] for row in rows]
    check(all(abs(b - a - 1e9 / 416) <= 1 for a, b in zip(ts, ts[1:])), "iio_readdev samples are contiguous")
    # the shank's sagittal gyro swings once per stride: cadence 170 steps/min = 85 strides/min
    gyr_y = [row[4] * GYR_SCALE for row in rows]
    f = dominant_frequency(gyr_y, 416.0)
    want = 170 / 120
    check(abs(f - want) / want < 0.02, "shank gyro dominant frequency %.3f Hz, scenario's stride %.3f Hz" % (f, want))
    check(max(abs(g) for g in gyr_y) > 3, "the shank swings (peak gyro above 3 rad/s)")

    # and over whole strides the pelvis measures gravity
    r = run("iio_readdev", "-u", sim.uri, "-s", str(n), "-b", "256", "iio:device0", "accel_x", "accel_y",
            "accel_z", timeout=60)
    check(len(r.stdout) == n * 6, "iio_readdev with three channels: 6 bytes per sample (got %d)" % len(r.stdout))
    acc = [struct.unpack_from("<3h", r.stdout, i * 6) for i in range(len(r.stdout) // 6)]
    if acc:
        mean = [sum(a[k] for a in acc) / len(acc) * ACC_SCALE for k in range(3)]
        g = math.sqrt(sum(m * m for m in mean))
        check(abs(g - 9.80665) < 0.3, "pelvis mean acceleration %.2f m/s² is gravity" % g)


def test_idle_connections():
    """Idle connections from one address neither lock others out nor stay for ever."""
    import socket
    sim = Sim("--idle-timeout", "4", os.path.join(TESTDIR, "run-steady.ini"))
    idle = []
    try:
        for _ in range(72):
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", sim.port))
            idle.append(s)
        # past the per-address limit the server closes what it accepts (the queue is in order)
        refused = 0
        for s in idle[64:]:
            s.settimeout(30)
            try:
                refused += s.recv(1) == b""
            except ConnectionResetError:
                refused += 1
        check(refused == 8, "an address holds 64 connections, the rest are refused (%d of 8)" % refused)
        r = run("iio_attr", "-u", sim.uri, "-d", "left_shank", "sampling_frequency")
        check(r.returncode == 0 and r.stdout.strip() == b"104.000",
              "another address is served beside 64 idle connections: %r" % r.stderr)
        # past the idle timeout every silent connection is closed by the server
        closed = 0
        deadline = time.monotonic() + 60
        for s in idle:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                closed += s.recv(1) == b""
            except (socket.timeout, ConnectionResetError):
                closed += 1
        check(closed == 72, "idle connections are closed after the timeout (%d of 72)" % closed)
        r = run(SIM, "--idle-timeout", "-1", "x.ini")
        check(r.returncode == 2 and b"--idle-timeout" in r.stderr, "a bad --idle-timeout is refused")
    finally:
        for s in idle:
            s.close()
        rc, err = sim.stop()
        check(rc == 0 and "127.0.0.2 has 64 connections already" in err,
              "the refusal is logged with the address (rc %d, %r)" % (rc, err))


def test_events_and_duration():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "events.csv")
        sim = Sim("--speed", "20", "--events", path, "--duration", "40", os.path.join(TESTDIR, "run-steady.ini"))
        time.sleep(1.0)
        with open(path) as f:
            early = f.read().splitlines()
        check(sim.alive(), "still running at 20 of 40 simulated seconds")
        check(len(early) > 20, "events flushed while running (%d lines after 1 s)" % len(early))
        sim.proc.wait(timeout=10)       # --duration ends it by itself
        rc, err = sim.stop()
        check(rc == 0 and not err, "--duration exits 0 (rc %s, %r)" % (rc, err))
        with open(path) as f:
            lines = f.read().splitlines()
        check(lines[0] == "time_s,side,event", "events CSV header")
        ev = [l.split(",") for l in lines[1:]]
        times = [float(e[0]) for e in ev]
        check(times == sorted(times) and times[-1] <= 40.0, "events sorted, within the duration")
        ic_left = [t for t, e in zip(times, ev) if e[1] == "left" and e[2] == "ic"]
        strides = [b - a for a, b in zip(ic_left, ic_left[1:])]
        if strides:
            med = sorted(strides)[len(strides) // 2]
            check(abs(med - 120 / 170) < 0.01, "left stride %.3f s matches cadence 170" % med)
        check({e[1] for e in ev} == {"left", "right"} and {e[2] for e in ev} == {"ic", "fc"}, "both sides, ic and fc")
        check(abs(len(ic_left) - 40 * 170 / 120) < 3, "%d left contacts in 40 s at 170 steps/min" % len(ic_left))


def main():
    test_usage()
    test_bad_scenarios()
    test_replay_with_a_huge_gap()
    test_shipped_scenarios()
    sim = Sim("--speed", "20", os.path.join(TESTDIR, "run-steady.ini"))
    try:
        test_iio_info(sim)
        test_iio_attr(sim)
        test_iio_readdev(sim)
    finally:
        rc, err = sim.stop()
        check(rc == 0, "SIGTERM exits 0 (rc %d, %s)" % (rc, err))
    test_events_and_duration()
    test_idle_connections()
    return verdict("all gaitmon-sim client checks passed")


if __name__ == "__main__":
    sys.exit(main())
