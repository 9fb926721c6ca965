"""Censoring matters: Tobit against "bound as value" and "drop censored" on the heavy-censoring lab.

    python -m bench.censoring --seeds 10

The same Interlayer campaign runs three times per seed; only what it is told about a censored cell
differs. "tobit": the cell as it is (a lower bound, P(y > bound)). "as_value": the bound told as
if the cell had shorted then. "drop": censored cells are never told (a recipe may then be made
again, which costs a cell, as it would a lab that discards them).

The campaigns run without physics by default: with the physics prior the first batch already sits
near the optimum, before any cell there is censored, so the three treatments reach 90 % in the same
batch and only the likelihood's later course differs (``--physics suppression`` shows it).
"""

from __future__ import annotations

import argparse

from interlayer.evaluation.benchmark import run_jobs, score, summarize
from interlayer.evaluation.closed_loop import CellResult, InterlayerPlanner, truth_table
from interlayer.evaluation.labs import resolve_lab
from interlayer.evaluation.report import print_table, run_cli
from interlayer.surrogate.physics import PRIORS
from interlayer.surrogate.space import DesignSpace

TREATMENTS = ("tobit", "as_value", "drop")


class CensoringPlanner(InterlayerPlanner):
    """Interlayer told censored cells as they are, as exact values, or not at all."""

    def __init__(self, space: DesignSpace, seed: int, treatment: str = "tobit", **options):
        super().__init__(space, seed, **options)
        self.treatment = treatment

    def tell(self, results: list[CellResult]) -> None:
        if self.treatment == "as_value":
            results = [CellResult(r.recipe, r.lifetime_h, False) for r in results]
        elif self.treatment == "drop":
            results = [r for r in results if not r.censored]
        if results:
            super().tell(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.censoring", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="interlayer.evaluation.labs:noisy_lab")
    parser.add_argument("--metals", default="Na,Li")
    parser.add_argument("--budget", type=int, default=32)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--physics", choices=list(PRIORS), default="none", help="the campaigns' physics prior")
    args = parser.parse_args(argv)
    lab = resolve_lab(args.lab)
    physics = PRIORS[args.physics]
    verdicts = []
    for metal in args.metals.split(","):
        space = DesignSpace(metal)
        jobs = [{"lab": args.lab, "metal": metal, "space": {}, "method": treatment, "planner": CensoringPlanner,
                 "options": {"treatment": treatment, "physics": physics}, "seed": seed, "budget": args.budget,
                 "batch": args.batch} for treatment in TREATMENTS for seed in range(args.seeds)]
        runs = run_jobs(jobs, args.workers)
        table = truth_table(lab, space)
        summaries = {t: summarize([score(rows, table, args.budget, args.batch) for rows in runs if rows[0]["method"] == t])
                     for t in TREATMENTS}
        cutoff = f", cutoff {lab.cutoff_h(metal):g} h" if hasattr(lab, "cutoff_h") else ""
        print_table(f"{args.lab} {metal}{cutoff}, physics {args.physics}, optimum {max(table.values()):.0f} h, "
                    f"{args.seeds} seeds: experiments to 90% (median) and fraction of optimum at 8/16/32",
                    summaries, args.budget, args.batch)
        tobit = summaries["tobit"]
        for other in TREATMENTS[1:]:
            fewer = tobit["to_target"] < summaries[other]["to_target"]
            higher = tobit["at"][32] > summaries[other]["at"][32]
            tie = tobit["to_target"] == summaries[other]["to_target"]
            beats = fewer or (tie and higher)
            verdicts.append(beats)
            print(f"  target: tobit beats {other}: {tobit['to_target']:g} vs {summaries[other]['to_target']:g} experiments, "
                  f"{tobit['at'][32]:.2f} vs {summaries[other]['at'][32]:.2f} of optimum at 32 -> {'met' if beats else 'MISSED'}")
        print()
    print(f"censoring target (tobit beats both, every metal): {'met' if all(verdicts) else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
