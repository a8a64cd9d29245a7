"""The emulator restarted under a running gaitmond: its clocks start again from 0, and the
daemon goes on counting steps on its own clock instead of dropping every sample as old. A
sensor a reload adds afterwards joins the others on that clock."""
import signal
import sys

from gmtest import Monitor, Sim, World, wait_until

SPEED = 10


def statuses(w):
    return {s[0]: s[2] for s in w.bus.get("Sensors")}


def main():
    with World("steady-run.ini", SPEED, extra_conf="[sensors]\nleft_shank = none\n") as w:
        mon = Monitor(w.bus)
        wait_until("streaming", lambda: set(statuses(w).values()) == {"streaming"}, timeout=20)
        # Two minutes of simulated walking and running: the clock is well past anything the new
        # emulator serves in the next two minutes (12 s here).
        wait_until("120 s of gait", lambda: w.bus.get("StepCount") > 300, timeout=40)
        steps_before = w.bus.get("StepCount")
        w.sim.stop()
        wait_until("every sensor faulty", lambda: set(statuses(w).values()) == {"faulty"}, timeout=10)
        assert w.daemon.proc.poll() is None, "gaitmond exited with its emulator"

        w.sim = Sim.play(w.dir, "walk.ini", SPEED, port=w.sim.port)
        wait_until("every sensor back", lambda: set(statuses(w).values()) == {"streaming"}, timeout=20)
        recovered = {s[1][0] for s in mon.signals("SensorRecovered")}
        assert len(recovered) == 4, recovered
        # The new emulator stands 5 s, then walks at 108 steps/min: its steps count.
        steps = wait_until("steps after the restart", lambda: (lambda n: n if n > steps_before + 30 else 0)(
            w.bus.get("StepCount")), timeout=8)
        print("StepCount %d before the restart, %d after" % (steps_before, steps))
        cadence = wait_until("walking cadence", lambda: (lambda c: c if c is not None and 106 < c < 110 else 0)(
            w.bus.get("Cadence")),
                             timeout=20)
        print("Cadence %.1f after the restart (scenario: 108)" % cadence)
        log = w.daemon.logtext()
        assert "clock started again" in log, log
        assert w.bus.get("State") == "walking", w.bus.get("State")

        # The left shank is put on: its clock is the new emulator's, behind the daemon's.
        with open(w.daemon.conf) as f:
            conf = f.read()
        with open(w.daemon.conf, "w") as f:
            f.write(conf.replace("left_shank = none", "left_shank = label:left_shank"))
        w.daemon.proc.send_signal(signal.SIGHUP)
        wait_until("the left shank streaming", lambda: statuses(w).get("left_shank") == "streaming", timeout=20)
        log = wait_until("the left shank joining", lambda: (lambda t: t if "left_shank: its clock is" in t else "")(
            w.daemon.logtext()), timeout=10)
        print([line for line in log.splitlines() if "its clock is" in line][0])
        steps = w.bus.get("StepCount")
        wait_until("steps with the left shank", lambda: w.bus.get("StepCount") > steps + 30, timeout=10)
        # Its strides are timed with the others': a plausible stance for 108 steps/min.
        stance = wait_until("left stance from the shank", lambda: (lambda v: v if v is not None and 450 < v < 800 else 0)(
            w.bus.get("StanceTimeLeft")), timeout=10)
        print("StanceTimeLeft %.0f ms from the left shank" % stance)
        mon.stop()
        assert w.daemon.stop() == 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
