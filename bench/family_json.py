"""The family distribution from saved JSON lines: runs done in pieces (one lab per invocation, the slow peers) scored as one.

    python -m bench.closed_loop --lab interlayer.evaluation.labs:family --family-seeds 3 --metal Na --seeds 1 \
        --methods baybe --json >> baybe.jsonl
    python -m bench.family_json baybe.jsonl interlayer.jsonl

Each run (method, family lab, metal, seed) counts the experiments until its recommendation first
reached 90 % of the optimum (``fraction_of_optimum`` in the lines), budget + batch if never; then the
runner's table: median, p75, p90, share within 16 and 32, over the runs each method finished.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

from interlayer.evaluation.benchmark import TARGET_FRACTION, distribution
from interlayer.evaluation.report import print_distribution, print_family_verdict, run_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.family_json", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--budget", type=int, default=32)
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args(argv)
    runs: dict[tuple, list[dict]] = defaultdict(list)
    for name in args.files:
        with open(name) as lines:
            for line in lines:
                row = json.loads(line)
                runs[(row["method"], row.get("family_seed"), row.get("metal"), row["seed"])].append(row)
    reached: dict[str, list[float]] = defaultdict(list)
    seconds: dict[str, list[float]] = defaultdict(list)
    for (method, *_), rows in sorted(runs.items(), key=lambda item: str(item[0])):
        if max(row["experiments"] for row in rows) < args.budget:
            continue  # an unfinished run
        hits = [row["experiments"] for row in sorted(rows, key=lambda r: r["round"]) if row["fraction_of_optimum"] >= TARGET_FRACTION]
        reached[method].append(hits[0] if hits else args.budget + args.batch)
        seconds[method].append(max(row["elapsed_s"] for row in rows))
    labs = sorted({(key[1], key[2]) for key in runs}, key=str)
    print(f"{len(labs)} family lab(s) x metal from {len(args.files)} file(s): {', '.join(f'{s}/{m}' for s, m in labs)}")
    distributions = {method: distribution(values) for method, values in reached.items()}
    print_distribution("experiments to 90% of each lab's optimum, over the finished runs", distributions,
                       {method: sorted(values)[len(values) // 2] for method, values in seconds.items()})
    print_family_verdict(distributions)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
