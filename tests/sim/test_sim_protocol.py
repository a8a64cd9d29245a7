#!/usr/bin/env python3
"""gaitmon-sim facing raw and hostile protocol clients: every command of the protocol,
garbage, oversized and truncated lines, clients that vanish mid-buffer, many at once."""
import os
import socket
import subprocess
import sys
import threading
import time

from gmtest import Sim, check, verdict

TESTDIR = os.path.dirname(os.path.abspath(__file__))


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def cmd(self, text):
        self.send(text.encode() + b"\r\n")
        return int(self.line())

    def read_attr(self, text):
        n = self.cmd(text)
        if n < 0:
            return n
        value = self.exact(n + 1)
        return value[:-1].decode()

    def close(self):
        self.s.close()


def alive(sim):
    c = Conn(sim.port)
    v = c.read_attr("READ iio:device0 sampling_frequency")
    c.close()
    return v == "104.000"


def test_commands(sim):
    c = Conn(sim.port)
    n = c.cmd("PRINT")
    xml = c.exact(n + 1)
    check(xml.startswith(b"<?xml") and xml.endswith(b"</context>\n"), "PRINT: length, XML and a newline")
    check(c.cmd("ZPRINT") == -22, "ZPRINT: -22, no compressed context")
    c.send(b"VERSION\r\n")
    v = c.line().decode()
    check(v.startswith("0.24.") and len(v.split(".", 2)[2]) >= 7, "VERSION: %r" % v)
    check(c.cmd("TIMEOUT 5000") == 0, "TIMEOUT")
    check(c.read_attr("read iio:device1 label") == "left_hip", "keywords are case-insensitive")
    check(c.read_attr("READ left_shank sampling_frequency") == "104.000", "devices by label")
    check(c.read_attr("READ iio:device0 INPUT accel_x scale") == "0.004785645", "READ INPUT channel attribute")
    check(c.read_attr("READ iio:device0 BUFFER length") == "65536", "READ BUFFER attribute")
    check(c.read_attr("READ iio:device0 DEBUG direct_reg_access") == -2, "no debug attributes: -ENOENT")
    check(c.read_attr("READ iio:device0 OUTPUT accel_x raw") == -6, "no output channels: -ENXIO")
    check(c.read_attr("READ iio:device0 INPUT voltage0 raw") == -6, "unknown channel: -ENXIO")
    check(c.read_attr("READ iio:device9 sampling_frequency") == -19, "unknown device: -ENODEV")
    check(c.read_attr("READ iio:device0 colour") == -2, "unknown attribute: -ENOENT")
    # every device attribute at once: big-endian length, value with NUL, padded to 4
    n = c.cmd("READ iio:device2")
    blob = c.exact(n + 1)[:-1]
    values, i = [], 0
    while i < len(blob):
        ln = int.from_bytes(blob[i:i + 4], "big", signed=True)
        i += 4
        values.append(blob[i:i + ln - 1].decode())
        i += (ln + 3) & ~3
    check(values[:2] == ["right_hip", "104.000"], "READ without an attribute packs them all: %r" % values)

    payload = b"208\0"
    c.send(b"WRITE iio:device4 sampling_frequency %d\r\n" % len(payload) + payload)
    check(int(c.line()) == len(payload), "WRITE answers the bytes written")
    check(c.read_attr("READ iio:device4 sampling_frequency") == "208.000", "the write took")
    c.send(b"WRITE iio:device4 sampling_frequency 4\r\nabcd")
    check(int(c.line()) == -22, "WRITE of garbage: -22")
    c.send(b"WRITE iio:device4 label 3\r\nxyz")
    check(int(c.line()) == -13, "WRITE of a read-only attribute: -EACCES")
    big = 100000
    c.send(b"WRITE iio:device4 sampling_frequency %d\r\n" % big + b"7" * big)
    check(int(c.line()) == -22, "oversized WRITE: payload consumed, -22")
    check(c.read_attr("READ iio:device4 sampling_frequency") == "208.000", "still in step after it")
    c.send(b"WRITE iio:device4 sampling_frequency 4\r\n104\0")
    check(int(c.line()) == 4, "rate back to 104")

    check(c.cmd("GETTRIG iio:device0") == -2, "GETTRIG: no trigger")
    check(c.cmd("SETTRIG iio:device0") == 0, "SETTRIG without a trigger")
    check(c.cmd("SETTRIG iio:device0 trigger7") == -2, "SETTRIG unknown trigger")
    check(c.cmd("SET iio:device0 BUFFERS_COUNT 4") == 0, "SET BUFFERS_COUNT")
    check(c.cmd("SET iio:device0 BUFFERS_COUNT 0") == -22, "SET BUFFERS_COUNT 0")
    check(c.cmd("READBUF iio:device0 64") == -9, "READBUF without OPEN: -EBADF")
    check(c.cmd("CLOSE iio:device0") == -9, "CLOSE without OPEN: -EBADF")
    check(c.cmd("OPEN iio:device0 32 zzzzzzzz") == -22, "OPEN with a bad mask")
    check(c.cmd("OPEN iio:device0 32 00000100") == -22, "OPEN with a channel that does not exist")
    check(c.cmd("OPEN iio:device0 32 0000000f CYCLIC") == -22, "cyclic buffers are for output devices")
    check(c.cmd("OPEN iio:device0 32 0000000f") == 0, "OPEN")
    check(c.cmd("OPEN iio:device0 32 0000000f") == -16, "OPEN twice: -EBUSY")
    # accel x/y/z + anglvel_x: 4 s16, 8 bytes a sample
    n = c.cmd("READBUF iio:device0 80")
    check(n == 80, "READBUF: one chunk of 10 samples")
    check(c.line() == b"0000000f", "the mask line before the first chunk")
    c.exact(n)
    n = c.cmd("READBUF iio:device0 20")
    check(n == 16 and c.line() == b"0000000f" and c.exact(16) and int(c.line()) == 0,
          "READBUF of 2.5 samples: 2 (the mask line again) and a closing 0")
    check(c.cmd("READBUF iio:device0 4") == 0, "READBUF smaller than a sample: 0")
    check(c.cmd("WRITEBUF iio:device0 16") == -22, "WRITEBUF to an input device")
    check(c.cmd("CLOSE iio:device0") == 0, "CLOSE")
    c.send(b"EXIT\r\n")
    c.s.settimeout(5)
    check(c.s.recv(16) == b"", "EXIT closes the connection")
    c.close()


def test_garbage(sim):
    c = Conn(sim.port)
    for junk in [b"HELLO", b"READ", b"OPEN iio:device0", b"OPEN iio:device0 -5 0000000f", b"TIMEOUT soon",
                 b"READBUF iio:device0 99999999999999999999", b"\x00\xff\xfe binary \x01",
                 b"SET iio:device0 BUFFERS_COUNT", b"a b c d e f g h i j k"]:
        c.send(junk + b"\r\n")
        check(int(c.line()) == -22, "garbage %r: -22" % junk)
    c.send(b"X" * 100000 + b"\r\n")
    check(int(c.line()) == -22, "an oversized line: -22")
    check(c.read_attr("READ iio:device0 label") == "pelvis", "the connection still works after garbage")
    c.send(b"\r\n")
    check(c.read_attr("READ iio:device0 label") == "pelvis", "a blank line asks nothing")
    c.send(b"READ iio:device0 sampl")   # truncated: the client leaves mid-command
    c.close()
    check(alive(sim), "serving after a truncated command")


def test_vanishing_clients(sim):
    for _ in range(20):
        c = Conn(sim.port)
        check(c.cmd("OPEN iio:device3 4096 0000007f") == 0, "OPEN for a big read")
        c.send(b"READBUF iio:device3 %d\r\n" % (4096 * 24))
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()       # gone while the answer is on its way
    c = Conn(sim.port)
    check(c.cmd("OPEN iio:device3 32 0000007f") == 0, "the device opens again")
    n = c.cmd("READBUF iio:device3 768")
    check(n == 768 and c.line() == b"0000007f" and len(c.exact(n)) == 768, "and streams to the next client")
    c.close()


def test_many_clients(sim):
    results = []

    def client():
        try:
            c = Conn(sim.port)
            n = c.cmd("PRINT")
            c.exact(n + 1)
            ok = c.cmd("OPEN iio:device1 16 0000007f") == 0
            for _ in range(5):
                n = c.cmd("READBUF iio:device1 384")
                ok = ok and n == 384
                ok = ok and c.line() == b"0000007f"
                c.exact(n)
            results.append(ok)
            c.close()
        except (OSError, EOFError, ValueError) as e:
            results.append(e)

    threads = [threading.Thread(target=client) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check(results.count(True) == 40, "40 clients at once each read their buffers: %r" % [r for r in results if r is not True][:3])
    r = subprocess.run(["iio_info", "-u", sim.uri], capture_output=True, timeout=30)
    check(r.returncode == 0, "iio_info still works after all that")


def test_unpaced_unplug():
    """--speed max: a buffer left open on a device that was unplugged neither hangs its reader
    nor stops the clock, and the device streams again after its replug."""
    sim = Sim("--speed", "max", os.path.join(TESTDIR, "faults.ini"))
    try:
        c = Conn(sim.port)
        check(c.cmd("OPEN left_shank 64 00000049") == 0, "unpaced: open the left shank")
        errors = 0
        for _ in range(400):            # 400 x 64 samples at 104 Hz: past the unplug at 5 s
            n = c.cmd("READBUF left_shank 1024")
            if n < 0:
                errors += 1
                break
            c.exact(n + 9)              # the mask line, then the data
        check(errors == 1, "unpaced: reading the unplugged device fails instead of waiting")
        check(c.cmd("CLOSE left_shank") == 0, "unpaced: the dead buffer closes")
        # unpaced, the clock follows the open buffers: the pelvis' takes it to the replug at 7 s
        check(c.cmd("OPEN pelvis 64 00000049") == 0, "unpaced: open the pelvis")
        deadline = time.monotonic() + 30
        while c.cmd("OPEN left_shank 64 00000049") != 0 and time.monotonic() < deadline:
            n = c.cmd("READBUF pelvis 1024")
            c.exact(max(n, 0) + 9 if n > 0 else 0)
        check(c.cmd("CLOSE pelvis") == 0, "unpaced: the pelvis closes (its reader sets the pace no more)")
        n = c.cmd("READBUF left_shank 1024")
        check(n == 1024, "unpaced: the replugged device streams (%d)" % n)
        c.close()
    finally:
        rc, err = sim.stop()
        check(rc == 0, "unpaced: SIGTERM exits 0 (rc %d, %s)" % (rc, err))


def test_unpaced_unread_buffer():
    """--speed max: a buffer opened and never read does not stop the clock for another one."""
    sim = Sim("--speed", "max", os.path.join(TESTDIR, "run-steady.ini"))
    try:
        c = Conn(sim.port)
        check(c.cmd("OPEN right_hip 64 00000049") == 0, "unpaced: open a buffer never read")
        check(c.cmd("OPEN pelvis 1024 00000049") == 0, "unpaced: open the pelvis")
        read = 0
        for _ in range(12):             # 12 x 1024 samples: past any read-ahead
            n = c.cmd("READBUF pelvis 16384")
            if n != 16384:
                break
            c.exact(n + 9)
            read += 1024
        check(read == 12 * 1024, "unpaced: the pelvis streams beside an unread buffer (%d samples)" % read)
        c.close()
    except OSError as e:
        check(False, "unpaced: reading beside an unread buffer: %r" % e)
    finally:
        rc, err = sim.stop()
        check(rc == 0, "unpaced: SIGTERM exits 0 (rc %d, %s)" % (rc, err))


def main():
    test_unpaced_unplug()
    test_unpaced_unread_buffer()
    sim = Sim("--speed", "20", os.path.join(TESTDIR, "run-steady.ini"))
    try:
        test_commands(sim)
        test_garbage(sim)
        test_vanishing_clients(sim)
        test_many_clients(sim)
    finally:
        rc, err = sim.stop()
        check(rc == 0, "SIGTERM exits 0 (rc %d, %s)" % (rc, err))
    return verdict("all gaitmon-sim protocol checks passed")


if __name__ == "__main__":
    sys.exit(main())
