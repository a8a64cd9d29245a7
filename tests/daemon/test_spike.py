"""An injected left-hip weakness: AsymmetrySpike within 15 strides of its onset, and ResetBaseline."""
import os
import sys

from gmtest import Monitor, World, wait_until

SPEED = 10
ONSET_S = 200
STRIDE_S = 120 / 168    # the scenario's cadence


def main():
    scenario = os.path.join(os.environ["GM_TEST_SCENARIOS"], "asymmetry-onset.ini")
    with World(scenario, SPEED) as w:
        mon = Monitor(w.bus, w.sim)
        wait_until("the baseline", lambda: "hip_extension" in w.bus.get("AsymmetryBaseline"), timeout=60)
        assert not mon.signals("AsymmetrySpike"), "spike before the onset: %s" % mon.signals("AsymmetrySpike")
        assert w.sim.now() < ONSET_S

        spikes = mon.wait_for("AsymmetrySpike", timeout=(ONSET_S + 30) / SPEED + 30)
        assert spikes, "no AsymmetrySpike after the onset"
        at, (metric, value, baseline) = spikes[0]
        strides = (at - ONSET_S) / STRIDE_S
        print("first spike: %s SI %.1f%% (baseline %.1f%%) at sim %.1f s, %.1f strides after the onset"
              % (metric, value, baseline, at, strides))
        assert at >= ONSET_S, "spike at %.1f s, before the onset" % at
        assert strides <= 15, "spike %.1f strides after the onset" % strides
        assert metric in ("hip_extension", "pelvic_drop", "hip_range"), metric
        if metric == "hip_extension":
            assert value < baseline, "a weaker left hip extends less: SI %.1f, baseline %.1f" % (value, baseline)

        # ResetBaseline forgets it: the baseline must be learned again.
        w.bus.call("ResetBaseline")
        wait_until("the baseline to be forgotten", lambda: "hip_extension" not in w.bus.get("AsymmetryBaseline"),
                   timeout=5)
        assert w.daemon.proc.poll() is None
        mon.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
