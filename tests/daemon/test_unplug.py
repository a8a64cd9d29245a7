"""A sensor unplugged and plugged back: SensorFault in time, the rest keep streaming, it recovers."""
import sys

from gmtest import Monitor, World, unknown, wait_until

SPEED = 10
UNPLUG_S, REPLUG_S = 60, 90


def status(w, location):
    return {s[0]: s[2] for s in w.bus.get("Sensors")}[location]


def main():
    with World("unplug.ini", SPEED) as w:
        mon = Monitor(w.bus, w.sim)
        wait_until("streaming", lambda: status(w, "left_shank") == "streaming", timeout=20)

        faults = mon.wait_for("SensorFault", timeout=UNPLUG_S / SPEED + 20)
        assert faults, "no SensorFault"
        at, (location, reason) = faults[0]
        print("SensorFault(%s, %r) at sim %.2f s" % (location, reason, at))
        assert location == "left_shank"
        assert reason
        assert UNPLUG_S - 1 <= at <= UNPLUG_S + 2, "SensorFault at %.2f s for an unplug at %d s" % (at, UNPLUG_S)

        # While it is out: the daemon answers, the others stream, the left side's timing is unknown.
        wait_until("the Sensors property", lambda: status(w, "left_shank") == "faulty", timeout=2)
        assert w.bus.get("State") == "degraded"
        steps_before = w.bus.get("StepCount")
        wait_until("more steps from the right shank", lambda: w.bus.get("StepCount") > steps_before + 10, timeout=5)
        others = {s[0]: s[2] for s in w.bus.get("Sensors") if s[0] != "left_shank"}
        assert all(v == "streaming" for v in others.values()), others
        assert unknown(w.bus.get("StanceTimeLeft")), "StanceTimeLeft without its sensor"
        assert not unknown(w.bus.get("StanceTimeRight"))
        assert "stance" not in w.bus.get("Asymmetry")

        back = mon.wait_for("SensorRecovered", timeout=(REPLUG_S - UNPLUG_S) / SPEED + 20)
        assert back, "no SensorRecovered"
        at_back, (location,) = back[0]
        print("SensorRecovered(%s) at sim %.2f s" % (location, at_back))
        assert location == "left_shank" and at_back >= REPLUG_S - 1
        wait_until("State back to running", lambda: w.bus.get("State") == "running", timeout=10)
        wait_until("left stance again", lambda: not unknown(w.bus.get("StanceTimeLeft")), timeout=10)
        dropped = wait_until("the gap counted", lambda: w.bus.get("DroppedSamples"), timeout=5)
        print("DroppedSamples after the unplug: %d" % dropped)
        # 30 s at 416 Hz, less what the reopening backoff itself skipped
        assert dropped >= (REPLUG_S - UNPLUG_S) * 416 * 0.9, dropped
        assert len(mon.signals("SensorFault")) == 1, mon.signals("SensorFault")
        mon.stop()
        assert w.daemon.stop() == 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
