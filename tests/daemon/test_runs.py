"""A tiring run through gaitmon-sim: FatigueAlert during it, RecoveryAdvice at its end, kept in the history."""
import os
import sys

from gmtest import SANITIZED, Monitor, World, wait_until

# The sensors at 104 Hz: at 100x gaitmond reads as many samples a second as at 416 Hz at 25x.
# A sanitizer build on a busy machine falls behind at that speed and its drains hold seconds of
# samples: they are fed in time order and each second of them has its snapshot (daemon-late), so
# the run's fatigue is judged from as many snapshots as when the main loop keeps up. A sanitizer
# build beside another busy process cannot read that fast at all: its rings overflowed, lost
# samples held the findings and one run ended after 2 minutes (2 of 3 times at 100x with one
# core taken); it plays the run at 25x.
SPEED = 25 if SANITIZED else 100
RUN_END_S = 725      # the scenario's last step; the run ends after [session] idle_timeout_s more


def main():
    scenario = os.path.join(os.environ["GM_TEST_SCENARIOS"], "fatigue-run.ini")
    with World(scenario, SPEED, extra_conf="[iio]\nsample_rate_hz = 104\n[session]\nidle_timeout_s = 60\n[runner]\nage = 62\n") as w:
        mon = Monitor(w.bus, w.sim)
        wait_until("a run", lambda: w.bus.get("SessionStart") > 0, timeout=30)

        advice = mon.wait_for("RecoveryAdvice", timeout=(RUN_END_S + 120) / SPEED + 30)
        assert advice, "no RecoveryAdvice at the end of the run: " + w.daemon.logtext()[-2000:]
        _, (summary, actions, rest_days) = advice[0]
        print("RecoveryAdvice: %s | %d actions | %d rest days" % (summary, len(actions), rest_days))
        text = " ".join(actions).lower()
        assert "20 minutes" in text, actions            # hydrate and refuel
        assert "toward the heart" in text, actions      # flushing strokes
        assert "before stretching" not in text, "walking advice after a 12-minute run"
        assert "12 min" in summary or "steps" in summary, summary

        alerts = mon.signals("FatigueAlert")
        print("FatigueAlerts:", [(round(at), a) for at, a in alerts])
        assert alerts, "no FatigueAlert in a tiring run"
        levels = [a[0] for _, a in alerts]
        assert all(1 <= lv <= 3 for lv in levels) and all(a[1] for _, a in alerts)
        assert w.bus.get("SessionStart") == 0, "the run did not end"
        # The run is symmetric: fatigue, however it reads, is no asymmetry.
        spikes = mon.signals("AsymmetrySpike")
        assert not spikes, "AsymmetrySpike in a symmetric run: %s\n%s" % (spikes, w.daemon.logtext()[-6000:])

        # Kept with the run in the history.
        p = w.bus.call("GetSessions", "u", "1")
        import json
        runs = json.loads(p.stdout)["data"][0]
        assert len(runs) == 1, runs
        # a{sv}: busctl --json gives each value as {"type": ..., "data": ...}.
        run = {k: v["data"] for k, v in runs[0].items()}
        print("GetSessions:", run)
        assert run["advice"] == summary and run["rest_days"] == rest_days and run["state"] == "ended", run
        assert 600 <= run["duration_s"] <= 800, "duration %.0f s for a 12-minute run" % run["duration_s"]

        # Its strides are kept too, each within the run and with a side.
        p = w.bus.call("GetStrides", "tdd", str(run["id"]), "0", "inf")
        strides = [{k: v["data"] for k, v in st.items()} for st in json.loads(p.stdout)["data"][0]]
        print("GetStrides: %d strides" % len(strides))
        assert len(strides) > 300, "a 12-minute run with %d strides" % len(strides)
        assert all(0 <= st["t_s"] <= run["duration_s"] and st["side"] in ("left", "right") for st in strides)
        times = [st["t_s"] for st in strides]
        assert times == sorted(times)
        mon.stop()
        assert w.daemon.stop() == 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
