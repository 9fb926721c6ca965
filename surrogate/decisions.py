"""Decisions beyond lifetime alone: the models that ride along the lifetime GP (feasibility from failed
cells, overpotential), acquisition under a constraint or for a Pareto pair, and the Pareto recommendation.

Objectives are maximized in log space: (ln lifetime, −ln overpotential). Proposals for the Pareto
pair take the exact two-objective EHVI (``pareto.py``) over the front of the measured recipes'
posterior means; a batch grows by fantasies (each pick joins the front at its predicted values, and
the lifetime posterior is conditioned on it). Constrained proposals multiply the lifetime
acquisition by P(constraint satisfied); every acquisition is multiplied by P(feasible) once a cell
has failed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .feasibility import MIN_FEASIBLE, length_scales, probability_feasible
from .objective import Objective
from .outcomes import OverpotentialModel, constrained, probability_within
from .pareto import expected_improvement, front, greedy_subset

# The recommended Pareto set: at most this many recipes, chosen greedily for hypervolume.
PARETO_SET_SIZE = 12
# Under a constraint the recommended recipe satisfies it with at least this probability.
CONSTRAINT_CONFIDENCE = 0.9


@dataclass
class Extras:
    """What the lifetime GP does not know: P(feasible), the overpotential model and its predictions over the space."""

    feasible: np.ndarray | None
    overpotential: OverpotentialModel | None
    op_mean: np.ndarray | None
    op_sd: np.ndarray | None
    satisfied: np.ndarray | None

    def factor(self) -> np.ndarray | None:
        """What multiplies the lifetime acquisition: P(feasible) × P(constraint), None when neither applies."""
        out = None
        for p in (self.feasible, self.satisfied):
            if p is not None:
                out = p if out is None else out * p
        return out


def build_extras(objective: Objective, features: np.ndarray, cells: list[tuple[int, Any]], learn_failures: bool,
                 overpotential_cells: list[tuple[int, float]], thickness_nm: np.ndarray | None = None) -> Extras:
    """Feasibility from ``cells`` ((space index, measurement)) and the overpotential model from ``overpotential_cells``.

    The overpotential model also sees the film's thickness itself (over the space's thickest), not only
    its logarithm: a film's ionic resistance grows in proportion to its thickness."""
    feasible = None
    if learn_failures and any(m.failed for _, m in cells):
        rows = features[[i for i, _ in cells]]
        feasible = probability_feasible(features, rows, np.array([m.failed for _, m in cells]), length_scales(features))
    model = op_mean = op_sd = satisfied = None
    if objective.needs_overpotential:
        index = np.array([i for i, _ in overpotential_cells], dtype=int)
        values = np.array([v for _, v in overpotential_cells], dtype=float)
        inputs = features if thickness_nm is None else np.hstack([features, (thickness_nm / thickness_nm.max())[:, None]])
        model = OverpotentialModel(inputs[index] if len(index) else np.zeros((0, inputs.shape[1])), values, index)
        op_mean, op_sd = model.predict(inputs)
        if objective.constraint is not None:
            satisfied = probability_within(objective.constraint, op_mean, op_sd)
    return Extras(feasible, model, op_mean, op_sd, satisfied)


def reference_point(life_mean: np.ndarray, op_mean: np.ndarray) -> tuple[float, float]:
    """Below every predicted recipe in both objectives (ln lifetime, −ln overpotential)."""
    return (float(life_mean.min()) - 0.1, -float(op_mean.max()) - 0.1)


def pareto_scores(life_mean, life_sd, extras: Extras, front_points: np.ndarray, available: np.ndarray,
                  reference: tuple[float, float]) -> np.ndarray:
    """EHVI of every available candidate (× P(feasible)), −inf elsewhere."""
    out = np.full(len(life_mean), -np.inf)
    mean = np.column_stack([life_mean[available], -extras.op_mean[available]])
    sd = np.column_stack([life_sd[available], extras.op_sd[available]])
    values = expected_improvement(mean, sd, front_points, reference)
    if extras.feasible is not None:
        values = values * extras.feasible[available]
    out[available] = values
    return out


def weighted(values: np.ndarray, extras: Extras) -> np.ndarray:
    factor = extras.factor()
    return values if factor is None else constrained(values, factor)


def allowed_to_recommend(extras: Extras, n: int) -> np.ndarray:
    """Recipes the model may recommend: P(feasible) ≥ 0.5 (all when none qualifies, or no cell failed)."""
    if extras.feasible is None:
        return np.ones(n, dtype=bool)
    ok = extras.feasible >= MIN_FEASIBLE
    return ok if ok.any() else extras.feasible == extras.feasible.max()


def constrained_choice(life_mean: np.ndarray, extras: Extras, allowed: np.ndarray) -> tuple[int, bool]:
    """The longest predicted lifetime with P(constraint) ≥ 0.9; else the most likely to satisfy it (False)."""
    sure = allowed & (extras.satisfied >= CONSTRAINT_CONFIDENCE)
    if sure.any():
        return int(np.argmax(np.where(sure, life_mean, -np.inf))), True
    return int(np.argmax(np.where(allowed, extras.satisfied, -np.inf))), False


def pareto_choice(life_mean: np.ndarray, extras: Extras, allowed: np.ndarray) -> list[int]:
    """The predicted Pareto set over the allowed recipes, at most PARETO_SET_SIZE by greedy hypervolume."""
    rows = np.nonzero(allowed)[0]
    points = np.column_stack([life_mean[rows], -extras.op_mean[rows]])
    members = rows[front(points)]
    chosen_points = np.column_stack([life_mean[members], -extras.op_mean[members]])
    reference = reference_point(life_mean[rows], extras.op_mean[rows])
    keep = greedy_subset(chosen_points, reference, PARETO_SET_SIZE)
    members = members[keep]
    return [int(i) for i in members[np.argsort(-life_mean[members])]]


def overpotential_view(extras: Extras, i: int) -> dict[str, Any]:
    mean, sd = float(extras.op_mean[i]), float(extras.op_sd[i])
    return {"predicted_overpotential_mv": math.exp(mean), "overpotential_interval_mv": list(extras.overpotential.interval_mv(mean, sd))}
