#!/usr/bin/env python3
"""gaitmond's cost and alert latency: CPU share and RSS streaming five IMUs at 416 Hz in real
time from gaitmon-sim, and the delay from an injected hip weakness to AsymmetrySpike."""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def memory_kib(pid, key, path="status"):
    with open("/proc/%d/%s" % (pid, path)) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def memory_map(pid):
    """RSS and private KiB per mapped file ([heap], [stack], anonymous for the rest)."""
    by = {}
    name = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            head = line.split()
            if not head[0].endswith(":"):  # a mapping's first line: range perms offset dev inode [path]
                path = head[5] if len(head) > 5 else ""
                name = os.path.basename(path) if path.startswith("/") else (path or "anonymous")
                by.setdefault(name, [0, 0])
            elif head[0] == "Rss:":
                by[name][0] += int(head[1])
            elif head[0] in ("Private_Clean:", "Private_Dirty:"):
                by[name][1] += int(head[1])
    return sorted(by.items(), key=lambda kv: -kv[1][0])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=os.path.join(TOP, "build"), help="meson build directory (default ./build)")
    ap.add_argument("--seconds", type=float, default=30, help="real-time measurement length (default 30)")
    ap.add_argument("--map", action="store_true", help="also RSS and private pages per library and anonymous memory")
    ap.add_argument("--no-latency", action="store_true", help="skip the injected weakness")
    ap.add_argument("--smaps", metavar="FILE", help="also copy gaitmond's /proc/PID/smaps to FILE")
    args = ap.parse_args()
    os.environ.setdefault("GM_DAEMON", os.path.join(args.build, "daemon", "gaitmond"))
    os.environ.setdefault("GM_SIM", os.path.join(args.build, "tools", "sim", "gaitmon-sim"))
    os.environ.setdefault("GM_TESTBUS", os.path.join(TOP, "tests", "lib", "testbus.sh"))
    os.environ.setdefault("GM_SCENARIOS", os.path.join(TOP, "config", "scenarios"))
    sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
    from gmtest import Monitor, World, wait_until

    hz = os.sysconf("SC_CLK_TCK")
    with World("steady-run.ini", 1) as w:
        pid = w.daemon.proc.pid
        wait_until("streaming", lambda: w.bus.get("StepCount") > 0, timeout=30)
        t0, c0 = time.monotonic(), cpu_ticks(pid)
        time.sleep(args.seconds)
        t1, c1 = time.monotonic(), cpu_ticks(pid)
        share = (c1 - c0) / hz / (t1 - t0) * 100
        rss, hwm = memory_kib(pid, "VmRSS"), memory_kib(pid, "VmHWM")
        pss = memory_kib(pid, "Pss", "smaps_rollup")
        dirty = memory_kib(pid, "Private_Dirty", "smaps_rollup")
        private = dirty + memory_kib(pid, "Private_Clean", "smaps_rollup")
        by_map = memory_map(pid)
        # gaitmond's own pages: its binary, heap, stacks and anonymous memory; the rest are
        # the shared libraries' (counted whole in RSS even where no other process maps them).
        own = sum(r for name, (r, p) in by_map if ".so" not in name)
        if args.smaps:
            with open("/proc/%d/smaps" % pid) as f, open(args.smaps, "w") as out:
                out.write(f.read())
        dropped = w.bus.get("DroppedSamples")
        print("gaitmond, 5 sensors at 416 Hz in real time over %.0f s:" % (t1 - t0))
        print("  CPU            %.2f %% of one core" % share)
        print("  RSS            %.1f MiB (peak %.1f MiB)" % (rss / 1024, hwm / 1024))
        print("  of which own   %.1f MiB (binary, heap, stacks, anonymous; the rest are shared libraries)"
              % (own / 1024))
        print("  private        %.1f MiB (%.1f MiB dirty; clean ones are libraries no other process maps)"
              % (private / 1024, dirty / 1024))
        print("  PSS            %.1f MiB" % (pss / 1024))
        print("  dropped        %d samples" % dropped)
        if args.map:
            print("  by mapping (KiB):   RSS  private")
            for name, (r, p) in by_map:
                if r >= 64:
                    print("    %-26s %6d %6d" % (name[:26], r, p))
    if args.no_latency:
        return 0

    speed = 10
    stride_s = 120 / 168
    onset = 200
    scenario = os.path.join(TOP, "tests", "daemon", "asymmetry-onset.ini")
    with World(scenario, speed) as w:
        mon = Monitor(w.bus, w.sim)
        spikes = mon.wait_for("AsymmetrySpike", timeout=(onset + 60) / speed + 30)
        if not spikes:
            print("no AsymmetrySpike after the onset")
            return 1
        at, (metric, value, baseline) = spikes[0]
        print("injected 12%% left hip-extension loss at %d s (simulated, %dx):" % (onset, speed))
        print("  AsymmetrySpike %s %.1f %% (baseline %.1f %%) after %.1f s = %.1f strides"
              % (metric, value, baseline, at - onset, (at - onset) / stride_s))
        mon.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
