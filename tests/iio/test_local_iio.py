"""gaitmond with uri = local:, the belt pack's own IIO devices, faked by umockdev: five
LSM6DSx-class IMUs in sysfs whose character devices deliver a synthetic run. gaitmond
finds them by label, streams them and measures the run; an IMU unplugged (removed from
sysfs, its reads ended) is reported and found again when it comes back; devices that
keep 104 Hz whatever is written to sampling_frequency (and read back what was
written) are measured at the rate their timestamps show, the pelvis' among them an
accelerometer alone (a LIS3DH-class device without anglvel channels), analysed without
its rates."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

import umockdev_imus as imus  # noqa: E402
from gmtest import Bus, Daemon, wait_until  # noqa: E402

SYNTH = os.environ["GM_SYNTH"]
SPEED = 4                       # the scripts deliver 4 s of samples per second
T0_NS = 1_700_000_000 * 10**9   # the devices' realtime timestamps start here
CADENCE = 170                   # gaitmon-synth's running default


def sensors(bus):
    return {loc: (device, status) for loc, device, status in bus.get("Sensors")}


def all_streaming(bus):
    s = sensors(bus)
    return s if len(s) == 5 and all(st == "streaming" for _, st in s.values()) else None


class Belt:
    """A umockdev testbed with the five IMUs, gaitmond on it and a private bus."""

    def __init__(self, work, rate_hz, seconds, short=None, accel_only=()):
        self.work, self.rate_hz, self.accel_only = work, rate_hz, accel_only
        os.makedirs(work)
        rec = os.path.join(work, "run-%g.csv" % rate_hz)
        subprocess.run([SYNTH, "--duration", str(seconds), "--rate", "%g" % rate_hz, "--seed", "3",
                        "-o", rec], check=True, stdout=subprocess.DEVNULL)
        self.data, rate = imus.read_recording(rec)
        assert rate == rate_hz, rate
        self.tb = UMockdev.Testbed.new()
        for n, loc in enumerate(imus.LOCATIONS):
            self.tb.add_from_string(imus.description(n, loc, rate_hz, gyro=loc not in accel_only))
            end = int(short[1] * rate_hz) if short and short[0] == loc else None
            self.load(n, 0, end)
        self.started = time.monotonic()
        self.bus = Bus(work)
        self.daemon = None
        try:
            self.daemon = Daemon(work, self.bus, "local:", wait=False, env={
                "LD_PRELOAD": "libumockdev-preload.so.0", "UMOCKDEV_DIR": self.tb.get_root_dir()})
            self.daemon.wait_for_name()
        except BaseException:
            self.close()
            raise

    def load(self, n, start, end=None, loc=None):
        loc = loc or imus.LOCATIONS[n]
        path = os.path.join(self.work, "iio:device%d.script" % n)
        # One byte a character: the script is bytes, not UTF-8.
        with open(path, "w", encoding="latin-1") as f:
            f.write(imus.script(self.data[loc], T0_NS, SPEED, start, end, gyro=loc not in self.accel_only))
        self.tb.load_script("/dev/iio:device%d" % n, path)

    def data_time(self):
        """Where the scripts are in the recording, roughly."""
        return (time.monotonic() - self.started) * SPEED

    def close(self):
        try:
            if self.daemon and self.daemon.proc.poll() is None:
                self.daemon.proc.kill()
                self.daemon.proc.wait()
        finally:
            self.bus.stop()
        # The testbed's directory goes with the object.
        self.tb = None


def running_cadence(bus, daemon):
    try:
        wait_until("Activity running", lambda: bus.get("Activity") == "running", timeout=90)
    except AssertionError:
        print("Activity %s, %d steps; gaitmond's log ends:\n%s" % (
            bus.get("Activity"), bus.get("StepCount"), daemon.logtext()[-1500:]))
        raise
    cadence = wait_until("a cadence", lambda: (lambda c: c if isinstance(c, float) and c == c else None)(
        bus.get("Cadence")), timeout=20)
    assert abs(cadence - CADENCE) <= 5, "Cadence %.1f, expected %d" % (cadence, CADENCE)
    return cadence


def unplug_replug(work):
    # left_shank's samples end after 60 s of the run, as an unplugged device's reads do.
    b = Belt(work, 416, 400, short=("left_shank", 60))
    try:
        s = wait_until("all five streaming", lambda: all_streaming(b.bus), timeout=30)
        for loc in imus.LOCATIONS:
            print("%s: %s %s" % (loc, *s[loc]))
        assert s["left_shank"][0] == "iio:device3 (lsm6dso)", s
        print("running, cadence %.1f steps/min (true %d)" % (running_cadence(b.bus, b.daemon), CADENCE))

        # Unplugged: the device leaves sysfs and /dev; its reads end with its script.
        # (No uevent: libiio does not listen for them, and umockdev has no listener to send to.)
        b.tb.remove_device(imus.syspath(3))
        wait_until("left_shank reported", lambda: sensors(b.bus)["left_shank"][1] != "streaming", timeout=30)
        want = "left_shank: no IIO device with label left_shank at local:"
        wait_until("the reason logged", lambda: want in b.daemon.logtext(), timeout=10)
        s = sensors(b.bus)
        print("unplugged: left_shank %s; State %s" % (s["left_shank"][1], b.bus.get("State")))
        assert all(s[loc][1] == "streaming" for loc in imus.LOCATIONS if loc != "left_shank"), s
        assert b.bus.get("State") == "degraded", b.bus.get("State")

        # Plugged in again, as the next device number (umockdev cannot bring back a
        # node it removed); its samples where the others are. The label finds it.
        start = min(int(b.data_time() * 416), len(b.data["left_shank"]) - 416 * 60)
        b.tb.add_from_string(imus.description(5, "left_shank", 416))
        b.load(5, start, loc="left_shank")
        s = wait_until("left_shank streaming again", lambda: all_streaming(b.bus), timeout=30)
        assert s["left_shank"][0] == "iio:device5 (lsm6dso)", s
        assert "left_shank: streaming from iio:device5 (lsm6dso)" in b.daemon.logtext()
        # Its clock lies where the estimate put it, not exactly where the others are:
        # what counts is that the run goes on being measured.
        steps = b.bus.get("StepCount")
        wait_until("steps counted after the replug", lambda: b.bus.get("StepCount") >= steps + 20, timeout=30)
        print("replugged: left_shank streaming from iio:device5; %d steps counted" % b.bus.get("StepCount"))
        assert b.daemon.stop() == 0
        b.daemon = None
    finally:
        b.close()


def fixed_rate(work):
    b = Belt(work, 104, 300, accel_only=("pelvis",))
    try:
        s = wait_until("all five streaming", lambda: all_streaming(b.bus), timeout=30)
        assert s["pelvis"][0] == "iio:device0 (lis3dh)", s
        want = "pelvis: iio:device0 (lis3dh) has no gyroscope"
        print(wait_until("the accelerometer noticed", lambda: next(
            (x for x in b.daemon.logtext().splitlines() if want in x), None), timeout=30))
        want = "delivers 104 samples/s, not the configured 416 Hz"
        line = wait_until("the rate noticed", lambda: next(
            (x for x in b.daemon.logtext().splitlines() if want in x), None), timeout=30)
        print(line)
        # Measured at the rate found: steps go on being counted.
        steps = b.bus.get("StepCount")
        wait_until("steps at 104 Hz", lambda: b.bus.get("StepCount") >= steps + 50, timeout=60)
        print("at 104 Hz: %d steps counted" % b.bus.get("StepCount"))
        assert b.daemon.stop() == 0
        b.daemon = None
    finally:
        b.close()


def main():
    work = tempfile.mkdtemp(prefix="gaitmon-iio-")
    try:
        unplug_replug(os.path.join(work, "unplug"))
        fixed_rate(os.path.join(work, "rate"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
