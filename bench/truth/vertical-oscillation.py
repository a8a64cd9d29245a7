#!/usr/bin/python3
"""Vertical oscillation of the sacrum per step, from the motion capture the rbds and wbds
recordings were made from.

For each recording, reads the PSIS markers of its source file (at the commit it was made
from, in clones of regifukuchi/BMC-RIC-running-biomechanics and
SheebaDavis/OpenSim_data_analysis), low-passes mid-PSIS height at 15 Hz as the recording's
virtual pelvis sensor was, and takes its rise and fall between consecutive foot contacts
of NAME.events.csv (max - min, cm). The .c3d sources need the python c3d module
(py-c3d) on PYTHONPATH. Prints one CSV row per recording: name, steps, mean and median (cm).
"""
import argparse
import io
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from scipy.signal import butter, filtfilt

RBDS = "BMC-RIC-running-biomechanics"
WBDS = "OpenSim_data_analysis"
SOURCES = {
    "rbds001_run25": (RBDS, "ebe9c5c7", "data/RBDS001runT25markers.txt"),
    "rbds001_run35": (RBDS, "a2e6878d", "data/RBDS001runT35.c3d"),
    "rbds0041_run25": (RBDS, "29027fbb", "data/RBDS0041runT252.txt"),
    "rbds0041_run35": (RBDS, "29027fbb", "data/RBDS0041runT352.txt"),
    "rbds0041_run45": (RBDS, "29027fbb", "data/RBDS0041runT452.txt"),
    "wbds01_walkT01": (WBDS, "814902ef", "WBDS01walkT01.c3d"),
}


def psis_height_mm(blob, path):
    """Mid-PSIS height (mm, lab y is up) and the frame times (s)."""
    if path.endswith(".txt"):
        m = pd.read_csv(io.StringIO(blob.decode()), sep="\t")
        y = (m["R.PSISY"] + m["L.PSISY"]).to_numpy() / 2
        return m["Time"].to_numpy(), y
    import c3d  # py-c3d

    r = c3d.Reader(io.BytesIO(blob))
    labels = [label.strip() for label in r.point_labels]
    cols = [labels.index("R.PSIS"), labels.index("L.PSIS")]
    ys = []
    for _, points, _ in r.read_frames():
        ys.append([np.nan if points[c, 3] < 0 else points[c, 1] for c in cols])
    ys = pd.DataFrame(ys).interpolate(limit_direction="both").to_numpy()
    return np.arange(len(ys)) / r.point_rate, ys.mean(axis=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rbds_git", help=f"git directory of a clone of {RBDS}")
    ap.add_argument("wbds_git", help=f"git directory of a clone of {WBDS}")
    ap.add_argument("datasets", nargs="?", default="../shared/datasets", help="directory of NAME.events.csv")
    a = ap.parse_args()
    gits = {RBDS: a.rbds_git, WBDS: a.wbds_git}
    print("name,steps,mean_cm,median_cm")
    for name, (repo, commit, path) in SOURCES.items():
        blob = subprocess.run(["git", "--git-dir", gits[repo], "show", f"{commit}:{path}"],
                              check=True, capture_output=True).stdout
        t, height_mm = psis_height_mm(blob, path)
        rate = 1 / np.median(np.diff(t))
        b, aa = butter(4, 15 / (rate / 2))
        height_mm = filtfilt(b, aa, height_mm)
        ev = pd.read_csv(os.path.join(a.datasets, name + ".events.csv"))
        ic = np.sort(ev[ev.event == "ic"].time_s.to_numpy())
        osc = []
        for t0, t1 in zip(ic[:-1], ic[1:]):
            span = (t >= t0) & (t <= t1)
            if t1 - t0 < 1.5 and span.sum() > 3:
                osc.append((height_mm[span].max() - height_mm[span].min()) / 10)
        osc = np.array(osc)
        print(f"{name},{len(osc)},{osc.mean():.2f},{np.median(osc):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
