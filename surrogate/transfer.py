"""Transfer between metals: a multi-task GP, kept only while it predicts held-out cells of this metal better.

Task 0 is the campaign's metal; the other tasks hold related measurements (another metal, another
campaign). The multi-task model learns the correlation r of the discrepancy between tasks; the
guard (``guard.py``) refits both it and the independent model (this metal alone) and keeps
transfer only if its held-out log predictive density on K folds of this metal's cells is at least
as high.
"""

from __future__ import annotations

import numpy as np

from .gp import LaplaceGP, Observations, fit
from .guard import MIN_CELLS_FOR_GUARD, GuardDecision, held_out_log_density, own_rows

TransferDecision = GuardDecision


def fit_with_transfer(observations: Observations, alone: LaplaceGP | None = None) -> tuple[LaplaceGP, GuardDecision]:
    """The model to decide with: multi-task when there are related rows and the guard allows it.

    ``alone`` is this metal's one-task model when it is already fitted.
    """
    own = own_rows(observations)
    target = observations.task == 0
    if observations.n_tasks == 1 or target.all():
        return alone or fit(own), GuardDecision(False, "no related measurements")
    if target.sum() < MIN_CELLS_FOR_GUARD:
        # no evidence yet that the other metal's cells are related: the physics prior sets this
        # metal's scale better than cells grown for another metal (whose optimum lies elsewhere)
        return alone or fit(own), GuardDecision(False, f"fewer than {MIN_CELLS_FOR_GUARD} cells of this metal to judge by")
    joint = fit(observations)
    alone = alone or fit(own)
    scores = {"multi_task": held_out_log_density(observations, joint.theta, np.nonzero(target)[0]),
              "independent": held_out_log_density(own, alone.theta, np.arange(len(own)))}
    if scores["multi_task"] >= scores["independent"]:
        return joint, GuardDecision(True, "held-out density no worse with transfer", scores)
    return alone, GuardDecision(False, "held-out density worse with transfer", scores)
