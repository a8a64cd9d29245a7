"""A steady, symmetric run through gaitmon-sim, long enough for both baselines to be learned and
used: cadence, step count, no false spike or fatigue alert, throttled changes. That 30 symmetric
minutes give no false spike is the pipeline's to show (test_pipeline), and a 12-minute steady run
no fatigue alert the run tracker's (tests/runs)."""
import math
import sys
import time

from gmtest import World, wait_until

SPEED = 30
END_S = 545             # 5 s standing, 1 min walking, 8 min running: the fatigue baseline is
                        # minutes 2 to 5 of the run, then 3 minutes are compared with it
RUN_CADENCE = 170


def main():
    with World("steady-run.ini", SPEED, sim_args=("--duration", str(END_S))) as w:
        from gmtest import Monitor
        mon = Monitor(w.bus, w.sim)

        # Cadence while running (the scenario's 170 steps/min), read a few times.
        wait_until("running", lambda: w.sim.now() > 200, timeout=60)
        cadences = []
        for _ in range(5):
            cadences.append(w.bus.get("Cadence"))
            time.sleep(1)
        print("cadence readings:", ["%.1f" % c for c in cadences])
        for c in cadences:
            assert math.isfinite(c) and abs(c - RUN_CADENCE) <= 2, "Cadence %.1f, expected %d ± 2" % (c, RUN_CADENCE)
        assert w.bus.get("State") == "running"
        sensors = w.bus.get("Sensors")
        assert len(sensors) == 5 and all(s[2] == "streaming" for s in sensors), sensors

        # Let the whole scenario play, then compare steps with the truth.
        w.sim.proc.wait(timeout=END_S / SPEED * 3 + 60)
        time.sleep(1.5)
        true_steps = sum(1 for e in w.sim.true_events() if e[2] == "ic")
        steps = w.bus.get("StepCount")
        err = abs(steps - true_steps) / true_steps
        print("steps: gaitmond %d, true %d, error %.2f%%" % (steps, true_steps, 100 * err))
        assert err <= 0.01, "StepCount %d vs %d true steps" % (steps, true_steps)

        # Samples lost on a loaded machine (ring overruns, gaps) explain a failure below.
        dropped = w.bus.get("DroppedSamples")
        overruns = [x for x in w.daemon.logtext().splitlines() if "overrun" in x]
        print("DroppedSamples: %d; ring overruns logged: %s" % (dropped, overruns[:3] or "none"))
        spikes = mon.signals("AsymmetrySpike")
        print("asymmetry spikes in %d symmetric seconds:" % END_S, spikes)
        assert not spikes, "false AsymmetrySpike: %s (DroppedSamples %d)" % (spikes, dropped)
        alerts = mon.signals("FatigueAlert")
        print("fatigue alerts in %d steady seconds:" % END_S, alerts, "final score", w.bus.get("FatigueScore"))
        assert not alerts, "FatigueAlert in a steady run: %s" % alerts
        baseline = w.bus.get("AsymmetryBaseline")
        assert "stance" in baseline and "hip_extension" in baseline, "baseline never learned: %s" % baseline

        # PropertiesChanged at most about once a second.
        changes = [m for m in mon.property_changes()]
        stamps = sorted(m["timestamp-realtime"] for m in changes if "timestamp-realtime" in m)
        gaps = [(b - a) / 1e6 for a, b in zip(stamps, stamps[1:])]
        print("PropertiesChanged: %d, shortest gap %.2f s" % (len(changes), min(gaps) if gaps else -1))
        assert len(changes) > 10
        assert min(gaps) >= 0.9, "PropertiesChanged %.2f s apart" % min(gaps)
        assert w.daemon.proc.poll() is None
        mon.stop()
        assert w.daemon.stop() == 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
