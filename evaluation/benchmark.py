"""Closed-loop benchmarks: methods × seeds on one lab, scored against the lab's noise-free truth.

The figure of merit is the number of experiments until a method's recommended recipe reaches
``TARGET_FRACTION`` of the optimum over the space (a method that never gets there within the
budget counts as budget + batch), and the fraction of the optimum reached at ``CHECKPOINTS``
experiments; medians over seeds. ``runner`` prints them (``interlayer closed-loop``,
``python -m bench.closed_loop``).
"""

from __future__ import annotations

import time
from functools import partial
from multiprocessing import Pool

import numpy as np

from interlayer.surrogate.space import DesignSpace

from .baselines import OptunaPlanner, RandomPlanner, SkoptPlanner
from .closed_loop import InterlayerPlanner, run_loop
from .labs import resolve_lab
from .peers import AxPlanner, BaybePlanner

TARGET_FRACTION = 0.9
CHECKPOINTS = (8, 16, 32)
# The verdict's targets: Interlayer needs at most this many experiments (median) and half those of the best baseline.
TARGET_EXPERIMENTS = 16
TARGET_SPEEDUP = 2.0
PLANNERS = {"interlayer": InterlayerPlanner, "interlayer-nophysics": partial(InterlayerPlanner, physics=None),
            "random": RandomPlanner, "skopt-gp": SkoptPlanner,
            "optuna-tpe": OptunaPlanner, "baybe": BaybePlanner, "ax": AxPlanner}
BASELINES = ("random", "skopt-gp", "optuna-tpe")
# What the runner runs unless --methods says otherwise: the peers (baybe, ax) need PyTorch and minutes per run.
DEFAULT_METHODS = ("interlayer", "random", "skopt-gp", "optuna-tpe")


def run_method(job: dict) -> list[dict]:
    """One method on one seed, one row per round.

    ``job``: lab (module:function or the lab itself), metal, space (DesignSpace options), method (a
    name in PLANNERS, or any label when ``planner`` gives the class), seed, budget, batch, options
    (passed to the planner); optionally condition (current, capacity) at which cells are tested, and
    related_condition/related_budget: a finished campaign at that condition on the same lab (or
    ``related_lab``) whose cells the planner gets as related data.
    """
    lab = resolve_lab(job["lab"]) if isinstance(job["lab"], str) else job["lab"]
    space = DesignSpace(job["metal"], **job["space"])
    options = dict(job.get("options", {}))
    if job.get("related_condition"):
        options["related"] = related_cells(job, space)
    planner = job.get("planner", PLANNERS.get(job["method"]))(space, job["seed"], **options)
    rows = []
    started = time.perf_counter()
    failed = 0
    for step in run_loop(planner, lab, space, budget=job["budget"], batch=job["batch"], seed=job["seed"],
                         condition=job.get("condition")):
        recipe = step.recommended
        failed += sum(r.failed for r in step.results)
        row = {"method": job["method"], "seed": job["seed"], "round": step.round,
               "experiments": step.experiments, "ald_cycles": recipe.ald_cycles,
               "mld_cycles": recipe.mld_cycles, "supercycles": recipe.supercycles,
               "elapsed_s": round(time.perf_counter() - started, 3)}
        if step.pareto:
            row["pareto"] = [{"ald_cycles": r.ald_cycles, "mld_cycles": r.mld_cycles, "supercycles": r.supercycles}
                             for r in step.pareto]
        if failed or any(r.failed for r in step.results) or job.get("count_failures"):
            row["failed_cells"] = failed
        rows.append(row)
    return rows


def related_cells(job: dict, space: DesignSpace) -> list:
    """The measurements of an Interlayer campaign run to ``related_budget`` cells at ``related_condition``."""
    lab = job.get("related_lab", job["lab"])
    lab = resolve_lab(lab) if isinstance(lab, str) else lab
    condition = tuple(job["related_condition"])
    options = {k: v for k, v in job.get("options", {}).items() if k not in ("condition", "related")}
    planner = InterlayerPlanner(space, 1000 + job["seed"], condition=condition, **options)
    for _ in run_loop(planner, lab, space, budget=job.get("related_budget", 32), batch=job["batch"],
                      seed=1000 + job["seed"], condition=condition):
        pass
    return list(planner.campaign.measurements)


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


def distribution(to_target: list[float]) -> dict:
    """Experiments to 90 % over many labs (and seeds): median, 75th and 90th percentiles, the share solved
    within 16 and within 32 experiments (a run that never got there counts as budget + batch)."""
    values = np.asarray(to_target, dtype=float)
    return {"runs": len(values), "median": float(np.median(values)), "p75": float(np.percentile(values, 75)),
            "p90": float(np.percentile(values, 90)), "within_16": float(np.mean(values <= 16)),
            "within_32": float(np.mean(values <= 32))}


def summarize(scores: list[dict]) -> dict:
    """Medians over seeds."""
    return {"to_target": float(np.median([s["to_target"] for s in scores])), "per_seed": [s["to_target"] for s in scores],
            "at": {c: float(np.median([s["at"][c] for s in scores])) for c in CHECKPOINTS},
            "elapsed_s": float(np.median([s["elapsed_s"] for s in scores]))}
