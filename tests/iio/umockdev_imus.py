"""IMUs of the belt pack as umockdev fakes them: a sysfs tree per LSM6DSx-class device
(accelerometer and gyroscope scan elements, timestamp, buffer, trigger, sampling
frequency, label), or per LIS3DH-class accelerometer (no gyroscope), and a script of
what its character device /dev/iio:deviceN delivers, made from a gaitmon-synth
recording."""
import struct

# LSM6DSO at +-16 g and +-2000 dps, as the driver reports them.
ACC_SCALE = 0.004788403
GYR_SCALE = 0.001221730
LOCATIONS = ["pelvis", "left_hip", "right_hip", "left_shank", "right_shank"]
BLOCK = 32  # samples per read, what a watermark of 32 gives


def syspath(n):
    return "/sys/devices/platform/soc/i2c-1/1-%04x/iio:device%d" % (0x6a + n, n)


def description(n, label, rate_hz, gyro=True):
    """umockdev-record text of iio:deviceN (sysfs values end in a newline, as the kernel's do);
    without gyro an accelerometer alone."""
    kinds = ("accel", "anglvel") if gyro else ("accel",)
    attrs = [("name", "lsm6dso" if gyro else "lis3dh"), ("label", label), ("sampling_frequency", "%g" % rate_hz),
             ("sampling_frequency_available", "12.5 26 52 104 208 416 833"),
             ("in_accel_scale", "%.9f" % ACC_SCALE)] + ([("in_anglvel_scale", "%.9f" % GYR_SCALE)] if gyro else [])
    attrs += [("current_timestamp_clock", "realtime"),
             ("buffer/enable", "0"), ("buffer/length", "128"), ("buffer/watermark", "1"),
             ("trigger/current_trigger", ""), ("dev", "241:%d" % n)]
    index = 0
    for kind in kinds:
        for axis in "xyz":
            ch = "in_%s_%s" % (kind, axis)
            attrs += [(ch + "_raw", "0"), ("scan_elements/%s_en" % ch, "0"),
                      ("scan_elements/%s_index" % ch, str(index)),
                      ("scan_elements/%s_type" % ch, "le:s16/16>>0")]
            index += 1
    attrs += [("scan_elements/in_timestamp_en", "0"), ("scan_elements/in_timestamp_index", str(index)),
              ("scan_elements/in_timestamp_type", "le:s64/64>>0")]
    lines = ["P: " + syspath(n)[len("/sys"):], "N: iio:device%d" % n, "E: DEVNAME=/dev/iio:device%d" % n,
             "E: DEVTYPE=iio_device", "E: MAJOR=241", "E: MINOR=%d" % n, "E: SUBSYSTEM=iio"]
    lines += ["A: %s=%s\\n" % kv for kv in attrs]
    return "\n".join(lines) + "\n"


def write_tree(root, n, label="pelvis", rate_hz=416):
    """The same device as plain files under root (root/sys/devices/...), for checks
    that need no umockdev (the udev rule's RUN command); returns its directory."""
    import os
    dev = root + syspath(n)
    for line in description(n, label, rate_hz).splitlines():
        if line.startswith("A: "):
            name, value = line[3:].split("=", 1)
            os.makedirs(os.path.dirname(os.path.join(dev, name)), exist_ok=True)
            with open(os.path.join(dev, name), "w") as f:
                f.write(value.replace("\\n", "\n"))
            os.chmod(os.path.join(dev, name), 0o644)
    return dev


def read_recording(path):
    """{location: [(t, ax, ay, az, gx, gy, gz)]} and the rate of a recording CSV v1."""
    rate, header, rows = None, None, []
    with open(path) as f:
        for line in f:
            if line.startswith("# rate_hz:"):
                rate = float(line.split(":")[1])
            elif line.startswith("#"):
                continue
            elif header is None:
                header = line.strip().split(",")
            else:
                rows.append([float(x) for x in line.split(",")])
    out = {}
    for loc in LOCATIONS:
        cols = [header.index("%s_%s_%s" % (loc, s, a)) for s in ("acc", "gyr") for a in "xyz"]
        out[loc] = [(r[0], *(r[c] for c in cols)) for r in rows]
    return out, rate


def _escape(data):
    """umockdev's script escape: a control byte b as ^ and b + 64, ^ itself as ^`."""
    out = []
    for b in data:
        if b == 0x5e:
            out.append("^`")
        elif b < 32:
            out.append("^" + chr(b + 64))
        else:
            out.append(chr(b))
    return "".join(out)


def _clip(v):
    return max(-32768, min(32767, int(round(v))))


def script(samples, t0_ns, speed, start=0, end=None, gyro=True):
    """umockdev script: samples[start:end] in blocks of BLOCK, each after its time at
    SPEED times real time, with the scan layout of description(): six s16 axes (three
    without gyro), padding to 8 bytes, the s64 timestamp t0_ns + t."""
    end = len(samples) if end is None else end
    lines, last_t = [], samples[start][0]
    for i in range(start, end, BLOCK):
        block = samples[i:min(i + BLOCK, end)]
        if gyro:
            data = bytearray(b"".join(struct.pack("<6h4xq", *(_clip(v / ACC_SCALE) for v in s[1:4]),
                                                  *(_clip(v / GYR_SCALE) for v in s[4:7]),
                                                  t0_ns + int(round(s[0] * 1e9))) for s in block))
        else:
            data = bytearray(b"".join(struct.pack("<3h2xq", *(_clip(v / ACC_SCALE) for v in s[1:4]),
                                                  t0_ns + int(round(s[0] * 1e9))) for s in block))
        # umockdev skips the blanks before a block, and a space has no escape: a
        # block starting with one starts one LSB of x acceleration away instead.
        if data[0] == 0x20:
            data[0] = 0x21
        delay_ms = max(1, int(round((block[-1][0] - last_t) * 1000 / speed)))
        last_t = block[-1][0]
        lines.append("r %d %s" % (delay_ms, _escape(data)))
    return "\n".join(lines) + "\n"
