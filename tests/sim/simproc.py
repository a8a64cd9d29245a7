"""Starting gaitmon-sim for the Python tests: path from $GM_SIM, port from its first line."""
import os
import re
import signal
import subprocess

SIM = os.environ.get("GM_SIM", "gaitmon-sim")
TESTDIR = os.environ.get("GM_SIM_TESTDIR", os.path.dirname(os.path.abspath(__file__)))


class Sim:
    def __init__(self, *args):
        self.proc = subprocess.Popen([SIM, "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"gaitmon-sim: listening on 127\.0\.0\.1:(\d+)\n", line)
        if not m:
            self.proc.kill()
            raise AssertionError("unexpected first line %r, stderr: %s" % (line, self.proc.stderr.read()))
        self.port = int(m.group(1))
        self.uri = "ip:127.0.0.1:%d" % self.port

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """SIGTERM; returns the exit code and stderr."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()        # a hung emulator must not outlive its test
            _, err = self.proc.communicate()
            err = "did not stop on SIGTERM within 10 s\n" + err
        return self.proc.returncode, err
