"""Physics on against off, lab by lab, from saved closed-loop JSON lines (issue 24).

    python -m bench.closed_loop --lab interlayer.evaluation.labs:paper_lab --metal Li --seeds 10 \
        --methods interlayer,interlayer-nophysics --json > paper_Li.jsonl
    python -m bench.closed_loop --lab interlayer.evaluation.labs:family --family-seeds 0-19 --metal Li \
        --seeds 10 --methods interlayer,interlayer-nophysics --json > family_Li.jsonl
    python -m bench.physics_on_off paper_Li.jsonl family_Li.jsonl ...

Per lab (a file of a hand-made lab, or a family lab and metal) the median over seeds of the experiments
until the recommendation first reached 90 % of the optimum (budget + batch if never), with physics
(``interlayer``) and without (``interlayer-nophysics``), and on − off. Target: on − off ≤ 4 (one
batch) on every lab. Family labs 0–49 are the held-out slice, 100–149 the tuning slice; each is
summarized apart.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path

from interlayer.evaluation.benchmark import TARGET_FRACTION
from interlayer.evaluation.labs import HELD_OUT_FAMILY_SEEDS, TUNING_FAMILY_SEEDS

ON, OFF = "interlayer", "interlayer-nophysics"
MARGIN = 4


def reached(rows: list[dict], budget: int, batch: int) -> int:
    hits = [r["experiments"] for r in sorted(rows, key=lambda r: r["round"]) if r["fraction_of_optimum"] >= TARGET_FRACTION]
    return hits[0] if hits else budget + batch


def load(files: list[str], budget: int, batch: int) -> dict[str, dict[str, list[int]]]:
    """{lab label: {method: [experiments per seed]}} from finished runs."""
    runs: dict[tuple, list[dict]] = defaultdict(list)
    for name in files:
        with open(name) as lines:
            for line in lines:
                row = json.loads(line)
                family = row.get("family_seed")
                label = f"family {family} {row.get('metal')}" if family is not None else Path(name).stem
                runs[(label, row["method"], row["seed"])].append(row)
    out: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for (label, method, _), rows in runs.items():
        if max(r["experiments"] for r in rows) >= budget:
            out[label][method].append(reached(rows, budget, batch))
    return out


def slice_of(label: str) -> str:
    if not label.startswith("family"):
        return "hand-made labs"
    seed = int(label.split()[1])
    if seed in HELD_OUT_FAMILY_SEEDS:
        return "family, held out (never tuned on)"
    return "family, tuning slice" if seed in TUNING_FAMILY_SEEDS else "family, other seeds"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.physics_on_off", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--budget", type=int, default=32)
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args(argv)
    labs = load(args.files, args.budget, args.batch)
    groups: dict[str, list[str]] = defaultdict(list)
    for label in sorted(labs, key=lambda s: (slice_of(s), s.split()[0], int(s.split()[1]) if s.startswith("family") else 0, s)):
        groups[slice_of(label)].append(label)
    for group, members in groups.items():
        print(f"\n{group}: median experiments to 90 % (seeds), physics on / off, on − off (target ≤ {MARGIN})")
        differences = []
        for label in members:
            on, off = labs[label].get(ON, []), labs[label].get(OFF, [])
            if not on or not off:
                continue
            difference = statistics.median(on) - statistics.median(off)
            differences.append(difference)
            print(f"  {label:36s} {statistics.median(on):5.1f} ({len(on)}) / {statistics.median(off):5.1f} ({len(off)})  "
                  f"{difference:+5.1f} {'ok' if difference <= MARGIN else 'WORSE'}")
        if differences:
            worse = sum(d > MARGIN for d in differences)
            better = sum(d < 0 for d in differences)
            print(f"  {len(differences)} labs: physics better on {better}, worse by more than {MARGIN} on {worse}; "
                  f"median on − off {statistics.median(differences):+.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
