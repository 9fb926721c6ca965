"""Closed-loop benchmark: Interlayer against random search, scikit-optimize's GP and Optuna's TPE.

    python -m bench.closed_loop --lab interlayer.surrogate.labs:paper_lab --metal Na --budget 32 --batch 4 --seeds 10

Every method runs on the same lab and seeds. After each batch the method's recommended recipe is
scored with the lab's noise-free truth (when the lab has ``.truth``): the figure is the number of
experiments until the recommendation reaches 90 % of the optimum over the space (median over
seeds; never within the budget counts as budget + batch), and the fraction of the optimum
reached at 8, 16 and 32 experiments. Baselines recommend their best observed recipe (a censored
cell counts as its bound); Interlayer recommends ``Campaign.recommend().recipe``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from multiprocessing import Pool

import numpy as np

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe
from interlayer.surrogate.closed_loop import CellResult, InterlayerPlanner, run_loop, truth_table
from interlayer.surrogate.labs import resolve_lab
from interlayer.surrogate.space import DesignSpace

TARGET_FRACTION = 0.9
CHECKPOINTS = (8, 16, 32)
# Issue 4: Interlayer needs at most this many experiments (median) and half those of the best baseline.
TARGET_EXPERIMENTS = 16
TARGET_SPEEDUP = 2.0


class BestObserved:
    """Baselines recommend the recipe with the longest observed lifetime (a censored cell as its bound)."""

    def __init__(self):
        self.best: CellResult | None = None

    def observe(self, results: list[CellResult]) -> None:
        for result in results:
            if self.best is None or result.lifetime_h > self.best.lifetime_h:
                self.best = result

    def recommend(self) -> Recipe:
        return self.best.recipe


class RandomPlanner(BestObserved):
    """Uniform draws from the enumerated recipes, without replacement."""

    def __init__(self, space: DesignSpace, seed: int):
        super().__init__()
        recipes = space.recipes()
        order = np.random.default_rng(seed).permutation(len(recipes))
        self.queue = [recipes[i] for i in order]

    def ask(self, count: int) -> list[Recipe]:
        batch, self.queue = self.queue[:count], self.queue[count:]
        return batch

    def tell(self, results: list[CellResult]) -> None:
        self.observe(results)


class SkoptPlanner(BestObserved):
    """scikit-optimize's GP Optimizer on (a, b, n) with the space's feasibility as a constraint; batches by cl_min."""

    def __init__(self, space: DesignSpace, seed: int):
        from skopt import Optimizer
        super().__init__()
        self.space = space
        feasible = {(r.ald_cycles, r.mld_cycles, r.supercycles) for r in space.recipes()}
        self.optimizer = Optimizer(space.skopt_space.dimensions, base_estimator="gp", random_state=seed,
                                   space_constraint=lambda x: tuple(int(v) for v in x) in feasible)

    def ask(self, count: int) -> list[Recipe]:
        with warnings.catch_warnings():
            # skopt warns when it swaps a repeated point for a random one; that is its documented behaviour
            warnings.simplefilter("ignore", UserWarning)
            points = self.optimizer.ask(n_points=count, strategy="cl_min")
        return [Recipe(self.space.metal, *(int(v) for v in p)) for p in points]

    def tell(self, results: list[CellResult]) -> None:
        self.observe(results)
        # skopt minimizes: the objective is -ln(lifetime), a censored cell at its bound
        self.optimizer.tell([[r.recipe.ald_cycles, r.recipe.mld_cycles, r.recipe.supercycles] for r in results],
                            [-math.log(r.lifetime_h) for r in results])


class OptunaPlanner(BestObserved):
    """Optuna's TPE (constant liar for pending trials); n ranges over the supercycles that keep the thickness in band."""

    def __init__(self, space: DesignSpace, seed: int):
        import optuna
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        super().__init__()
        self.space = space
        self.study = optuna.create_study(direction="maximize",
                                         sampler=optuna.samplers.TPESampler(seed=seed, constant_liar=True))
        self.supercycles = {}
        for r in space.recipes():
            low, high = self.supercycles.get((r.ald_cycles, r.mld_cycles), (r.supercycles, r.supercycles))
            self.supercycles[(r.ald_cycles, r.mld_cycles)] = (min(low, r.supercycles), max(high, r.supercycles))
        self.pending = []

    def _suggest(self, trial) -> Recipe:
        units = sorted(self.supercycles)
        a = trial.suggest_int("ald_cycles", min(u[0] for u in units), max(u[0] for u in units))
        b = trial.suggest_int("mld_cycles", min(u[1] for u in units), max(u[1] for u in units))
        if (a, b) not in self.supercycles:
            # a unit with no feasible thickness: take the nearest feasible unit
            a, b = min(units, key=lambda u: (u[0] - a) ** 2 + (u[1] - b) ** 2)
        low, high = self.supercycles[(a, b)]
        return Recipe(self.space.metal, a, b, trial.suggest_int(f"supercycles_{a}_{b}", low, high))

    def ask(self, count: int) -> list[Recipe]:
        self.pending = [self.study.ask() for _ in range(count)]
        return [self._suggest(trial) for trial in self.pending]

    def tell(self, results: list[CellResult]) -> None:
        self.observe(results)
        for trial, result in zip(self.pending, results):
            self.study.tell(trial, math.log(result.lifetime_h))
        self.pending = []


PLANNERS = {"interlayer": InterlayerPlanner, "random": RandomPlanner, "skopt-gp": SkoptPlanner,
            "optuna-tpe": OptunaPlanner}
BASELINES = ("random", "skopt-gp", "optuna-tpe")


def run_method(job: dict) -> list[dict]:
    """One method on one seed, one row per round.

    ``job``: lab (module:function or the lab itself), metal, space (DesignSpace options), method (a
    name in PLANNERS, or any label when ``planner`` gives the class), seed, budget, batch, options
    (passed to the planner).
    """
    lab = resolve_lab(job["lab"]) if isinstance(job["lab"], str) else job["lab"]
    space = DesignSpace(job["metal"], **job["space"])
    planner = job.get("planner", PLANNERS.get(job["method"]))(space, job["seed"], **job.get("options", {}))
    rows = []
    started = time.perf_counter()
    for step in run_loop(planner, lab, space, budget=job["budget"], batch=job["batch"], seed=job["seed"]):
        recipe = step.recommended
        rows.append({"method": job["method"], "seed": job["seed"], "round": step.round,
                     "experiments": step.experiments, "ald_cycles": recipe.ald_cycles,
                     "mld_cycles": recipe.mld_cycles, "supercycles": recipe.supercycles,
                     "elapsed_s": round(time.perf_counter() - started, 3)})
    return rows


def run_jobs(jobs: list[dict], workers: int = 1, function=run_method) -> list:
    """``function`` over ``jobs``, in ``workers`` processes when more than one."""
    if workers <= 1:
        return [function(job) for job in jobs]
    with Pool(workers) as pool:
        return pool.map(function, jobs, chunksize=1)


def score(rows: list[dict], table: dict, budget: int, batch: int) -> dict:
    """Experiments to 90 % of the optimum and the fraction reached at the checkpoints, for one method and seed."""
    optimum_h = max(table.values())
    fractions = [(row["experiments"], table[(row["ald_cycles"], row["mld_cycles"], row["supercycles"])] / optimum_h)
                 for row in rows]
    reached = [used for used, fraction in fractions if fraction >= TARGET_FRACTION]
    at = {}
    for checkpoint in CHECKPOINTS:
        before = [fraction for used, fraction in fractions if used <= checkpoint]
        at[checkpoint] = before[-1] if before and checkpoint <= budget else float("nan")
    return {"to_target": reached[0] if reached else budget + batch, "at": at, "elapsed_s": rows[-1].get("elapsed_s", float("nan"))}


def summarize(scores: list[dict]) -> dict:
    """Medians over seeds."""
    return {"to_target": float(np.median([s["to_target"] for s in scores])), "per_seed": [s["to_target"] for s in scores],
            "at": {c: float(np.median([s["at"][c] for s in scores])) for c in CHECKPOINTS},
            "elapsed_s": float(np.median([s["elapsed_s"] for s in scores]))}


def print_table(title: str, summaries: dict[str, dict], budget: int, batch: int) -> None:
    print(title)
    print(f"{'method':<14} {'exp. to 90% (median)':>21} " + " ".join(f"{'@' + str(c):>7}" for c in CHECKPOINTS)
          + f" {'s/run':>7}")
    for method, summary in summaries.items():
        to_target = summary["to_target"]
        shown = f"{to_target:g}" if to_target < budget + batch else f"> {budget} ({to_target:g})"
        print(f"{method:<14} {shown:>21} " + " ".join(f"{summary['at'][c]:>7.2f}" for c in CHECKPOINTS)
              + f" {summary['elapsed_s']:>7.1f}")
    for method, summary in summaries.items():
        print(f"{method:<14} experiments to 90% per seed: {' '.join(f'{n:g}' for n in summary['per_seed'])}")


def print_verdict(summaries: dict[str, dict], budget: int, batch: int) -> None:
    ours = summaries["interlayer"]["to_target"]
    baselines = [summaries[m]["to_target"] for m in BASELINES if m in summaries]
    print(f"target: Interlayer median experiments to 90% <= {TARGET_EXPERIMENTS}: {ours:g} "
          f"-> {'met' if ours <= TARGET_EXPERIMENTS else 'MISSED'}")
    if baselines:
        best = min(baselines)
        note = " (best baseline never reached 90%: a lower bound)" if best >= budget + batch else ""
        print(f"target: >= {TARGET_SPEEDUP:g}x fewer than the best baseline ({best:g}): {best / ours:.2f}x "
              f"-> {'met' if best / ours >= TARGET_SPEEDUP else 'MISSED'}{note}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.closed_loop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="interlayer.surrogate.labs:paper_lab",
                        help="MODULE:FUNCTION, a callable lab(metal, ald_cycles, mld_cycles, supercycles, rng)")
    parser.add_argument("--metal", default="Na")
    parser.add_argument("--budget", type=int, default=32, help="cells per method and seed")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--max-unit", type=int, default=10, help="most ALD (and MLD) cycles per unit")
    parser.add_argument("--max-supercycles", type=int, default=100)
    parser.add_argument("--max-thickness-nm", type=float, default=40.0)
    parser.add_argument("--methods", default=",".join(PLANNERS), help="comma-separated subset of " + ", ".join(PLANNERS))
    parser.add_argument("--workers", type=int, default=1, help="processes (the machine is shared: keep it small)")
    parser.add_argument("--json", action="store_true", help="one JSON line per method, seed and round")
    args = parser.parse_args(argv)
    for name in ("budget", "batch", "seeds", "max_unit", "max_supercycles", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    unknown = set(args.methods.split(",")) - set(PLANNERS)
    if unknown:
        parser.error(f"unknown method(s) {', '.join(sorted(unknown))}; known: {', '.join(PLANNERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # a lab named MODULE:FUNCTION may live in the current directory
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    lab = resolve_lab(args.lab)
    space_options = {"max_ald_cycles": args.max_unit, "max_mld_cycles": args.max_unit,
                     "max_supercycles": args.max_supercycles, "max_thickness_nm": args.max_thickness_nm}
    space = DesignSpace(args.metal, **space_options)
    methods = args.methods.split(",")
    jobs = [{"lab": args.lab, "metal": args.metal, "space": space_options, "method": method, "seed": seed,
             "budget": args.budget, "batch": args.batch} for method in methods for seed in range(args.seeds)]
    started = time.perf_counter()
    runs = run_jobs(jobs, args.workers)
    elapsed_s = time.perf_counter() - started
    table = truth_table(lab, space) if hasattr(lab, "truth") else None
    if args.json:
        optimum_h = max(table.values()) if table is not None else None
        for rows in runs:
            for row in rows:
                if table is not None:
                    key = (row["ald_cycles"], row["mld_cycles"], row["supercycles"])
                    row = dict(row, fraction_of_optimum=table[key] / optimum_h)
                print(json.dumps(row))
        return 0
    print(f"lab {args.lab}, metal {args.metal}, {len(space.recipes())} recipes, budget {args.budget}, "
          f"batch {args.batch}, {args.seeds} seeds ({elapsed_s:.0f} s)")
    if table is None:
        print("the lab has no .truth: recommendations only")
        for rows in runs:
            last = rows[-1]
            print(f"{last['method']:<14} seed {last['seed']}: "
                  f"{Recipe(args.metal, last['ald_cycles'], last['mld_cycles'], last['supercycles'])}")
        return 0
    best = max(table, key=table.get)
    print(f"optimum {Recipe(args.metal, *best)}: {table[best]:.0f} h")
    summaries = {method: summarize([score(rows, table, args.budget, args.batch)
                                    for rows in runs if rows[0]["method"] == method]) for method in methods}
    print_table("median over seeds: experiments to 90% of the optimum, fraction of the optimum at 8/16/32 experiments",
                summaries, args.budget, args.batch)
    if "interlayer" in summaries:
        print_verdict(summaries, args.budget, args.batch)
    return 0


def run_cli(main_function) -> int:
    """Run a bench's ``main``; bad input becomes one line on stderr and exit code 2."""
    try:
        return main_function()
    except InterlayerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
