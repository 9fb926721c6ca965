"""Feasibility: the probability that a recipe can be made and tested at all, learned from failed cells.

A Beta–Bernoulli model smoothed over the recipe features: every cell adds its kernel weight
k(x, x_i) = exp(−½ Σ_d ((x_d − x_id)/ℓ_d)²) to the successes (any cell with a lifetime) or the
failures (a ``failed`` cell) of each recipe x, on top of a prior Beta(A0, B0):

    P(feasible | x) = (A0 + Σ_ok k) / (A0 + B0 + Σ_ok k + Σ_failed k)

The length scales are anisotropic: a fraction ``LENGTH_FRACTION`` of each continuous feature's range
over the design space, and the binary alloy flag apart (ℓ = 1); a success is smoothed over
``SUCCESS_SHRINK`` × those (a failure speaks for its region, a success for its recipe). Chosen on the
failing lab (``bench.outcomes --only failures``, seeds 0-4): cells on failing recipes, aware / blind,
16/32 at (0.3, 0.4), 17/32 at (0.25, 0.5), 20/32 at (0.25, 1), 12 of 17 at (0.12, 1) for seeds 0-2. One failure puts its recipe at
P ≈ 0.5 and its near neighbours a little above; a neighbourhood that keeps failing falls well below
0.5 and stops being proposed (the acquisition is multiplied by P) or recommended (P < 0.5 never is).
"""

from __future__ import annotations

import numpy as np

from .space import CONTINUOUS_FEATURES

# The prior: a recipe is believed feasible (A0 / (A0 + B0) ≈ 0.95) until cells near it fail.
A0, B0 = 1.0, 0.05
LENGTH_FRACTION = 0.3
SUCCESS_SHRINK = 0.4
BINARY_LENGTH = 1.0
# Below this a recipe is never recommended.
MIN_FEASIBLE = 0.5


def length_scales(features: np.ndarray) -> np.ndarray:
    """ℓ_d: LENGTH_FRACTION of each continuous feature's range (binary flags: BINARY_LENGTH)."""
    spread = features.max(axis=0) - features.min(axis=0) if len(features) else np.ones(features.shape[1])
    scales = np.full(features.shape[1], BINARY_LENGTH)
    scales[:CONTINUOUS_FEATURES] = np.maximum(LENGTH_FRACTION * spread[:CONTINUOUS_FEATURES], 1e-6)
    return scales


def probability_feasible(candidates: np.ndarray, cells: np.ndarray, failed: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """P(feasible) of every candidate row given cells (rows of features) and which of them failed.

    A failure speaks for its region (failures come in connected regions: a film that does not grow),
    a success for its recipe: successes are smoothed over ``SUCCESS_SHRINK`` × the length scales.
    """
    candidates = np.asarray(candidates, dtype=float)
    successes = np.full(len(candidates), A0)
    failures = np.full(len(candidates), B0)
    failed = np.asarray(failed, dtype=bool)
    for row, bad in zip(np.asarray(cells, dtype=float), failed):
        scale = scales if bad else scales * SUCCESS_SHRINK
        weight = np.exp(-0.5 * (((candidates - row) / scale) ** 2).sum(axis=1))
        if bad:
            failures += weight
        else:
            successes += weight
    return successes / (successes + failures)
