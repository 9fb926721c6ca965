"""Issue 15's figures: Pareto pairs, outcome constraints, failed cells, test conditions, and ask(4)'s speed.

    python -m bench.outcomes --seeds 10                  # every figure
    python -m bench.outcomes --only pareto,speed --seeds 3

- pareto: experiments until the recommended set's true hypervolume reaches 90 % of the true front's
  (budget 40, batches of 4), Interlayer (EHVI) against random search recommending its observed front
  and, when installed, BayBE's Pareto campaign (qLogNEHVI).
- constraint: once 16 cells are in, in how many seeds the recommended recipe truly satisfies the
  constraint, and its true lifetime over the best truly feasible one (median).
- failures: on a lab where ≈15 % of the space does not coat, the cells spent on failing recipes by
  the campaign that learns from failed cells and by the same campaign blind to them, and experiments to 90 %.
- conditions: a campaign at 3 mA cm⁻² alone, given a finished campaign's 32 cells at 1 mA cm⁻² on the
  same lab, and given 32 cells of an unrelated lab: experiments to 90 % of the optimum.
- speed: ask(4) with two objectives and 100 cells over the default (~2,300) and a ~50,000-recipe space.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from interlayer.evaluation.baselines import BaybeParetoPlanner
from interlayer.evaluation.benchmark import run_jobs
from interlayer.evaluation.closed_loop import CellResult, InterlayerPlanner, as_measurement, cell_result, cell_rng
from interlayer.evaluation.outcome_labs import condition_lab, failing_lab, pareto_lab, unrelated_condition_lab
from interlayer.evaluation.outcome_scores import at, experiments_to, score_row, truth
from interlayer.evaluation.report import run_cli
from interlayer.surrogate.campaign import Campaign
from interlayer.surrogate.objective import Objective
from interlayer.surrogate.pareto import front
from interlayer.surrogate.simulations import LocalSimulations
from interlayer.surrogate.space import DesignSpace

from .surrogate_speed import SPACES

PARETO = Objective.parse("lifetime,overpotential")


def baybe_available() -> bool:
    try:
        import baybe  # noqa: F401
    except ImportError:
        return False
    return True
PARETO_TARGET = 24
SPEED_TARGETS = {"default": 3.0, "large": 15.0}


class RandomParetoPlanner:
    """Uniform draws without replacement; recommends the observed non-dominated cells."""

    def __init__(self, space: DesignSpace, seed: int, **_):
        recipes = space.recipes()
        self.queue = [recipes[i] for i in np.random.default_rng(seed).permutation(len(recipes))]
        self.cells: list[CellResult] = []
        self.pareto = ()

    def ask(self, count):
        batch, self.queue = self.queue[:count], self.queue[count:]
        return batch

    def tell(self, results):
        self.cells.extend(r for r in results if not r.failed)

    def recommend(self):
        points = np.array([(np.log(c.lifetime_h), -np.log(c.overpotential_mv)) for c in self.cells])
        self.pareto = tuple(self.cells[i].recipe for i in front(points))
        return self.pareto[0]


def scored_runs(jobs: list[dict], lab, objective: Objective, workers: int, condition=None) -> dict[str, list[list[dict]]]:
    runs = run_jobs(jobs, workers)
    world = truth(lab, DesignSpace(jobs[0]["metal"]), objective, condition)
    out: dict[str, list] = {}
    for rows in runs:
        out.setdefault(rows[0]["method"], []).append([score_row(row, world) for row in rows])
    return out


def job(lab, metal, method, seed, budget, options, planner=InterlayerPlanner, **extra) -> dict:
    return {"lab": lab, "metal": metal, "space": {}, "method": method, "planner": planner, "options": options,
            "seed": seed, "budget": budget, "batch": 4, **extra}


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def pareto_figure(args) -> None:
    for metal in args.metals:
        jobs = [job(pareto_lab, metal, "interlayer", s, 40, {"objective": PARETO}) for s in range(args.seeds)]
        jobs += [job(pareto_lab, metal, "random", s, 40, {}, RandomParetoPlanner) for s in range(args.seeds)]
        baybe = baybe_available() and not args.no_baybe
        if args.baybe_counts:
            baybe = False
            print(f"  BayBE's Pareto campaign: per-seed figures of an earlier run of this bench: {args.baybe_counts}")
        if baybe:
            jobs += [job(pareto_lab, metal, "baybe", s, 40, {}, BaybeParetoPlanner) for s in range(args.seeds)]
        runs = scored_runs(jobs, pareto_lab, PARETO, args.workers)
        counts = {m: [experiments_to(rows, "hypervolume_fraction", 40, 4) for rows in r] for m, r in runs.items()}
        ours, theirs = statistics.median(counts["interlayer"]), statistics.median(counts["random"])
        print(f"pareto ({metal}, pareto_lab, budget 40, batch 4, {args.seeds} seeds): experiments to 90% of the true front's "
              f"hypervolume, median (per seed)")
        for method, values in counts.items():
            print(f"  {method:<11} {statistics.median(values):>5g}   ({' '.join(map(str, values))})")
        print(f"  target: Interlayer <= {PARETO_TARGET}: {ours:g} -> {verdict(ours <= PARETO_TARGET)}; "
              f"fewer than random search's observed front: {ours:g} vs {theirs:g} -> {verdict(ours < theirs)}")
        if args.baybe_counts:
            counts["baybe"] = [int(v) for v in args.baybe_counts.split()]
        if "baybe" in counts:
            bb = statistics.median(counts["baybe"])
            print(f"  target: fewer than BayBE's Pareto campaign (qLogNEHVI) on the same lab and seeds: {ours:g} vs {bb:g} "
                  f"-> {verdict(ours < bb)}")
        else:
            print("  BayBE's Pareto campaign (qLogNEHVI): not run (pip install baybe, which needs torch)")


def constraint_figure(args) -> None:
    lab, metal, objective = pareto_lab, args.constraint_metal, Objective.parse("lifetime", args.constraint)
    jobs = [job(lab, metal, "interlayer", s, 16, {"objective": objective}) for s in range(args.seeds)]
    runs = scored_runs(jobs, lab, objective, args.workers)["interlayer"]
    final = [at(rows, 16) for rows in runs]
    satisfied = sum(r["constraint_satisfied"] for r in final)
    ratio = statistics.median(r["fraction_of_optimum"] for r in final)
    print(f"constraint ({metal}, pareto_lab, {objective.constraint}: {truth(lab, DesignSpace(metal), objective).optimum_h:.0f} h "
          f"is the best truly feasible lifetime; {args.seeds} seeds, at 16 cells)")
    print(f"  recommendation satisfies the true constraint: {satisfied}/{len(final)} seeds "
          f"-> {verdict(satisfied >= 0.95 * len(final))} (target >= 95 %)")
    print(f"  true lifetime / best feasible, median: {ratio:.3f} -> {verdict(ratio >= 0.9)} (target >= 0.90); per seed "
          + " ".join(f"{r['fraction_of_optimum']:.2f}" for r in final))


def failures_figure(args) -> None:
    lab, metal = failing_lab, "Na"
    objective = Objective()
    budget = args.failure_budget
    jobs = [job(lab, metal, name, s, budget, {"learn_failures": name == "aware"}) for name in ("aware", "blind")
            for s in range(args.seeds)]
    runs = scored_runs(jobs, lab, objective, args.workers)
    failed = {m: [rows[-1].get("failed_cells", 0) for rows in r] for m, r in runs.items()}
    reached = [experiments_to(rows, "fraction_of_optimum", budget, 4) for rows in runs["aware"]]
    aware, blind = sum(failed["aware"]), sum(failed["blind"])
    print(f"failures ({metal}, failing_lab: {100 * (1 - np.mean(list(truth(lab, DesignSpace(metal), objective).feasible.values()))):.1f} % "
          f"of the space does not coat; budget {budget}, {args.seeds} seeds)")
    print(f"  cells on failing recipes, aware: {aware} ({' '.join(map(str, failed['aware']))}); blind: {blind} "
          f"({' '.join(map(str, failed['blind']))}) -> {verdict(aware <= 0.5 * blind)} (target: at most half)")
    print(f"  aware: experiments to 90% of the feasible optimum, median {statistics.median(reached):g} "
          f"({' '.join(map(str, reached))}) -> {verdict(statistics.median(reached) <= 16)} (target <= 16)")


def conditions_figure(args) -> None:
    metal, target, budget = args.condition_metal, (3.0, 1.0), 32
    options = {"condition": target}
    jobs = []
    for s in range(args.seeds):
        jobs.append(job(condition_lab, metal, "alone", s, budget, options, condition=target))
        jobs.append(job(condition_lab, metal, "related 1 mA", s, budget, options, condition=target,
                        related_condition=(1.0, 1.0), related_budget=32))
        jobs.append(job(condition_lab, metal, "unrelated", s, budget, options, condition=target,
                        related_condition=(1.0, 1.0), related_budget=32, related_lab=unrelated_condition_lab))
    runs = scored_runs(jobs, condition_lab, Objective(), args.workers, target)
    counts = {m: [experiments_to(rows, "fraction_of_optimum", budget, 4) for rows in r] for m, r in runs.items()}
    medians = {m: statistics.median(v) for m, v in counts.items()}
    print(f"conditions ({metal}, condition_lab at 3 mA/cm2, 1 mAh/cm2, budget {budget}, {args.seeds} seeds): experiments to 90%")
    for method, values in counts.items():
        print(f"  {method:<13} {medians[method]:>5g}   ({' '.join(map(str, values))})")
    print(f"  target: related cells fewer than alone: {medians['related 1 mA']:g} vs {medians['alone']:g} "
          f"-> {verdict(medians['related 1 mA'] < medians['alone'])}; unrelated no worse: {medians['unrelated']:g} vs "
          f"{medians['alone']:g} -> {verdict(medians['unrelated'] <= medians['alone'])}")


def speed_figure(args) -> None:
    for name, (options, _) in SPACES.items():
        space = DesignSpace("Li", **options)
        simulations = LocalSimulations()
        simulations.results(Campaign(space, seed=0, simulations=simulations).simulation_requests())
        times = []
        for repeat in range(args.repeats):
            recipes = space.recipes()
            rng = np.random.default_rng(repeat)
            cells = [cell_result(pareto_lab, "Li", recipes[i], cell_rng(repeat, recipes[i], 0), None)
                     for i in rng.permutation(len(recipes))[:100]]
            campaign = Campaign(space, seed=repeat, simulations=simulations, objective=PARETO)
            campaign.tell([as_measurement(c) for c in cells])
            started = time.perf_counter()
            campaign.ask(4)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"speed: ask(4), two objectives, 100 cells, {len(space.recipes())} recipes: {median:.2f} s (median of "
              f"{args.repeats}) -> {verdict(median <= SPEED_TARGETS[name])} (target <= {SPEED_TARGETS[name]:g} s)")


def baybe_figure(args) -> None:
    """BayBE's Pareto campaign alone, each seed's figure printed as it comes (it is slow: minutes a seed);
    give them to ``--only pareto --baybe-counts``."""
    from interlayer.evaluation.benchmark import run_method
    for metal in args.metals:
        world = truth(pareto_lab, DesignSpace(metal), PARETO)
        counts = []
        for seed in range(args.seeds):
            rows = [score_row(row, world) for row in run_method(job(pareto_lab, metal, "baybe", seed, 40, {}, BaybeParetoPlanner))]
            counts.append(experiments_to(rows, "hypervolume_fraction", 40, 4))
            print(f"baybe ({metal}) seed {seed}: {counts[-1]} experiments to 90% of the true front's hypervolume", flush=True)
        print(f"baybe ({metal}): median {statistics.median(counts):g} ({' '.join(map(str, counts))})", flush=True)


FIGURES = {"pareto": pareto_figure, "constraint": constraint_figure, "failures": failures_figure,
           "conditions": conditions_figure, "speed": speed_figure, "baybe": baybe_figure}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.outcomes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--only", default=",".join(FIGURES), help="comma-separated subset of " + ", ".join(FIGURES))
    parser.add_argument("--metals", default="Li", help="metals of the Pareto figure")
    parser.add_argument("--condition-metal", default="Na")
    parser.add_argument("--constraint", default="overpotential_mv<=60")
    parser.add_argument("--failure-budget", type=int, default=16, help="cells per campaign in the failures figure")
    parser.add_argument("--constraint-metal", default="Li")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-baybe", action="store_true", help="skip BayBE's Pareto campaign even when installed")
    parser.add_argument("--baybe-counts", default=None,
                        help="BayBE's per-seed experiments to 90 %% from an earlier run (space-separated), instead of rerunning it")
    args = parser.parse_args(argv)
    args.metals = args.metals.split(",")
    for name in args.only.split(","):
        started = time.perf_counter()
        FIGURES[name](args)
        print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
