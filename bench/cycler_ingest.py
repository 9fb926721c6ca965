"""Cycler files in, short and overpotential out: generated symmetric-cell traces through every text export.

    python -m bench.cycler_ingest                # detection per format, then the 30-day 1 Hz trace
    python -m bench.cycler_ingest --cells 10 --no-speed

Each cell (Li and Na; 0.5-5 mA cm-2, 0.5-3 mAh cm-2; noise 0.5-5 %; rests of 0, 1 or 10 min; a missing
half-cycle or a restarted clock in about one cell in six; a recovering dip in a third of the intact cells;
evaluation/symmetric_cell.py) is written in each supported text format (evaluation/cycler_exports.py), read
back by the upload's reader and analysed. Per format: shorts found within one cycle period of the true time
(target >= 95 %), false shorts among the cells that never short (target <= 2 %), and the overpotential within
5 % of the noiseless plateau (target: all cells).

Speed and memory: a 1 Hz trace of 30 days (2.59 million rows, 1 h half-cycles) is written in each format to
bench/out/, then read and analysed in a fresh process each; wall time, CPU time (polars reads on both cores, so
it may exceed the wall time; on a machine shared with other jobs the wall time grows with the load average, printed)
and peak resident memory of that process (interpreter and imports included) against 10 s and 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from interlayer.evaluation.cycler_exports import FORMATS, write_export
from interlayer.evaluation.symmetric_cell import SymmetricCell, generate, random_cell
from interlayer.models.cycler_files import read_trace
from interlayer.models.cycler_trace import analyse_trace

OUT = Path(__file__).parent / "out"
KINDS = ("soft", "hard", None)

_MEASURE = """
import json, resource, sys, time
start = time.perf_counter()
from interlayer.models.cycler_files import read_trace
from interlayer.models.cycler_trace import analyse_trace
path = sys.argv[1]
data = open(path, "rb").read()
trace = read_trace(path, data)
result = analyse_trace(trace.time_s, trace.current_a, trace.voltage_v, 1.13)
usage = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM is this program's own peak; ru_maxrss would keep the forking parent's (it survives exec)
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"rows": int(trace.time_s.size), "seconds": time.perf_counter() - start, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_mb": peak_kb / 1024, "cycles": len(result.cycles["t_start_h"])}))
"""


def detection(cells_per_kind: int, seed: int) -> dict[str, dict[str, list]]:
    """Per format: (kind, found within one cycle, false short, overpotential relative error) for every cell."""
    rng = np.random.default_rng(seed)
    rows: dict[str, dict[str, list]] = {fmt: {"short": [], "false": [], "eta": []} for fmt in FORMATS}
    for metal in ("Li", "Na"):
        for kind in KINDS:
            for _ in range(cells_per_kind):
                cell = random_cell(rng, metal, kind)
                time_s, current_a, voltage_v, truth = generate(cell, rng)
                for fmt in FORMATS:
                    name, data = write_export(fmt, time_s, current_a, voltage_v)
                    trace = read_trace(name, data)
                    result = analyse_trace(trace.time_s, trace.current_a, trace.voltage_v, cell.area_cm2)
                    if kind:
                        rows[fmt]["short"].append(result.short is not None
                                                  and abs(result.short["time_h"] - truth["short_h"]) <= truth["cycle_h"])
                    else:
                        rows[fmt]["false"].append(result.short is not None)
                    rows[fmt]["eta"].append(abs(result.overpotential_mv / truth["overpotential_mv"] - 1.0))
    return rows


def print_detection(rows: dict[str, dict[str, list]]) -> None:
    print(f"{'format':14s} {'shorts found within 1 cycle':>28s} {'false shorts':>14s} {'overpotential within 5 %':>25s} "
          f"{'worst overpotential error':>26s}")
    for fmt, r in rows.items():
        found, false, eta = np.array(r["short"]), np.array(r["false"]), np.array(r["eta"])
        print(f"{fmt:14s} {found.sum():>10d}/{found.size} = {100 * found.mean():5.1f} % "
              f"{false.sum():>5d}/{false.size} = {100 * false.mean():3.1f} % "
              f"{(eta <= 0.05).sum():>12d}/{eta.size} = {100 * np.mean(eta <= 0.05):5.1f} % {100 * eta.max():>22.2f} %")
    print("targets: found >= 95 %, false <= 2 %, overpotential within 5 % of the truth")


def speed() -> None:
    cell = SymmetricCell("Li", 1.0, 1.0, cycles=360, samples_per_step=3600, short_kind="soft", short_cycle=300.4)
    time_s, current_a, voltage_v, truth = generate(cell, np.random.default_rng(0))
    OUT.mkdir(exist_ok=True)
    print(f"\n30-day 1 Hz trace: {time_s.size} rows, {time_s[-1] / 86400:.1f} days; parse + analyse in a fresh process")
    print(f"{'format':14s} {'file MB':>8s} {'seconds':>8s} {'CPU s':>8s} {'peak MB':>8s}   (targets: <= 10 s, <= 1024 MB; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for fmt in FORMATS:
        name, data = write_export(fmt, time_s, current_a, voltage_v)
        path = OUT / f"cycler_30d_{fmt}{Path(name).suffix}"
        path.write_bytes(data)
        del data
        measured = json.loads(subprocess.run([sys.executable, "-c", _MEASURE, str(path)], check=True,
                                             capture_output=True, text=True).stdout)
        print(f"{fmt:14s} {path.stat().st_size / 1e6:8.0f} {measured['seconds']:8.2f} {measured['cpu_s']:8.2f} {measured['peak_mb']:8.0f}")
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=20, help="cells per metal and kind (soft, hard, none)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-speed", action="store_true", help="skip the 30-day trace")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = detection(args.cells, args.seed)
    print(f"{2 * len(KINDS) * args.cells} cells x {len(FORMATS)} formats in {time.perf_counter() - start:.0f} s")
    print_detection(rows)
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
