"""A context that declares formats gaitmond cannot read into (an accelerometer channel of
64 bits, or repeated), or a device name whose UTF-8 would be cut: gaitmond refuses those
sensors with a clear SensorFault and goes on; nothing overflows and the bus stays valid.
A small proxy in front of gaitmon-sim rewrites the context XML that PRINT returns."""
import os
import re
import shutil
import socket
import sys
import tempfile
import threading

from gmtest import Bus, Daemon, Sim, errors_after_stop, wait_until


class RewritingProxy:
    """Forwards TCP to gaitmon-sim; rewrites the XML in the reply to PRINT."""

    def __init__(self, port, rewrite):
        self.port, self.rewrite = port, rewrite
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.uri = "ip:127.0.0.1:%d" % self.server.getsockname()[1]
        self.stopping = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopping:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.port))
            threading.Thread(target=self.client_to_sim, args=(client, upstream), daemon=True).start()

    def client_to_sim(self, client, upstream):
        pending_print = [False]
        threading.Thread(target=self.sim_to_client, args=(upstream, client, pending_print), daemon=True).start()
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                if data.upper().startswith(b"PRINT"):
                    pending_print[0] = True
                upstream.sendall(data)
        except OSError:
            pass
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def sim_to_client(self, upstream, client, pending_print):
        buf = b""
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                if not pending_print[0]:
                    client.sendall(data)
                    continue
                buf += data
                m = re.match(rb"(\d+)\n", buf)
                if not m or len(buf) < m.end() + int(m.group(1)) + 1:
                    continue
                n = int(m.group(1))
                xml = buf[m.end():m.end() + n]
                rest = buf[m.end() + n:]
                new = self.rewrite(xml.decode()).encode()
                client.sendall(b"%d\n" % len(new) + new + rest)
                buf, pending_print[0] = b"", False
        except OSError:
            pass

    def stop(self):
        self.stopping = True
        self.server.close()


def hostile(xml):
    # The pelvis' accelerometer: 64-bit samples; the left thigh's: 16 bits repeated 64 times;
    # the right thigh: a device name whose UTF-8 is long enough to be cut mid-character.
    out = []
    for d in re.split(r"(?=<device )", xml):
        head = d[:d.find(">") + 1]
        if 'label="pelvis"' in head:
            d = re.sub(r'(<channel id="accel_x"[^>]*><scan-element[^>]*format=")[^"]*"', r'\1le:s64/64&gt;&gt;0"', d)
        elif 'label="left_hip"' in head:
            d = re.sub(r'(<channel id="accel_y"[^>]*><scan-element[^>]*format=")[^"]*"', r'\1le:s16/16X64&gt;&gt;0"', d)
        elif 'label="right_hip"' in head:
            d = d.replace('name="lsm6dso"', 'name="a' + "\u00e9" * 40 + '"', 1)
        out.append(d)
    return "".join(out)


def main():
    work = tempfile.mkdtemp(prefix="gaitmond-test-")
    bus = sim = proxy = daemon = None
    try:
        bus = Bus(work)
        sim = Sim.play(work, "steady-run.ini", 10)
        proxy = RewritingProxy(sim.port, hostile)
        daemon = Daemon(work, bus, proxy.uri)

        def statuses():
            return {s[0]: (s[1], s[2]) for s in bus.get("Sensors")}

        # Devices are opened one after another, and a slow machine may be anywhere in that sequence.
        wait_until("the others streaming", lambda: all(statuses().get(loc, ("", ""))[1] == "streaming"
                                                       for loc in ("left_shank", "right_shank", "right_hip")),
                   timeout=60)
        wait_until("two sensors refused", lambda: statuses()["pelvis"][1] == "faulty" and
                   statuses()["left_hip"][1] == "faulty", timeout=20)
        log = daemon.logtext()
        for loc, chan in (("pelvis", "accel_x"), ("left_hip", "accel_y")):
            line = [x for x in log.splitlines() if x.startswith("gaitmond: %s:" % loc) and "sample format" in x]
            assert line, "no clear reason for %s: %s" % (loc, log)
            assert chan in line[0], line[0]
            print(line[0])
        st = statuses()
        print("Sensors:", st)
        assert st["pelvis"][1] == "faulty" and st["left_hip"][1] == "faulty", st
        # The right thigh's cut name is still valid UTF-8 on the bus (busctl parsed it) and it streams.
        name = st["right_hip"][0]
        name.encode("utf-8")
        assert st["right_hip"][1] == "streaming", st
        steps = bus.get("StepCount")
        wait_until("steps go on", lambda: bus.get("StepCount") > steps + 20, timeout=20)
        assert daemon.proc.poll() is None, "gaitmond exited"
        assert daemon.stop() == 0
        assert "received Terminated" in daemon.logtext()
        noise = errors_after_stop(daemon.logtext())
        assert not noise, "libiio errors on SIGTERM: %s" % noise[:4]
        daemon = None
    finally:
        if daemon:
            print("---- gaitmond log ----\n" + daemon.logtext())
            daemon.stop()
        if proxy:
            proxy.stop()
        if sim:
            sim.stop()
        if bus:
            bus.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
