"""Transfer between metals: a multi-task GP, kept only while it orders held-out cells of this metal better.

Task 0 is the campaign's metal; the other tasks hold related measurements (another metal, another
campaign), their thicknesses placed on this metal's physics scale by the campaign. The multi-task
model learns the correlation r of the discrepancy between tasks; the guard (``guard.py``) refits
both it and the independent model (this metal alone) and predicts K folds of this metal's cells
with each. Transfer is kept when it misranks fewer pairs of those cells and its held-out log
density is no more than ``TRANSFER_MARGIN`` below the independent model's.

Why the order decides: held-out density rewards a model for predicting the many mediocre cells
well, and another lab's cells teach that cheaply, while a choice of recipe rests on which cells
are better. On the shared-film lab (``bench.transfer``, 10 seeds) the former rule, density higher
by 1 nat, never let related cells help (Na 16 experiments to 90 % with them and alone, Li 24 and
24) and let the unrelated lab's cells cost Li 28. Judged by order: Na 14 (30 seeds: 12 against
16), Li 16, and the unrelated lab's cells are no worse than alone on any lab and metal of the bench.
"""

from __future__ import annotations

import numpy as np

from .gp import LaplaceGP, fit
from .gp_prior import Observations
from .guard import MIN_CELLS_FOR_GUARD, GuardDecision, held_out, own_rows

# Transfer may not cost more than 1 nat of held-out density (a cross-validated Bayes factor of e):
# ordering the cells better is no licence to predict their lifetimes much worse.
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
    predictions = {"multi_task": held_out(observations, joint.theta, np.nonzero(target)[0]),
                   "independent": held_out(own, alone.theta, np.arange(len(own)))}
    scores = {name: p.log_density() for name, p in predictions.items()}
    misranked = {name: p.misranked_pairs() for name, p in predictions.items()}
    if misranked["multi_task"] >= misranked["independent"]:
        return alone, GuardDecision(False, "held-out cells no better ordered with transfer", scores, misranked)
    if scores["multi_task"] < scores["independent"] - TRANSFER_MARGIN:
        return alone, GuardDecision(False, f"held-out density more than {TRANSFER_MARGIN:g} nat lower with transfer",
                                    scores, misranked)
    return joint, GuardDecision(True, "held-out cells better ordered with transfer", scores, misranked)
