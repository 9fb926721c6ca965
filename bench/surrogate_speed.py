"""Speed of the surrogate: ask(4) and recommend() with 100 measurements.

    python -m bench.surrogate_speed

Targets (issue 4): ask(4) ≤ 2 s over the default ~2,300-recipe space, ≤ 10 s over a ~50,000-recipe
space; recommend() ≤ 0.5 s, also right after a new cell (a refit). The physics simulations are run
once beforehand and handed to the campaign, as the service does (they are cached jobs); everything
else is timed: the campaign is fresh, so ask(4) includes the physics index over the space, the GP
fit, the physics guard and the acquisition. recommend() is timed after ask (the fit is shared) and
cold (one more cell told first: a refit).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from interlayer.evaluation.closed_loop import cell_rng
from interlayer.evaluation.labs import paper_lab
from interlayer.evaluation.report import run_cli
from interlayer.surrogate.campaign import Campaign
from interlayer.surrogate.measurement import Measurement
from interlayer.surrogate.simulations import LocalSimulations
from interlayer.surrogate.space import DesignSpace

SPACES = {
    "default": ({}, 2.0),
    # a, b ≤ 30, n ≤ 1000, h ≤ 255 nm: about 50,000 recipes
    "large": ({"max_ald_cycles": 30, "max_mld_cycles": 30, "max_supercycles": 1000, "max_thickness_nm": 255.0}, 10.0),
}
RECOMMEND_TARGET_S = 0.5


def cells(space: DesignSpace, count: int, seed: int) -> list[Measurement]:
    """``count`` cells from the paper lab at distinct random recipes (censored at its cutoff)."""
    recipes = space.recipes()
    out = []
    for i in np.random.default_rng(seed).permutation(len(recipes))[:count]:
        r = recipes[i]
        lifetime_h, censored = paper_lab(space.metal, r.ald_cycles, r.mld_cycles, r.supercycles, cell_rng(seed, r, 0))
        out.append(Measurement(r, lifetime_h, censored))
    return out


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.surrogate_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--metal", default="Li")
    parser.add_argument("--measurements", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    met = True
    for name, (options, ask_target_s) in SPACES.items():
        space = DesignSpace(args.metal, **options)
        simulations = LocalSimulations()
        started = time.perf_counter()
        requested = simulations.results(Campaign(space, seed=0, simulations=simulations).simulation_requests())
        simulation_s = time.perf_counter() - started
        asks, warm, cold = [], [], []
        for repeat in range(args.repeats):
            data = cells(space, args.measurements + 1, seed=repeat)
            campaign = Campaign(space, seed=repeat, simulations=simulations)
            campaign.tell(data[:-1])
            asks.append(timed(lambda: campaign.ask(4)))
            warm.append(timed(campaign.recommend))
            campaign.tell(data[-1:])
            cold.append(timed(campaign.recommend))
        ask_s, warm_s, cold_s = (statistics.median(t) for t in (asks, warm, cold))
        print(f"{name} space: {len(space.recipes())} recipes, {args.measurements} measurements "
              f"({len(requested)} physics simulations run once beforehand: {simulation_s:.1f} s)")
        print(f"  ask(4), fresh campaign:     {ask_s:6.2f} s   target <= {ask_target_s:g} s  -> {'met' if ask_s <= ask_target_s else 'MISSED'}")
        print(f"  recommend() after ask:      {warm_s:6.2f} s   target <= {RECOMMEND_TARGET_S:g} s -> "
              f"{'met' if warm_s <= RECOMMEND_TARGET_S else 'MISSED'}")
        print(f"  recommend() after new cell: {cold_s:6.2f} s   target <= {RECOMMEND_TARGET_S:g} s -> "
              f"{'met' if cold_s <= RECOMMEND_TARGET_S else 'MISSED'} (includes the refit and the physics guard)")
        met &= ask_s <= ask_target_s and warm_s <= RECOMMEND_TARGET_S and cold_s <= RECOMMEND_TARGET_S
    print(f"speed targets: {'met' if met else 'MISSED'} (median of {args.repeats} repeats)")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
