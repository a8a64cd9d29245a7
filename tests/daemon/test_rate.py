"""The rate sensors really deliver, not the configured one: gaitmond configured for 1000 Hz
reads devices that keep 416 Hz, says so once, and measures cadence and state right."""
import math
import sys
import time

from gmtest import World, wait_until

SPEED = 30
RUN_CADENCE = 170


def main():
    with World("steady-run.ini", SPEED, extra_conf="[iio]\nsample_rate_hz = 1000\n") as w:
        log = wait_until("the rate noticed", lambda: (lambda t: t if "samples/s, not the configured" in t else "")(
            w.daemon.logtext()), timeout=30)
        line = [x for x in log.splitlines() if "not the configured" in x][0]
        print(line)
        assert "delivers 416 samples/s, not the configured 1000 Hz" in line, line
        wait_until("running", lambda: w.sim.now() > 150, timeout=60)
        cadences = []
        for _ in range(4):
            cadences.append(w.bus.get("Cadence"))
            time.sleep(1)
        print("cadence readings:", ["%.1f" % c for c in cadences])
        for c in cadences:
            assert math.isfinite(c) and abs(c - RUN_CADENCE) <= 3, "Cadence %.1f, expected %d" % (c, RUN_CADENCE)
        assert w.bus.get("State") == "running", w.bus.get("State")
        assert w.daemon.logtext().count("not the configured") == 1, "said once"
        assert w.daemon.stop() == 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
