"""Transfer between metals: a multi-task GP, kept only while it predicts held-out cells of this metal better.

Task 0 is the campaign's metal; the other tasks hold related measurements (another metal, another
campaign). The multi-task model learns the correlation r of the discrepancy between tasks; the
guard (``guard.py``) refits both it and the independent model (this metal alone) and keeps
transfer only if its held-out log predictive density on K folds of this metal's cells is higher by
``TRANSFER_MARGIN``.
"""

from __future__ import annotations

import numpy as np

from .gp import LaplaceGP, Observations, fit
from .guard import MIN_CELLS_FOR_GUARD, GuardDecision, held_out_log_density, own_rows

TransferDecision = GuardDecision
# Transfer must earn its place: the multi-task model's held-out log density has to beat the independent
# one by 1 nat (a cross-validated Bayes factor of e, "positive evidence"). With a handful of own cells
# a tie is noise, and a tie taken let another metal's cells move the recommendation: on the paper lab
# (bench.transfer, 10 seeds) Li given related Na cells needed 8 experiments against 6 alone, Na given
# an unrelated lab's Li cells 16 instead of 4 on one seed; with the margin both match alone.
TRANSFER_MARGIN = 1.0


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
    if scores["multi_task"] >= scores["independent"] + TRANSFER_MARGIN:
        return joint, GuardDecision(True, f"held-out density at least {TRANSFER_MARGIN:g} nat higher with transfer", scores)
    return alone, GuardDecision(False, f"held-out density not {TRANSFER_MARGIN:g} nat higher with transfer", scores)
