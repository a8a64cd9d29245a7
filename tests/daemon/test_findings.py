"""Findings a runner can trust, through gaitmon-sim and gaitmond: a symmetric run with a walk
before and after it and a 5 s sensor dropout gives no AsymmetrySpike, no FatigueAlert above
level 1, and advice that finds nothing."""
import os
import sys

from gmtest import Monitor, World, wait_until

# The sensors at 208 Hz: at 50x gaitmond reads as many samples a second as at 416 Hz at 25x.
SPEED = 50
LAST_STEP_S = 545


def main():
    scenario = os.path.join(os.environ["GM_TEST_SCENARIOS"], "symmetric-transitions.ini")
    with World(scenario, SPEED, extra_conf="[iio]\nsample_rate_hz = 208\n[session]\nidle_timeout_s = 30\n") as w:
        mon = Monitor(w.bus, w.sim)
        wait_until("a run", lambda: w.bus.get("SessionStart") > 0, timeout=30)
        advice = mon.wait_for("RecoveryAdvice", timeout=(LAST_STEP_S + 60) / SPEED + 30)
        assert advice, "no RecoveryAdvice: " + w.daemon.logtext()[-2000:]
        summary = advice[0][1][0]
        print("RecoveryAdvice:", summary)
        faults = mon.signals("SensorFault")
        print("SensorFault:", faults)
        assert any(f[1][0] == "right_hip" for f in faults), "the dropout was not seen: %s" % faults
        spikes = mon.signals("AsymmetrySpike")
        print("AsymmetrySpike:", spikes)
        assert not spikes, "false alarms: %s" % spikes
        alerts = mon.signals("FatigueAlert")
        print("FatigueAlert:", alerts)
        assert all(a[0] <= 1 for _, a in alerts), "fatigue above level 1: %s" % alerts
        assert "symmetric" in summary, summary
        # Health data: the history is not readable by others, whatever umask started gaitmond.
        mode = os.stat(os.path.join(w.daemon.state, "history.db")).st_mode & 0o777
        print("history.db mode %o" % mode)
        assert not mode & 0o007, "history.db is %o" % mode
        assert w.daemon.stop() == 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
