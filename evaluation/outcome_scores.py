"""Scoring closed loops beyond lifetime alone, with a lab's noise-free truth.

- Lifetime (with failures or a constraint): the recommended recipe's true lifetime over the best
  feasible one (recipes that coat and, under a constraint, satisfy it truly); whether it satisfies the
  constraint.
- Pareto pair: the hypervolume of the recommended set's true (lifetime, overpotential) over the true
  front's; reference point: the bare metal's lifetime and the space's highest overpotential.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from interlayer.surrogate.objective import Objective
from interlayer.surrogate.pareto import hypervolume
from interlayer.surrogate.space import DesignSpace

from .closed_loop import outcome_table
from .labs import LabError

TARGET_FRACTION = 0.9


@dataclass
class Truth:
    """The lab's truth over a space: lifetime, overpotential (when known), feasibility; the optimum and the front."""

    lifetime: dict
    overpotential: dict | None
    feasible: dict
    objective: Objective
    optimum_h: float
    reference: tuple[float, float] | None = None
    front_hv: float | None = None

    def fraction(self, key) -> float:
        return self.lifetime[key] / self.optimum_h

    def satisfies(self, key) -> bool:
        constraint = self.objective.constraint
        return constraint is None or constraint.satisfied(self.overpotential[key])

    def hypervolume_fraction(self, keys) -> float:
        points = np.array([(self.lifetime[k], -self.overpotential[k]) for k in keys if self.feasible[k]]).reshape(-1, 2)
        return hypervolume(points, self.reference) / self.front_hv


def truth(lab, space: DesignSpace, objective: Objective, condition=None) -> Truth:
    table = outcome_table(lab, space, condition)
    lifetime = {k: v["lifetime_h"] if isinstance(v, Mapping) else float(v) for k, v in table.items()}
    overpotential = {k: v["overpotential_mv"] for k, v in table.items()} if all(
        isinstance(v, Mapping) and "overpotential_mv" in v for v in table.values()) else None
    feasible = {k: bool(lab.feasible(space.metal, *k)) if hasattr(lab, "feasible") else True for k in table}
    out = Truth(lifetime, overpotential, feasible, objective, 0.0)
    allowed = [k for k in table if feasible[k] and (overpotential is None or out.satisfies(k))]
    if not allowed:
        raise LabError(f"no recipe of the space is feasible{' under ' + str(objective.constraint) if objective.constraint else ''} "
                       "in this lab at this condition: nothing to score against")
    out.optimum_h = max(lifetime[k] for k in allowed)
    if objective.pareto:
        bare_h = lab.lab.response(space.metal).bare_lifetime_h if hasattr(lab, "lab") else min(lifetime.values())
        out.reference = (bare_h, -max(overpotential.values()))
        points = np.array([(lifetime[k], -overpotential[k]) for k in table if feasible[k]])
        out.front_hv = hypervolume(points, out.reference)
    return out


def score_row(row: dict, world: Truth) -> dict:
    """``row`` with fraction_of_optimum, and constraint_satisfied / hypervolume_fraction where they apply."""
    key = (row["ald_cycles"], row["mld_cycles"], row["supercycles"])
    out = dict(row, fraction_of_optimum=world.fraction(key))
    if world.objective.constraint is not None:
        out["constraint_satisfied"] = world.satisfies(key)
    if world.objective.pareto and "pareto" in row:
        keys = [(p["ald_cycles"], p["mld_cycles"], p["supercycles"]) for p in row["pareto"]]
        out["hypervolume_fraction"] = world.hypervolume_fraction(keys)
    return out


def experiments_to(rows: list[dict], field: str, budget: int, batch: int, target: float = TARGET_FRACTION) -> int:
    """Experiments until ``field`` first reaches ``target`` (budget + batch when never)."""
    reached = [r["experiments"] for r in rows if r.get(field, 0.0) >= target]
    return reached[0] if reached else budget + batch


def at(rows: list[dict], experiments: int) -> dict:
    """The last round with at most ``experiments`` cells."""
    before = [r for r in rows if r["experiments"] <= experiments]
    return before[-1] if before else rows[0]
