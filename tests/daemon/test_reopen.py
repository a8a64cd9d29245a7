"""Clocks at 100x, as gaitmond-soak found them. Sensors that open one after the other read one
clock: the later ones' first samples are seconds ahead of the others' newest, and moving them
back to it put them that far apart. Sensors that a reload reopens on the same source
keep their clock: reopening five of them one after the other spans many simulated seconds, and
re-anchoring each on its own put them that far apart. An emulator restart puts all five on the
clock of the first one back, each said once, however far apart their first timestamps are.
DroppedSamples never goes back, and reopening says nothing empty."""
import signal
import sys
import time

from gmtest import Sim, World, wait_until

SPEED = 100


def streaming(w):
    sensors = w.bus.get("Sensors")
    return len(sensors) == 5 and all(s[2] == "streaming" for s in sensors)


def main():
    with World("steady-run.ini", SPEED, extra_conf="[iio]\nsample_rate_hz = 52\n") as w:
        dropped = []

        def steps_beyond(n):
            dropped.append(w.bus.get("DroppedSamples"))
            return w.bus.get("StepCount") > n

        wait_until("five sensors streaming", lambda: streaming(w), timeout=20)
        wait_until("running", lambda: steps_beyond(200), timeout=60)
        assert "away from the other sensors'" not in w.daemon.logtext(), w.daemon.logtext()

        # Another rate: every sensor is closed and opened again on the same emulator.
        with open(w.daemon.conf) as f:
            conf = f.read()
        with open(w.daemon.conf, "w") as f:
            f.write(conf.replace("sample_rate_hz = 52", "sample_rate_hz = 104"))
        w.daemon.proc.send_signal(signal.SIGHUP)
        wait_until("the sensors reopened", lambda: "sensors reopened" in w.daemon.logtext(), timeout=20)
        wait_until("five sensors streaming", lambda: streaming(w), timeout=20)
        steps = w.bus.get("StepCount")
        wait_until("steps at 104 Hz", lambda: steps_beyond(steps + 200), timeout=60)
        log = w.daemon.logtext()
        assert "reopened with a new configuration" not in log, log
        empty = [x for x in log.splitlines() if x.startswith("gaitmond:") and x.rstrip().endswith(":")]
        assert not empty, "log lines that say nothing: %s" % empty
        print("reload: the five sensors went on on their clocks")

        # The emulator restarts: its clock starts again from 0.
        w.sim.stop()
        time.sleep(1.5)
        w.sim = Sim.play(w.dir, "steady-run.ini", SPEED, port=w.sim.port)
        wait_until("five sensors back", lambda: streaming(w), timeout=30)
        steps = w.bus.get("StepCount")
        wait_until("steps after the restart", lambda: steps_beyond(steps + 100), timeout=60)
        lines = [x for x in w.daemon.logtext().splitlines() if "clock started again" in x]
        print("\n".join(lines))
        assert len(lines) == 5, "each sensor said once, not %d times" % len(lines)
        assert sum(", with " in x for x in lines) == 4, "four on the first one's clock"
        print("DroppedSamples:", dropped[0], "...", dropped[-1])
        assert all(b >= a for a, b in zip(dropped, dropped[1:])), dropped
        assert w.daemon.stop() == 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
