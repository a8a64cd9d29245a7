"""gaitmond as a service: sd_notify, watchdog, signals, configuration errors, hostile D-Bus calls."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from gmtest import GAITMOND, World, wait_until


def notify_socket(directory):
    path = os.path.join(directory, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    return sock, path


class Drain:
    """Keeps reading the notify socket, as the service manager does: a full socket queue
    (10 datagrams by default) would block the daemon in sd_notify. Each message is kept with
    the time it came, from the start of the reading."""

    def __init__(self, sock):
        self.sock, self.got, self.running = sock, [], True
        self.start = time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                msg = self.sock.recv(4096).decode()
            except (socket.timeout, OSError):
                continue
            self.got.append((time.monotonic() - self.start, msg))

    def first(self, seconds):
        """The messages of the first SECONDS, once they are over."""
        time.sleep(max(0.0, self.start + seconds - time.monotonic()))
        return [m for at, m in list(self.got) if at < seconds]

    def stop(self):
        self.running = False
        self.thread.join()
        return [m for _, m in self.got]


def check_config_refused():
    with tempfile.TemporaryDirectory() as d:
        cases = {
            "[iio]\nsample_rate_hz = 5000\n": ":2: [iio] sample_rate_hz",
            "[iio]\nfrobnicate = 1\n": ":2: unknown key 'frobnicate'",
            "[sensors]\nleft_knee = label:x\n": ":2: [sensors] unknown location",
            "[sensors]\npelvis = serial:7\n": ":2: [sensors] pelvis",
            "this is not ini\n": ":1: not a 'key = value'",
            # Repeats in one file are mistakes; a long comment's tail is not a setting.
            "[runner]\nage = 30\nage = 70\n": ":3: [runner] age given twice",
            "[runner]\n# " + "x" * 197 + " age = 7\n": ":2: line longer than 198 characters",
        }
        for text, expected in cases.items():
            path = os.path.join(d, "bad.conf")
            with open(path, "w") as f:
                f.write(text)
            p = subprocess.run([GAITMOND, "--config", path], capture_output=True, text=True, timeout=10)
            assert p.returncode != 0, "gaitmond ran with %r" % text
            lines = p.stderr.strip().split("\n")
            assert len(lines) == 1 and path + expected in lines[0], "for %r: %r" % (text, p.stderr)
        # A bad drop-in is named too.
        path = os.path.join(d, "good.conf")
        with open(path, "w") as f:
            f.write("[runner]\nage = 40\n")
        os.mkdir(path + ".d")
        with open(os.path.join(path + ".d", "50-bad.conf"), "w") as f:
            f.write("# comment\n[runner]\nage = old\n")
        p = subprocess.run([GAITMOND, "--config", path, "--check-config"], capture_output=True, text=True)
        assert p.returncode != 0 and "50-bad.conf:3: [runner] age" in p.stderr, p.stderr
        for args in (["--help"], ["--version"]):
            p = subprocess.run([GAITMOND, *args], capture_output=True, text=True)
            assert p.returncode == 0 and p.stdout, args
        p = subprocess.run([GAITMOND, "--no-such-option"], capture_output=True, text=True)
        assert p.returncode != 0 and "Usage" in p.stderr


def check_hostile_calls(w):
    bus = w.bus
    # busctl prints the error's message, not its name.
    bad = [
        (("GetSessions", "s", "seven"), "nvalid"),
        (("GetSessions",), "nvalid"),
        (("GetRun", "t", "999999"), "No run with id 999999"),
        (("NoSuchMethod",), "NoSuchMethod"),
    ]
    for args, error in bad:
        p = bus.call(*args, check=False)
        assert p.returncode != 0 and error in p.stderr, (args, p.stderr)
    p = bus.busctl("set-property", "org.gaitmon.Monitor1", "/org/gaitmon/Monitor1", "org.gaitmon.Monitor1",
                   "Cadence", "d", "1", check=False)
    assert p.returncode != 0, "Cadence was writable"
    p = bus.busctl("call", "org.gaitmon.Monitor1", "/org/gaitmon/Monitor1", "org.gaitmon.Monitor1",
                   "GetSessions", "s", "x" * 100000, check=False)
    assert p.returncode != 0
    p = bus.busctl("get-property", "org.gaitmon.Monitor1", "/org/gaitmon/Monitor1", "org.gaitmon.Monitor1",
                   "NoSuchProperty", check=False)
    assert p.returncode != 0
    p = bus.busctl("call", "org.gaitmon.Monitor1", "/org/gaitmon/Nowhere", "org.gaitmon.Monitor1",
                   "ResetBaseline", check=False)
    assert p.returncode != 0
    p = bus.call("EndSession", check=False)
    assert p.returncode != 0 and "No run is in progress" in p.stderr, p.stderr  # standing still: no run yet
    sessions = bus.call("GetSessions", "u", "7")
    assert sessions.returncode == 0
    assert w.daemon.proc.poll() is None, "gaitmond died on hostile calls"
    assert bus.get("State") in ("idle", "walking", "running", "degraded")


def main():
    check_config_refused()
    with tempfile.TemporaryDirectory() as d:
        sock, path = notify_socket(d)
        env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"}
        with World("steady-run.ini", 5, env=env) as w:
            drain = Drain(sock)
            check_hostile_calls(w)

            # SIGHUP with a bad drop-in keeps the running configuration.
            os.mkdir(w.daemon.conf + ".d")
            bad = os.path.join(w.daemon.conf + ".d", "90-bad.conf")
            with open(bad, "w") as f:
                f.write("[alerts]\nwarmup_s = soon\n")
            w.daemon.proc.send_signal(signal.SIGHUP)
            wait_until("the reload error", lambda: "90-bad.conf:2:" in w.daemon.logtext(), timeout=5)
            assert "keeping the running configuration" in w.daemon.logtext()
            steps = w.bus.get("StepCount")
            wait_until("steps after a failed reload", lambda: w.bus.get("StepCount") > steps, timeout=10)

            # A reload to no sensors at all is refused like at start-up, and nothing stops.
            with open(bad, "w") as f:
                f.write("[sensors]\n" + "".join("%s = none\n" % loc for loc in
                        ("pelvis", "left_hip", "right_hip", "left_shank", "right_shank")))
            w.daemon.proc.send_signal(signal.SIGHUP)
            wait_until("the refusal", lambda: "no sensor configured in [sensors]; keeping the running configuration"
                       in w.daemon.logtext(), timeout=5)
            assert w.daemon.proc.poll() is None, "gaitmond exited on a reload to no sensors"
            steps = w.bus.get("StepCount")
            wait_until("steps after the refused reload", lambda: w.bus.get("StepCount") > steps, timeout=10)

            # A good one is applied; the state directory, where the history is open, is not.
            with open(bad, "w") as f:
                f.write("[alerts]\nwarmup_s = 30\n[daemon]\nstate_directory = %s\n" % os.path.join(w.dir, "elsewhere"))
            before = w.bus.get("StepCount")
            w.daemon.proc.send_signal(signal.SIGHUP)
            wait_until("the reload", lambda: "configuration reloaded" in w.daemon.logtext(), timeout=5)
            assert w.daemon.proc.poll() is None
            assert "state_directory changes only when gaitmond starts" in w.daemon.logtext(), w.daemon.logtext()
            # The analysis started afresh, on the same clock: the run tracker keeps taking its
            # snapshots, and the step count goes on from where it was.
            counts = []

            def counting_on():
                counts.append(w.bus.get("StepCount"))
                return counts[-1] > before + 20

            wait_until("steps after the reload", counting_on, timeout=10)
            print("StepCount %d before the reload, then %s" % (before, counts[:3] + ["..."] + counts[-1:]))
            assert min(counts) >= before, (before, counts)
            assert "run tracking refused" not in w.daemon.logtext(), w.daemon.logtext()

            # What the service manager heard in the first 4 s, while all this went on.
            msgs = drain.first(4)
            text = "\n".join(msgs)
            print("notifications:", msgs[:6], "...")
            assert "READY=1" in text.split("RELOADING=1")[0], "not ready before the first reload: " + text
            assert text.count("WATCHDOG=1") >= 4, "watchdog pinged %d times in 4 s" % text.count("WATCHDOG=1")
            assert any(m.startswith("STATUS=") and "sensors streaming" in m for m in text.split("\n")), text

            t0 = time.monotonic()
            w.daemon.proc.send_signal(signal.SIGTERM)
            rc = w.daemon.proc.wait(timeout=10)
            took = time.monotonic() - t0
            print("SIGTERM: exit %d after %.2f s" % (rc, took))
            assert rc == 0 and took < 2, (rc, took)
            time.sleep(0.5)
            assert "STOPPING=1" in "\n".join(drain.stop())
    return 0


if __name__ == "__main__":
    sys.exit(main())
