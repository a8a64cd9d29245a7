"""The emulator restarted under a running gaitmond: its clocks start again from 0, and the
daemon goes on counting steps on its own clock instead of dropping every sample as old."""
import sys

from gmtest import Monitor, Sim, World, wait_until

SPEED = 10


def statuses(w):
    return {s[0]: s[2] for s in w.bus.get("Sensors")}


def main():
    with World("steady-run.ini", SPEED) as w:
        mon = Monitor(w.bus)
        wait_until("streaming", lambda: set(statuses(w).values()) == {"streaming"}, timeout=20)
        # Two minutes of simulated walking and running: the clock is well past anything the new
        # emulator serves in the next two minutes (12 s here).
        wait_until("120 s of gait", lambda: w.bus.get("StepCount") > 300, timeout=40)
        steps_before = w.bus.get("StepCount")
        w.sim.stop()
        wait_until("every sensor faulty", lambda: set(statuses(w).values()) == {"faulty"}, timeout=10)
        assert w.daemon.proc.poll() is None, "gaitmond exited with its emulator"

        w.sim = Sim(w.dir, "walk.ini", SPEED, port=w.sim.port)
        wait_until("every sensor back", lambda: set(statuses(w).values()) == {"streaming"}, timeout=20)
        recovered = {s[1][0] for s in mon.signals("SensorRecovered")}
        assert len(recovered) == 5, recovered
        # The new emulator stands 5 s, then walks at 108 steps/min: its steps count.
        steps = wait_until("steps after the restart", lambda: (lambda n: n if n > steps_before + 30 else 0)(
            w.bus.get("StepCount")), timeout=8)
        print("StepCount %d before the restart, %d after" % (steps_before, steps))
        cadence = wait_until("walking cadence", lambda: (lambda c: c if 106 < c < 110 else 0)(w.bus.get("Cadence")),
                             timeout=20)
        print("Cadence %.1f after the restart (scenario: 108)" % cadence)
        log = w.daemon.logtext()
        assert "clock started again" in log, log
        assert w.bus.get("State") == "walking", w.bus.get("State")
        mon.stop()
        assert w.daemon.stop() == 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
