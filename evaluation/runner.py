"""The closed-loop runner, ``interlayer closed-loop`` (also ``python -m bench.closed_loop``): Interlayer against
baselines on a simulated lab.

    interlayer closed-loop --lab interlayer.evaluation.labs:paper_lab --metal Na --budget 32 --batch 4 --seeds 10

Every method runs on the same lab and seeds. After each batch the method's recommended recipe is
scored with the lab's noise-free truth (when the lab has ``.truth``): the figure is the number of
experiments until the recommendation reaches 90 % of the optimum over the space (median over
seeds; never within the budget counts as budget + batch), and the fraction of the optimum
reached at 8, 16 and 32 experiments. Baselines recommend their best observed recipe (a censored
cell counts as its bound); Interlayer recommends ``Campaign.recommend().recipe``. ``--lab`` takes
any ``MODULE:FUNCTION`` importable from the current directory.

A lab family (``--lab interlayer.evaluation.labs:family --family-seeds 0-49 --metal Li,Na``) runs every
method on each of the family's labs, metals and seeds, and prints the distribution over them: median,
75th and 90th percentile of experiments to 90 %, and the share of runs solved within 16 and 32.
Family seeds 100-149 are the tuning slice; 0-49 are held out (never tuned on) and carry the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from interlayer.models.recipe import Recipe
from interlayer.surrogate.condition import Condition, ConditionError
from interlayer.surrogate.objective import Objective, ObjectiveError
from interlayer.surrogate.space import DesignSpace

from .benchmark import DEFAULT_METHODS, PLANNERS, distribution, run_jobs, score, summarize
from .closed_loop import truth_table
from .labs import HELD_OUT_FAMILY_SEEDS, TUNING_FAMILY_SEEDS, LabError, LabFamily, resolve_lab
from .outcome_scores import experiments_to, score_row, truth
from .report import print_distribution, print_family_verdict, print_table, print_verdict


def seed_list(text: str) -> list[int]:
    """``"0-49"``, ``"0-9,100-109"`` or ``"7"`` as a sorted list of distinct seeds."""
    seeds: set[int] = set()
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"{part!r} is neither a seed nor a range like 0-49")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"range {part!r} runs backwards")
        seeds.update(range(first, last + 1))
    return sorted(seeds)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="interlayer closed-loop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="interlayer.evaluation.labs:paper_lab",
                        help="MODULE:FUNCTION, a callable lab(metal, ald_cycles, mld_cycles, supercycles, rng)")
    parser.add_argument("--metal", default="Na", help="one metal; with a lab family, several: Li,Na")
    parser.add_argument("--budget", type=int, default=32, help="cells per method and seed")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--max-unit", type=int, default=10, help="most ALD (and MLD) cycles per unit")
    parser.add_argument("--max-supercycles", type=int, default=100)
    parser.add_argument("--max-thickness-nm", type=float, default=40.0)
    parser.add_argument("--family-seeds", default=None,
                        help="with a lab family: which of its labs, e.g. 0-49 (held out, never tuned on) or 100-149 (tuning)")
    parser.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                        help="comma-separated subset of " + ", ".join(PLANNERS) + " (baybe, ax: the bench extra and PyTorch)")
    parser.add_argument("--workers", type=int, default=1, help="processes (the machine is shared: keep it small)")
    parser.add_argument("--json", action="store_true", help="one JSON line per method, seed and round")
    parser.add_argument("--objectives", default="lifetime", help="lifetime (default) or lifetime,overpotential (a Pareto pair)")
    parser.add_argument("--constraint", default=None, help="an outcome constraint on lifetime, e.g. 'overpotential_mv<=60'")
    parser.add_argument("--condition", default=None, help="the target test condition CURRENT,CAPACITY (mA/cm2, mAh/cm2)")
    parser.add_argument("--related-condition", default=None,
                        help="first run a campaign of --related-budget cells at this condition; its cells are related data")
    parser.add_argument("--related-budget", type=int, default=32)
    parser.add_argument("--blind-failures", action="store_true", help="the campaign does not learn from failed cells")
    args = parser.parse_args(argv)
    try:
        args.objective = Objective.parse(args.objectives, args.constraint)
        args.target = Condition.parse(args.condition) if args.condition else None
        args.related = Condition.parse(args.related_condition) if args.related_condition else None
    except (ObjectiveError, ConditionError) as error:
        parser.error(f"--{(error.field or 'objectives').split('.')[0].replace('_', '-')}: {error}")
    args.outcomes = not args.objective.plain or args.target is not None or args.related is not None or args.blind_failures
    if args.outcomes and set(args.methods.split(",")) - {"interlayer"}:
        # the baselines optimize lifetime alone, at no condition
        args.methods = "interlayer"
    for name in ("budget", "batch", "seeds", "max_unit", "max_supercycles", "workers", "related_budget"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    unknown = set(args.methods.split(",")) - set(PLANNERS)
    if unknown:
        parser.error(f"unknown method(s) {', '.join(sorted(unknown))}; known: {', '.join(PLANNERS)}")
    if args.family_seeds is not None:
        try:
            args.family_seeds = seed_list(args.family_seeds)
        except ValueError as error:
            parser.error(f"--family-seeds: {error}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # a lab named MODULE:FUNCTION may live in the current directory
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    lab = resolve_lab(args.lab)
    if isinstance(lab, LabFamily) or args.family_seeds is not None:
        return run_family(args, lab)
    space_options = {"max_ald_cycles": args.max_unit, "max_mld_cycles": args.max_unit,
                     "max_supercycles": args.max_supercycles, "max_thickness_nm": args.max_thickness_nm}
    space = DesignSpace(args.metal, **space_options)
    methods = args.methods.split(",")
    jobs = [{"lab": args.lab, "metal": args.metal, "space": space_options, "method": method, "seed": seed,
             "budget": args.budget, "batch": args.batch} for method in methods for seed in range(args.seeds)]
    if args.outcomes or hasattr(lab, "feasible"):
        return outcome_main(args, lab, space, jobs)
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


def outcome_jobs(args, jobs: list[dict]) -> list[dict]:
    """The jobs with the campaign's objective, condition, related condition and failure handling."""
    condition = (args.target.current_ma_cm2, args.target.capacity_mah_cm2) if args.target else None
    options = {"objective": args.objective, "learn_failures": not args.blind_failures}
    if condition:
        options["condition"] = condition
    out = []
    for job in jobs:
        job = dict(job, options=options if job["method"] == "interlayer" else {}, condition=condition, count_failures=True)
        if args.related:
            job.update(related_condition=(args.related.current_ma_cm2, args.related.capacity_mah_cm2),
                       related_budget=args.related_budget)
        out.append(job)
    return out


def outcome_main(args, lab, space: DesignSpace, jobs: list[dict]) -> int:
    """Objectives, constraints, failures, conditions: rows scored by ``outcome_scores``."""
    started = time.perf_counter()
    runs = run_jobs(outcome_jobs(args, jobs), args.workers)
    elapsed_s = time.perf_counter() - started
    condition = (args.target.current_ma_cm2, args.target.capacity_mah_cm2) if args.target else None
    world = truth(lab, space, args.objective, condition)
    scored = [[score_row(row, world) for row in rows] for rows in runs]
    if args.json:
        for rows in scored:
            for row in rows:
                print(json.dumps(row))
        return 0
    field = "hypervolume_fraction" if args.objective.pareto else "fraction_of_optimum"
    to_target = [experiments_to(rows, field, args.budget, args.batch) for rows in scored]
    print(f"lab {args.lab}, metal {args.metal}, objectives {','.join(args.objective.names)}"
          f"{', constraint ' + str(args.objective.constraint) if args.objective.constraint else ''}"
          f"{', condition ' + str(args.target) if args.target else ''}, budget {args.budget}, batch {args.batch}, "
          f"{args.seeds} seeds ({elapsed_s:.0f} s)")
    print(f"experiments to 90% of the {'true front hypervolume' if args.objective.pareto else 'feasible optimum'}: "
          f"median {np.median(to_target):g}, per seed {' '.join(map(str, to_target))}")
    if args.objective.constraint is not None:
        print("constraint satisfied by the final recommendation in "
              f"{sum(rows[-1]['constraint_satisfied'] for rows in scored)}/{len(scored)} seeds")
    print(f"failed cells per seed: {' '.join(str(rows[-1].get('failed_cells', 0)) for rows in scored)}")
    return 0


def _slice_note(seeds: list[int]) -> str:
    if set(seeds) <= set(HELD_OUT_FAMILY_SEEDS):
        return "held out: never tuned on"
    if set(seeds) <= set(TUNING_FAMILY_SEEDS):
        return "the tuning slice"
    return f"not one slice: held out {HELD_OUT_FAMILY_SEEDS.start}-{HELD_OUT_FAMILY_SEEDS.stop - 1}, tuning " \
           f"{TUNING_FAMILY_SEEDS.start}-{TUNING_FAMILY_SEEDS.stop - 1}"


def run_family(args: argparse.Namespace, family) -> int:
    """Every method on each family lab x metal x seed; the distribution of experiments to 90 % over them."""
    if not isinstance(family, LabFamily):
        raise LabError(f"--family-seeds needs a lab family such as interlayer.evaluation.labs:family, got {args.lab}")
    if args.family_seeds is None:
        raise LabError(f"{args.lab} is a lab family: say which of its labs with --family-seeds (e.g. 0-49)")
    space_options = {"max_ald_cycles": args.max_unit, "max_mld_cycles": args.max_unit,
                     "max_supercycles": args.max_supercycles, "max_thickness_nm": args.max_thickness_nm}
    metals = args.metal.split(",")
    spaces = {metal: DesignSpace(metal, **space_options) for metal in metals}
    labs = {seed: family.lab(seed) for seed in args.family_seeds}
    methods = args.methods.split(",")
    jobs = [{"lab": labs[lab_seed], "family_seed": lab_seed, "metal": metal, "space": space_options, "method": method,
             "seed": seed, "budget": args.budget, "batch": args.batch}
            for lab_seed in args.family_seeds for metal in metals for seed in range(args.seeds) for method in methods]
    started = time.perf_counter()
    runs = run_jobs(jobs, args.workers)
    elapsed_s = time.perf_counter() - started
    tables = {(s, metal): truth_table(labs[s], spaces[metal]) for s in args.family_seeds for metal in metals}
    reached: dict[str, list[float]] = {method: [] for method in methods}
    seconds: dict[str, list[float]] = {method: [] for method in methods}
    for job, rows in zip(jobs, runs):
        table = tables[(job["family_seed"], job["metal"])]
        if args.json:
            optimum_h = max(table.values())
            for row in rows:
                key = (row["ald_cycles"], row["mld_cycles"], row["supercycles"])
                print(json.dumps(dict(row, family_seed=job["family_seed"], metal=job["metal"],
                                      fraction_of_optimum=table[key] / optimum_h)))
        reached[job["method"]].append(score(rows, table, args.budget, args.batch)["to_target"])
        seconds[job["method"]].append(rows[-1]["elapsed_s"])
    if args.json:
        return 0
    shown = ",".join(str(s) for s in args.family_seeds) if len(args.family_seeds) < 4 else \
        f"{args.family_seeds[0]}..{args.family_seeds[-1]} ({len(args.family_seeds)} labs)"
    print(f"lab family {args.lab}, labs {shown} ({_slice_note(args.family_seeds)}), metals {','.join(metals)}, "
          f"budget {args.budget}, batch {args.batch}, {args.seeds} seeds; wall time {elapsed_s:.0f} s with {args.workers} worker(s)")
    distributions = {method: distribution(reached[method]) for method in methods}
    print_distribution("experiments to 90% of each lab's optimum, over labs x metals x seeds "
                       f"(never within the budget counts as {args.budget + args.batch})", distributions,
                       {method: float(np.median(seconds[method])) for method in methods})
    print_family_verdict(distributions)
    return 0
