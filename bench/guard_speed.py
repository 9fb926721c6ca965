"""How soon the physics guard drops physics that is wrong for a lab (issue 24: within two batches).

    python -m bench.guard_speed                       # held-out family labs 0-19, Li and Na, 3 seeds
    python -m bench.guard_speed --family-seeds 0-9 --seeds 2

For each lab and metal, the physics is *wrong* where the lab's best recipe is more than 2× thinner or
thicker than the prior's thickness scale (Li 6.4, Na 5.0 nm), *right* where within 1.5×. Each seed
runs two batches of 4 with physics on and records whether the guard kept it after each batch.
Target: wrong physics dropped after two batches in ≥ 90 % of runs; right physics kept in most.
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict

from interlayer.evaluation.closed_loop import InterlayerPlanner, run_loop, truth_table
from interlayer.evaluation.labs import LabFamily, resolve_lab
from interlayer.evaluation.runner import seed_list
from interlayer.models.recipe import Recipe
from interlayer.surrogate.physics import SuppressionPrior
from interlayer.surrogate.simulations import LocalSimulations
from interlayer.surrogate.space import DesignSpace

BATCH = 4


def optimum_thickness_nm(lab, space: DesignSpace) -> float:
    table = truth_table(lab, space)
    best = max(table, key=table.get)
    return Recipe(space.metal, *best).thickness_nm


def kept_per_batch(lab, space: DesignSpace, seed: int, batches: int = 2) -> list[bool]:
    planner = InterlayerPlanner(space, seed)
    kept = []
    for _ in run_loop(planner, lab, space, budget=batches * BATCH, batch=BATCH, seed=seed):
        kept.append(planner.campaign.recommend().hyperparameters["physics"])
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.guard_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--family-seeds", default="0-19")
    parser.add_argument("--metal", default="Li,Na")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    family: LabFamily = resolve_lab("interlayer.evaluation.labs:family")
    prior, simulations = SuppressionPrior(), LocalSimulations()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])   # runs, kept after batch 1, after batch 2
    for metal in args.metal.split(","):
        space = DesignSpace(metal)
        recipes = space.recipes()
        scale_nm = prior.thickness_scale_nm(metal, recipes, simulations.results(prior.requests(metal, recipes)))
        for lab_seed in seed_list(args.family_seeds):
            lab = family.lab(lab_seed)
            off = abs(math.log(optimum_thickness_nm(lab, space) / scale_nm))
            verdict = "wrong" if off > math.log(2.0) else "right" if off < math.log(1.5) else "between"
            for seed in range(args.seeds):
                kept = kept_per_batch(lab, space, seed)
                tally = counts[f"{verdict} {metal}"]
                tally[0] += 1
                tally[1] += kept[0]
                tally[2] += kept[1]
            print(f"  family {lab_seed:3d} {metal}: optimum {optimum_thickness_nm(lab, space):5.1f} nm, physics "
                  f"{scale_nm:.1f} nm ({verdict})", flush=True)
    print("\nphysics kept after batch 1 / batch 2 (share of runs):")
    for key, (runs, first, second) in sorted(counts.items()):
        print(f"  {key:12s} {runs:3d} runs: {first / runs:.2f} / {second / runs:.2f}")
    wrong = [counts[k] for k in counts if k.startswith("wrong")]
    if wrong:
        runs, dropped = sum(c[0] for c in wrong), sum(c[0] - c[2] for c in wrong)
        print(f"wrong physics dropped within two batches: {dropped}/{runs} = {dropped / runs:.2f} "
              f"(target ≥ 0.90): {'met' if dropped >= 0.9 * runs else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
