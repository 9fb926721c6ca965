"""Transfer between metals: a Na campaign given a finished Li campaign's cells.

    python -m bench.transfer --lab interlayer.evaluation.labs:shared_film_lab --seeds 10
    python -m bench.transfer --seeds 10            # the paper lab, where Na alone needs one batch

Per seed, an Interlayer campaign on the other metal runs to its budget in the same lab
("related") or in a lab whose other-metal cells have nothing to do with this one ("unrelated");
its measurements go to a new campaign on this metal as ``related=``. Targets: with related data
the median experiments to 90 % of the optimum is lower than alone, and with unrelated data no
higher than alone (the guard against negative transfer). In the shared-film lab the metals'
films depart from the physics alike, so the other metal's cells carry the answer; in the paper
lab they prefer different units (Na (1-1), Li (2-2)) and Na alone reaches 90 % with its first
batch of 4, which no transfer can beat.
"""

from __future__ import annotations

import argparse
import math

from interlayer.evaluation.benchmark import run_jobs, score, summarize
from interlayer.evaluation.closed_loop import InterlayerPlanner, run_loop, truth_table
from interlayer.evaluation.labs import MetalResponse, SimulatedLab, resolve_lab
from interlayer.evaluation.report import print_table, run_cli
from interlayer.surrogate.physics import PRIORS
from interlayer.surrogate.space import DesignSpace

# Cells on either metal that share nothing with the paper's trends: thick (≈30 nm), inorganic-rich
# laminates live longest, thin alloys barely help.
UNRELATED_RESPONSE = MetalResponse(bare_lifetime_h=200.0, gain=math.log(5.0), thickness_nm=30.0, thickness_width=0.6,
                                   period_nm=3.0, period_width=0.5, inorganic_fraction=0.75, fraction_width=0.2,
                                   laminate_penalty=0.0, cutoff_h=1500.0, scatter=0.3)
unrelated_lab = SimulatedLab("unrelated_lab", {"Li": UNRELATED_RESPONSE, "Na": UNRELATED_RESPONSE})


def finished_campaign(lab, metal: str, seed: int, budget: int, batch: int, physics: str) -> tuple:
    """The measurements of an Interlayer campaign on ``metal`` run to ``budget`` cells."""
    space = DesignSpace(metal)
    planner = InterlayerPlanner(space, seed, physics=PRIORS[physics])
    for _ in run_loop(planner, lab, space, budget=budget, batch=batch, seed=seed):
        pass
    return planner.campaign.measurements


def source_job(job: dict) -> tuple:
    return finished_campaign(job["lab"], job["metal"], job["seed"], job["budget"], job["batch"], job["physics"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transfer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="interlayer.evaluation.labs:paper_lab")
    parser.add_argument("--metal", default="Na", help="the new campaign's metal; the finished one is the other")
    parser.add_argument("--budget", type=int, default=32)
    parser.add_argument("--source-budget", type=int, default=32, help="cells of the finished campaign")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--physics", choices=list(PRIORS), default="suppression",
                        help="the prior of every campaign; 'none' shows what the other metal's cells alone carry")
    args = parser.parse_args(argv)
    lab = resolve_lab(args.lab)
    other = {"Na": "Li", "Li": "Na"}[args.metal]
    sources = {"related": lab, "unrelated": unrelated_lab}
    finished = {}
    for name, source in sources.items():
        jobs = [{"lab": source, "metal": other, "seed": 1000 + seed, "budget": args.source_budget, "batch": args.batch,
                 "physics": args.physics} for seed in range(args.seeds)]
        finished[name] = run_jobs(jobs, args.workers, source_job)
    jobs = []
    prior = {"physics": PRIORS[args.physics]}
    for seed in range(args.seeds):
        jobs.append({"lab": args.lab, "metal": args.metal, "space": {}, "method": "alone", "planner": InterlayerPlanner,
                     "options": prior, "seed": seed, "budget": args.budget, "batch": args.batch})
        for name in sources:
            jobs.append({"lab": args.lab, "metal": args.metal, "space": {}, "method": f"{name} {other}",
                         "planner": InterlayerPlanner, "options": {**prior, "related": list(finished[name][seed])},
                         "seed": seed, "budget": args.budget, "batch": args.batch})
    runs = run_jobs(jobs, args.workers)
    table = truth_table(lab, DesignSpace(args.metal))
    methods = ["alone"] + [f"{name} {other}" for name in sources]
    summaries = {m: summarize([score(rows, table, args.budget, args.batch) for rows in runs if rows[0]["method"] == m])
                 for m in methods}
    print_table(f"{args.lab} {args.metal}, given {args.source_budget} {other} cells, physics {args.physics}, {args.seeds} seeds: "
                "experiments to 90% (median) and fraction of optimum at 8/16/32", summaries, args.budget, args.batch)
    alone, related, unrelated = (summaries[m]["to_target"] for m in methods)
    print(f"target: related {other} data needs fewer experiments than alone: {related:g} vs {alone:g} "
          f"-> {'met' if related < alone else 'MISSED'}")
    print(f"target: unrelated {other} data is no worse than alone: {unrelated:g} vs {alone:g} "
          f"-> {'met' if unrelated <= alone else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
