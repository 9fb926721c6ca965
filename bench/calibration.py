"""Calibration: do 90 % predictive intervals cover 80–97 % of held-out cells?

    python -m bench.calibration --seeds 5

For each simulated lab, metal and seed a campaign is told ``--train`` cells (censored at the lab's
cutoff as usual) at recipes drawn at random ("random"), or the cells of its own closed loop
("loop"). Then ``--held-out`` new cells at other random recipes are drawn from the same lab with no
cutoff, so each has a lifetime, and ``Campaign.predict`` gives each recipe's 90 % interval for a
new cell. Coverage is the fraction of held-out cells inside their interval.
"""

from __future__ import annotations

import argparse

import numpy as np

from interlayer.evaluation.benchmark import run_jobs
from interlayer.evaluation.closed_loop import InterlayerPlanner, cell_rng, run_loop
from interlayer.evaluation.labs import LABS
from interlayer.evaluation.report import run_cli
from interlayer.surrogate.measurement import Measurement
from interlayer.surrogate.space import DesignSpace

TARGET = (0.80, 0.97)
HELD_OUT_SEED = 10**6


def coverage_job(job: dict) -> tuple[int, int]:
    """(covered, total) held-out cells for one lab, metal and seed."""
    lab, metal, seed = LABS[job["lab"]], job["metal"], job["seed"]
    space = DesignSpace(metal)
    recipes = space.recipes()
    order = np.random.default_rng(seed).permutation(len(recipes))
    planner = InterlayerPlanner(space, seed)
    if job["design"] == "loop":
        for _ in run_loop(planner, lab, space, budget=job["train"], batch=4, seed=seed):
            pass
    else:
        cells = []
        for i in order[:job["train"]]:
            r = recipes[i]
            lifetime_h, censored = lab(metal, r.ald_cycles, r.mld_cycles, r.supercycles, cell_rng(seed, r, 0))
            cells.append(Measurement(r, lifetime_h, censored))
        planner.campaign.tell(cells)
    measured = {m.recipe for m in planner.campaign.measurements}
    held = [recipes[i] for i in order[job["train"]:] if recipes[i] not in measured][:job["held_out"]]
    truthful = lab.uncensored()
    covered = 0
    for recipe, prediction in zip(held, planner.campaign.predict(held)):
        lifetime_h, _ = truthful(metal, recipe.ald_cycles, recipe.mld_cycles, recipe.supercycles,
                                 cell_rng(HELD_OUT_SEED + seed, recipe, 0))
        low_h, high_h = prediction["interval_h"]
        covered += low_h <= lifetime_h <= high_h
    return covered, len(held)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calibration", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--train", type=int, default=24)
    parser.add_argument("--held-out", type=int, default=100)
    parser.add_argument("--design", choices=("random", "loop"), default="random")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    keys = [(lab, metal) for lab in LABS for metal in ("Na", "Li")]
    jobs = [{"lab": lab, "metal": metal, "seed": seed, "train": args.train, "held_out": args.held_out,
             "design": args.design} for lab, metal in keys for seed in range(args.seeds)]
    results = run_jobs(jobs, args.workers, coverage_job)
    print(f"90% intervals, {args.train} training cells ({args.design}), {args.held_out} held-out cells x {args.seeds} seeds")
    totals = np.zeros(2)
    for lab, metal in keys:
        mine = np.array([r for job, r in zip(jobs, results) if (job["lab"], job["metal"]) == (lab, metal)]).sum(axis=0)
        totals += mine
        print(f"  {lab:<24} {metal}: coverage {mine[0] / mine[1]:.3f} ({mine[0]}/{mine[1]})")
    coverage = totals[0] / totals[1]
    inside = TARGET[0] <= coverage <= TARGET[1]
    print(f"target: overall coverage in [{TARGET[0]:.2f}, {TARGET[1]:.2f}]: {coverage:.3f} -> {'met' if inside else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
