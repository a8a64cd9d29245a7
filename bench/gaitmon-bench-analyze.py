#!/usr/bin/env python3
"""gaitmon-bench-analyze: offline analysis of a long recording, gaitmon-analyze beside
pandas + scipy doing the same job.

Builds a long recording by tiling a shared one (by default the gaitmap 2x20 m walk 50
times: 32 minutes, 46 MB), runs gaitmon-analyze on it RUNS times and prints the median
wall time, CPU time (user + system) and peak RSS of each program. With pandas and scipy
importable (Debian: python3-pandas python3-scipy) the same recording also goes through
a pandas + scipy analysis: read the CSV, band-limit each foot's sagittal gyro, find the
gait events as its peaks, stride, stance and swing times and their medians, an FFT
cadence. --baseline adds a second gaitmon-analyze (an older build) to the same run.
--long also times a 2-hour, 5-IMU, 400 Hz recording (about 1 GB, tiled from gaitmon-synth).

Usage: bench/gaitmon-bench-analyze.py [--runs N] [--tiles N] [--analyze PATH]
           [--baseline PATH] [--source CSV] [--workdir DIR] [--long] [--keep]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tile(src, dst, tiles):
    """The source's rows `tiles` times over, each copy later by the source's span."""
    head = []
    with open(src) as f:
        for line in f:
            head.append(line)
            if not line.startswith('#') and line.strip():
                break  # the header row
        rows = [r for r in f if r.strip()]
    times = [float(r.split(',', 1)[0]) for r in rows]
    span = times[-1] - times[0] + (times[-1] - times[-2])
    rests = [r.split(',', 1)[1] for r in rows]
    with open(dst, 'w') as out:
        out.writelines(head)
        for k in range(tiles):
            off = k * span
            out.writelines('%.6f,%s' % (t + off, rest) for t, rest in zip(times, rests))


GNU_TIME = '/usr/bin/time'


def measure(argv):
    """Wall s, CPU s and peak RSS KiB of one run of argv (its output discarded).

    GNU time starts the program when it is there: a child forked from this Python would
    count Python's pages in its peak RSS until it execs."""
    timed = os.access(GNU_TIME, os.X_OK)
    if timed:
        argv = [GNU_TIME, '-f', '@@ %e %U %S %M'] + argv
    t0 = time.monotonic()
    with open(os.devnull, 'w') as null:
        p = subprocess.Popen(argv, stdout=null, stderr=subprocess.PIPE)
        err = p.stderr.read().decode(errors='replace')
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit('%s failed (%d): %s' % (' '.join(argv), code, err.strip()))
    if timed:
        line = [l for l in err.splitlines() if l.startswith('@@ ')][-1].split()
        return float(line[1]), float(line[2]) + float(line[3]), int(line[4])
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def report(name, res):
    runs = len(res)
    wall = statistics.median(r[0] for r in res)
    cpu = statistics.median(r[1] for r in res)
    rss = statistics.median(r[2] for r in res)
    print('%-28s wall %7.3f s   CPU %7.3f s   peak RSS %8.1f MiB   (median of %d)'
          % (name, wall, cpu, rss / 1024, runs), flush=True)
    return wall, cpu, rss


def bench(progs):
    """Each (name, argv, runs) of progs timed, the programs taking turns run by run, so
    that what disturbs the machine for a while (other work, writeback) falls on all of
    them alike rather than on whichever comes first. Their medians, in order."""
    res = [[] for _ in progs]
    for i in range(max(n for _, _, n in progs)):
        for k, (_, argv, n) in enumerate(progs):
            if i < n:
                res[k].append(measure(argv))
    return [report(name, r) for (name, _, _), r in zip(progs, res)]


def peer_python():
    """A Python that has pandas and scipy, or None."""
    for py in (sys.executable, '/usr/bin/python3'):
        if py and os.path.exists(py) and subprocess.run(
                [py, '-c', 'import pandas, scipy'], stderr=subprocess.DEVNULL).returncode == 0:
            return py
    return None


def peer(path):
    """The pandas + scipy analysis: events, strides and medians of one recording."""
    import numpy as np
    import pandas as pd
    from scipy import fft, signal

    rate = None
    with open(path) as f:
        for line in f:
            if not line.startswith('#'):
                break
            if line[1:].strip().startswith('rate_hz:'):
                rate = float(line.split(':', 1)[1])
    df = pd.read_csv(path, comment='#')
    t = df['time_s'].to_numpy()
    if rate is None:
        rate = 1 / np.median(np.diff(t))
    locs = sorted({c.rsplit('_', 2)[0] for c in df.columns if c.endswith('_gyr_x')})
    b, a = signal.butter(4, 6 / (rate / 2))
    summary = {}
    for loc in locs:
        gyr = df[[loc + '_gyr_x', loc + '_gyr_y', loc + '_gyr_z']].to_numpy()
        axis = np.argmax(gyr.var(axis=0))
        w = signal.filtfilt(b, a, gyr[:, axis])
        if np.percentile(w, 99) < -np.percentile(w, 1):
            w = -w
        # Swing peaks; contacts are the troughs on either side.
        swing, _ = signal.find_peaks(w, height=np.percentile(w, 90) * 0.5, distance=int(0.5 * rate))
        ic, fc = [], []
        for k in range(len(swing) - 1):
            seg = w[swing[k]:swing[k + 1]]
            troughs, _ = signal.find_peaks(-seg)
            if len(troughs) >= 2:
                ic.append(t[swing[k] + troughs[0]])
                fc.append(t[swing[k] + troughs[-1]])
        ic, fc = np.array(ic), np.array(fc)
        stride = np.diff(ic)
        stance = fc[1:] - ic[:-1] if len(ic) > 1 else np.array([])
        ok = (stride > 0.4) & (stride < 2.5)
        summary[loc] = dict(strides=int(ok.sum()), stride_s=float(np.median(stride[ok])) if ok.any() else None,
                            stance_s=float(np.median(stance[ok])) if ok.any() else None)
    acc = df[[c for c in df.columns if c.endswith(('_acc_x', '_acc_y', '_acc_z'))][:3]].to_numpy()
    norm = np.linalg.norm(acc, axis=1)
    n = int(10 * rate)
    peaks = []
    for s in range(0, len(norm) - n, n):
        spec = np.abs(fft.rfft((norm[s:s + n] - norm[s:s + n].mean()) * np.hanning(n)))
        f = fft.rfftfreq(n, 1 / rate)
        band = (f > 0.5) & (f < 4)
        peaks.append(f[band][np.argmax(spec[band])] * 60)
    summary['cadence_fft_spm'] = float(np.median(peaks)) if peaks else None
    print(summary)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--tiles', type=int, default=50)
    ap.add_argument('--analyze', default=os.path.join(TOP, 'build', 'tools', 'gaitmon-analyze'))
    ap.add_argument('--baseline', help='another gaitmon-analyze to time in the same run')
    ap.add_argument('--source', default=os.path.join(TOP, '..', 'shared', 'datasets', 'gaitmap_healthy_2x20m.csv'))
    ap.add_argument('--workdir', help='where the long recordings go (default a temporary directory)')
    ap.add_argument('--long', action='store_true', help='also a 2-hour, 5-IMU, 400 Hz recording')
    ap.add_argument('--keep', action='store_true', help='keep the generated recordings')
    ap.add_argument('--peer', metavar='CSV', help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peer:
        peer(args.peer)
        return
    for exe in [args.analyze] + ([args.baseline] if args.baseline else []):
        if not os.access(exe, os.X_OK):
            sys.exit('%s: not built (tools/run build)' % exe)
    work = args.workdir or tempfile.mkdtemp(prefix='gaitmon-bench-')
    os.makedirs(work, exist_ok=True)
    try:
        rec = os.path.join(work, 'tiled-%d.csv' % args.tiles)
        tile(args.source, rec, args.tiles)
        os.sync()  # the new file's writeback is not to fall on the first run
        size = os.path.getsize(rec)
        print('recording: %s tiled %d times, %.1f MB' % (os.path.basename(args.source), args.tiles, size / 1e6))
        quiet = ['--quiet']
        progs = [('gaitmon-analyze', [args.analyze] + quiet + [rec], args.runs)]
        if args.baseline:
            progs.append(('gaitmon-analyze (baseline)', [args.baseline, rec], args.runs))
        py = peer_python()
        if py:
            progs.append(('pandas + scipy', [py, os.path.abspath(__file__), '--peer', rec], max(1, min(args.runs, 3))))
        timed = bench(progs)
        ours = timed[0]
        if args.baseline:
            base = timed[1]
            print('  this build: %.2fx the baseline\'s speed (CPU), %.2fx less memory'
                  % (base[1] / ours[1], base[2] / ours[2]))
        if py:
            them = timed[-1]
            print('  gaitmon-analyze: %.1fx faster (wall), %.1fx less CPU, %.1fx less memory than pandas + scipy'
                  % (them[0] / ours[0], them[1] / ours[1], them[2] / ours[2]))
        else:
            print('pandas + scipy: not available (Debian: apt install python3-pandas python3-scipy)')
        if args.long:
            synth = os.path.join(os.path.dirname(args.analyze), 'gaitmon-synth')
            one = os.path.join(work, 'synth-60s.csv')
            subprocess.run([synth, '--duration', '60', '--rate', '400', '-o', one], check=True)
            big = os.path.join(work, 'synth-2h.csv')
            tile(one, big, 120)
            print('recording: gaitmon-synth 60 s (pelvis, hips, shanks at 400 Hz) tiled 120 times, %.1f MB'
                  % (os.path.getsize(big) / 1e6))
            os.sync()
            progs = [('gaitmon-analyze, 2 h', [args.analyze] + quiet + [big], 1)]
            if args.baseline:
                progs.append(('gaitmon-analyze (baseline), 2 h', [args.baseline, big], 1))
            bench(progs)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
