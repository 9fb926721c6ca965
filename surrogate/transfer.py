"""Transfer between metals: a multi-task GP, kept only while it predicts held-out cells of this metal better.

Task 0 is the campaign's metal; the other tasks hold related measurements (another metal, another
campaign). The multi-task model learns the correlation r of the discrepancy between tasks; the
guard refits both it and the independent model (this metal alone) on K folds of this metal's cells
and keeps transfer only if its held-out log predictive density is at least as high.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .gp import LaplaceGP, Observations, fit, log_predictive_density

# Below this many cells of its own the guard has nothing to judge with: transfer stays on.
MIN_CELLS_FOR_GUARD = 3
FOLDS = 5


@dataclass
class TransferDecision:
    transfer: bool
    reason: str
    held_out_log_density: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"transfer": self.transfer, "reason": self.reason, "held_out_log_density": dict(self.held_out_log_density)}


def _held_out(observations: Observations, theta: np.ndarray, target_rows: np.ndarray) -> float:
    """Σ over K folds of this metal's cells of their log density given all other rows (θ fixed)."""
    folds = min(FOLDS, len(target_rows))
    total = 0.0
    for k in range(folds):
        held = np.zeros(len(observations), dtype=bool)
        held[target_rows[k::folds]] = True
        model = LaplaceGP(observations.subset(~held), theta)
        total += log_predictive_density(model, observations.subset(held))
    return total


def fit_with_transfer(observations: Observations) -> tuple[LaplaceGP, TransferDecision]:
    """The model to decide with: multi-task when there are related rows and the guard allows it."""
    target = observations.task == 0
    own = Observations(observations.features[target], observations.task[target], observations.physics[target],
                       observations.log_lifetime[target], observations.censored[target], n_tasks=1)
    if observations.n_tasks == 1 or target.all():
        return fit(own), TransferDecision(False, "no related measurements")
    joint = fit(observations)
    if target.sum() < MIN_CELLS_FOR_GUARD:
        return joint, TransferDecision(True, f"fewer than {MIN_CELLS_FOR_GUARD} cells of this metal to judge by")
    alone = fit(own)
    scores = {"multi_task": _held_out(observations, joint.theta, np.nonzero(target)[0]),
              "independent": _held_out(own, alone.theta, np.arange(len(own)))}
    if scores["multi_task"] >= scores["independent"]:
        return joint, TransferDecision(True, "held-out density no worse with transfer", scores)
    return alone, TransferDecision(False, "held-out density worse with transfer", scores)
