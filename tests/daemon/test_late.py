"""A late main loop: gaitmond stopped (SIGSTOP) for 15 s of sample time every 30 s all through a
tiring run. The sensors' samples wait meanwhile, and the drains after each stop hold seconds of
them. Every second of them still has its snapshot, so the run's fatigue baseline is learned and
fatigue is raised (minute 5 to 8 of the run here); when a drain took one snapshot of all it
held, the baseline was not learned before minute 11 and no fatigue was raised, or late."""
import json
import os
import signal
import sys
import threading
import time

from gmtest import Monitor, World, check, verdict

SPEED = 50
STOP_S = 0.3  # of wall time: 15 s of samples at SPEED, three quarters of a ring's at 104 Hz
EVERY_S = 0.6
RUN_END_S = 725  # fatigue-run.ini's last step; the run ends after idle_timeout_s more
FATIGUE_KNOWN_BY_MIN = 8


class Stopper(threading.Thread):
    """Stops PID for STOP_S every EVERY_S until stop(), which leaves it running."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.done = threading.Event()
        self.stops = 0

    def run(self):
        while not self.done.wait(EVERY_S - STOP_S):
            try:
                os.kill(self.pid, signal.SIGSTOP)
                time.sleep(STOP_S)
            except ProcessLookupError:
                return
            finally:
                self._cont()
            self.stops += 1

    def _cont(self):
        try:
            os.kill(self.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass

    def stop(self):
        self.done.set()
        self.join()
        self._cont()


def main():
    scenario = os.path.join(os.environ["GM_TEST_SCENARIOS"], "fatigue-run.ini")
    conf = "[iio]\nsample_rate_hz = 104\n[session]\nidle_timeout_s = 60\n[runner]\nage = 62\n"
    with World(scenario, SPEED, extra_conf=conf) as w:
        mon = Monitor(w.bus, w.sim)
        stopper = Stopper(w.daemon.proc.pid)
        stopper.start()
        try:
            # Judged by sample time alone: however late the daemon, the advice comes at the end.
            advice = mon.wait_for("RecoveryAdvice", timeout=(RUN_END_S + 120) / SPEED * 4 + 60)
        finally:
            stopper.stop()
        print("stopped %d times for %.1f s" % (stopper.stops, STOP_S))
        check(stopper.stops >= 10, "gaitmond stopped only %d times" % stopper.stops)
        check(advice, "no RecoveryAdvice at the end of the run")
        if advice:
            print("RecoveryAdvice:", advice[0][1][0])
        alerts = mon.signals("FatigueAlert")
        print("FatigueAlerts:", [(round(at), a[0]) for at, a in alerts])
        check(alerts, "no FatigueAlert in a tiring run")

        runs = json.loads(w.bus.call("GetSessions", "u", "1").stdout)["data"][0]
        check(len(runs) == 1, "%d runs" % len(runs))
        if runs:
            run = {k: v["data"] for k, v in runs[0].items()}
            check(600 <= run["duration_s"] <= 800, "duration %.0f s for a 12-minute run" % run["duration_s"])
            got = json.loads(w.bus.call("GetRun", "t", str(run["id"])).stdout)["data"][0]
            minutes = [{k: v["data"] for k, v in m.items()} for m in got["minutes"]["data"]]
            fatigue = [(round(m["t_s"] / 60), m["fatigue"]) for m in minutes]
            print("fatigue by minute:", [(n, f if f is None else round(f, 2)) for n, f in fatigue])
            known = [n for n, f in fatigue if f is not None]
            check(known and known[0] <= FATIGUE_KNOWN_BY_MIN,
                  "the fatigue baseline learned by minute %s, not %d" % (known[:1], FATIGUE_KNOWN_BY_MIN))
        print("DroppedSamples:", w.bus.get("DroppedSamples"))
        mon.stop()
        check(w.daemon.stop() == 0, "gaitmond did not exit cleanly")
    return verdict("PASSED")


if __name__ == "__main__":
    sys.exit(main())
