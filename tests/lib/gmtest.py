"""The Python tests' harness: verdicts, a private system bus, gaitmon-sim, gaitmond, busctl.

Programs and files from the environment: GM_SIM (gaitmon-sim), GM_DAEMON (gaitmond),
GM_TESTBUS (tests/lib/testbus.sh), GM_SCENARIOS (config/scenarios); GM_TEST_SANITIZED=1 for a
sanitizer build."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

GAITMOND = os.environ.get("GM_DAEMON", "gaitmond")
SIM = os.environ.get("GM_SIM", "gaitmon-sim")
TESTBUS = os.environ.get("GM_TESTBUS", "")
SCENARIOS = os.environ.get("GM_SCENARIOS", "")
# A sanitizer build runs the pipeline several times slower: scenarios that push a lot of samples
# a second are played at a pace it can follow on a loaded machine.
SANITIZED = os.environ.get("GM_TEST_SANITIZED") == "1"
BUS_NAME = "org.gaitmon.Monitor1"
PATH = "/org/gaitmon/Monitor1"
IFACE = "org.gaitmon.Monitor1"


failures = []


def check(cond, what):
    """A verdict that lets the test go on: FAIL: WHAT on stderr, counted by verdict()."""
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def die(what):
    """A verdict that ends the test: FAIL: WHAT on stderr, exit status 1."""
    sys.exit("FAIL: " + what)


def verdict(passed):
    """The test's exit status: 1 if a check failed, else 0 after printing PASSED."""
    if failures:
        print("%d failure(s)" % len(failures), file=sys.stderr)
        return 1
    print(passed)
    return 0


class Bus:
    """A private system-like dbus-daemon (tests/lib/testbus.sh) with the permissive test policy."""

    def __init__(self, workdir, policies=()):
        script = ('. "$1"; shift; exec 3>&1; testbus_start "$@" >/dev/null 2>&1 || exit 1; '
                  'echo "$TESTBUS_ADDRESS"; echo "$TESTBUS_PID"')
        out = subprocess.run(["bash", "-c", script, "_", TESTBUS, workdir, *policies],
                             check=True, capture_output=True, text=True).stdout.split("\n")
        self.address, self.pid = out[0], int(out[1])

    def busctl(self, *args, check=True):
        p = subprocess.run(["busctl", "--address=" + self.address, *args], capture_output=True,
                           text=True, timeout=20)
        if check and p.returncode != 0:
            raise AssertionError("busctl %s failed: %s" % (" ".join(args), p.stderr.strip()))
        return p

    def get(self, prop):
        p = self.busctl("--json=short", "get-property", BUS_NAME, PATH, IFACE, prop)
        return json.loads(p.stdout)["data"]

    def call(self, method, signature="", *args, check=True):
        cmd = ["--json=short", "call", BUS_NAME, PATH, IFACE, method]
        if signature:
            cmd += [signature, *map(str, args)]
        return self.busctl(*cmd, check=check)

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


class Sim:
    """gaitmon-sim with ARGS on a free port (or PORT), the port read from the one line it prints;
    with EVENTS it writes there the true events of what it serves. Its stderr is kept for stop()."""

    def __init__(self, *args, port=0, events=None):
        self.events = events
        self.err = tempfile.TemporaryFile()
        cmd = [SIM, "--port", str(port)] + (["--events", events] if events else []) + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"gaitmon-sim: listening on 127\.0\.0\.1:(\d+)\n", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("gaitmon-sim did not start: first line %r, stderr: %s" % (line, self._stderr()))
        self.port = int(m.group(1))
        self.uri = "ip:127.0.0.1:%d" % self.port

    @classmethod
    def play(cls, workdir, scenario, speed, *extra, port=0):
        """SCENARIO (a path, or a name in GM_SCENARIOS) at SPEED, its true events in WORKDIR."""
        return cls("--speed", str(speed), *extra, os.path.join(SCENARIOS, scenario), port=port,
                   events=os.path.join(workdir, "true.events.csv"))

    def true_events(self):
        """(time_s, side, event) of everything served so far."""
        rows = []
        if not self.events:
            return rows
        try:
            with open(self.events) as f:
                for line in f:
                    parts = line.strip().split(",")
                    if len(parts) == 3 and parts[0] != "time_s":
                        rows.append((float(parts[0]), parts[1], parts[2]))
        except FileNotFoundError:
            pass
        return rows

    def now(self):
        """Simulated time of the last event served (a lower bound of the sim's clock)."""
        ev = self.true_events()
        return ev[-1][0] if ev else 0.0

    def alive(self):
        return self.proc.poll() is None

    def _stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def stop(self):
        """SIGTERM unless it ended by itself; returns its exit code and stderr."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        note = ""
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # a hung emulator must not outlive its test
            self.proc.wait()
            note = "did not stop on SIGTERM within 10 s\n"
        self.proc.stdout.close()
        return self.proc.returncode, note + self._stderr()


class Daemon:
    """The real gaitmond, configured for the sim and the private bus."""

    def __init__(self, workdir, bus, uri, extra_conf="", env=None, wait=True):
        self.workdir = workdir
        self.state = os.path.join(workdir, "state")
        os.makedirs(self.state, exist_ok=True)
        self.conf = os.path.join(workdir, "gaitmon.conf")
        with open(self.conf, "w") as f:
            f.write("[iio]\nuri = %s\nbuffer_samples = 32\n[daemon]\nstate_directory = %s\n%s"
                    % (uri, self.state, extra_conf))
        self.log = open(os.path.join(workdir, "gaitmond.log"), "w+")
        e = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address)
        e.update(env or {})
        self.proc = subprocess.Popen([GAITMOND, "--config", self.conf], stdout=self.log, stderr=self.log, env=e)
        self.bus = bus
        if wait:
            try:
                self.wait_for_name()
            except BaseException:
                self.proc.kill()
                self.proc.wait()
                raise

    def wait_for_name(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "gaitmond exited: " + self.logtext()
            if self.bus.busctl("status", BUS_NAME, check=False).returncode == 0:
                return
            time.sleep(0.05)
        raise AssertionError("gaitmond never owned its name: " + self.logtext())

    def logtext(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self, timeout=10):
        """SIGTERM, then its exit code; killed if it has not ended within TIMEOUT s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("gaitmond did not stop on SIGTERM within %g s" % timeout)


class Monitor:
    """busctl monitor on the daemon's signals; each message is kept with the sim's time on arrival."""

    def __init__(self, bus, sim=None):
        self.sim = sim
        self.messages = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(["busctl", "--address=" + bus.address, "--json=short", "monitor", BUS_NAME],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        time.sleep(0.3)  # let busctl subscribe

    def _read(self):
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            at = self.sim.now() if self.sim else None
            with self.lock:
                self.messages.append((at, msg))

    def signals(self, member):
        with self.lock:
            return [(at, m.get("payload", {}).get("data")) for at, m in self.messages
                    if m.get("type") == "signal" and m.get("member") == member and m.get("interface") == IFACE]

    def property_changes(self):
        with self.lock:
            return [m for _, m in self.messages
                    if m.get("type") == "signal" and m.get("member") == "PropertiesChanged"]

    def wait_for(self, member, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.signals(member)
            if got:
                return got
            time.sleep(0.05)
        return []

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)


class World:
    """Bus + sim + daemon in a temporary directory, torn down on exit."""

    def __init__(self, scenario, speed, extra_conf="", sim_args=(), env=None):
        self.dir = tempfile.mkdtemp(prefix="gaitmond-test-")
        self.bus = self.sim = self.daemon = None
        try:
            self.bus = Bus(self.dir)
            self.sim = Sim.play(self.dir, scenario, speed, *sim_args)
            self.daemon = Daemon(self.dir, self.bus, self.sim.uri, extra_conf, env)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def close(self):
        """Stops what was started, the daemon first, and removes the directory."""
        try:
            if self.daemon:
                self.daemon.stop()
        finally:
            if self.sim:
                self.sim.stop()
            if self.bus:
                self.bus.stop()
            shutil.rmtree(self.dir, ignore_errors=True)

    def __exit__(self, *exc):
        if exc[0] is not None and self.daemon:
            print("---- gaitmond log ----\n" + self.daemon.logtext())
        self.close()


def errors_after_stop(log):
    """libiio's error lines after SIGTERM: a daemon stopping while its sensors stream has none."""
    tail = log.split("received Terminated", 1)
    return [x for x in tail[1].splitlines() if x.startswith("ERROR:")] if len(tail) == 2 else []


def wait_until(what, predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


def unknown(v):
    """busctl --json writes NaN as null."""
    return v is None or (isinstance(v, float) and v != v)
