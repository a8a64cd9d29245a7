"""The belt pack alone ([sensors] with every location but the pelvis set to none): a run is
a run, with running stance on both sides and a runner's vertical oscillation, and the walk
after it a walk that bounces less.

With --accel-only the belt pack's IIO device is an accelerometer alone (accel_x/y/z and a
timestamp, no anglvel channel): gaitmond streams it, says so, and analyses it without rates,
with the same results."""
import math
import os
import sys
import time

from gmtest import World, wait_until

SPEED = 20
ALONE = ("[sensors]\npelvis = label:pelvis\nleft_hip = none\nright_hip = none\n"
         "left_shank = none\nright_shank = none\n")


def main(accel_only):
    name = "pelvis-accel-only-run.ini" if accel_only else "pelvis-alone-run.ini"
    scenario = os.path.join(os.environ["GM_TEST_SCENARIOS"], name)
    with World(scenario, SPEED, extra_conf=ALONE) as w:
        wait_until("a minute of running", lambda: w.sim.now() > 70, timeout=60)
        readings = []
        for _ in range(3):
            readings.append((w.bus.get("Activity"), w.bus.get("StanceTimeLeft"), w.bus.get("StanceTimeRight"),
                             w.bus.get("Cadence"), w.bus.get("VerticalOscillation")))
            time.sleep(0.5)
        print("running: activity, stance left/right ms, cadence, vertical oscillation cm:", readings)
        for activity, left, right, cadence, vosc in readings:
            assert activity == "running", "a run reported as %s" % activity
            for side, v in (("left", left), ("right", right)):
                # A runner's contact: 0.15-0.35 s; a walker's is over half a second.
                assert math.isfinite(v) and 150 <= v <= 350, "%s stance %.0f ms while running" % (side, v)
            assert math.isfinite(cadence) and abs(cadence - 168) <= 5, "cadence %.1f" % cadence
            # Runners bounce 5-12 cm a step.
            assert math.isfinite(vosc) and 4 <= vosc <= 13, "vertical oscillation %.1f cm while running" % vosc
        run_vosc = readings[-1][4]
        sensors = w.bus.get("Sensors")
        assert [s[0] for s in sensors if s[2] == "streaming"] == ["pelvis"], sensors

        wait_until("half a minute of walking", lambda: w.sim.now() > 155, timeout=60)
        activity, vosc = w.bus.get("Activity"), w.bus.get("VerticalOscillation")
        print("walking: activity %s, stance %.0f/%.0f ms, vertical oscillation %.1f cm" % (
            activity, w.bus.get("StanceTimeLeft"), w.bus.get("StanceTimeRight"), vosc))
        assert activity == "walking", "a walk reported as %s" % activity
        assert math.isfinite(vosc) and 1 <= vosc < run_vosc, "vertical oscillation %.1f cm walking, %.1f running" % (
            vosc, run_vosc)
        if accel_only:
            assert any("lis3dh" in str(s) for s in sensors), "the accelerometer is not named: %s" % sensors
            log = w.daemon.logtext()
            assert "pelvis: iio:device0 (lis3dh) has no gyroscope" in log, "the log does not say so:\n" + log
        assert w.daemon.proc.poll() is None
    return 0


if __name__ == "__main__":
    sys.exit(main("--accel-only" in sys.argv[1:]))
