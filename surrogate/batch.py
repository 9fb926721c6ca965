"""Batch selection: the next recipes to make, as a function of a Fit and the cells already under way.

``select_batch`` conditions a copy of the fit's posterior on the pending cells (a running cell is known
to outlive its bound: E[y | y > b]), then picks one recipe at a time by the acquisition, each pick
joining the batch as a fantasy at its posterior mean (kriging believer). Picks keep their distance
from each other and from tested recipes, and with no cell of the campaign's own yet every second pick
fills the space instead of following the prior.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from interlayer.models.recipe import Recipe

from . import decisions
from .acquisition import CandidatePosterior, scores, space_filling_distance, truncated_mean
from .fit import CampaignError, Fit

try:
    CODE_VERSION = f"interlayer {version('interlayer')} surrogate 1"
except PackageNotFoundError:  # running from a source tree that is not installed
    CODE_VERSION = "interlayer (source) surrogate 1"
# Without replicates, proposals stay this far apart in feature space, from each other and from
# measured or pending recipes, while such recipes remain (within a unit: +35 % thickness). Cells
# at 38 and 39 nm of one unit teach the same thing twice.
MIN_SPACING = 0.04


@dataclass
class Proposal:
    """A recipe to make next, its predicted median lifetime and 90 % interval for one cell."""

    recipe: Recipe
    predicted_lifetime_h: float
    interval_h: tuple[float, float]
    acquisition_value: float
    seed: int
    data_fingerprint: str
    hyperparameters: dict[str, Any]
    acquisition: str = "ucb"
    code_version: str = CODE_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {"recipe": str(self.recipe), "ald_cycles": self.recipe.ald_cycles, "mld_cycles": self.recipe.mld_cycles,
                "supercycles": self.recipe.supercycles, "thickness_nm": self.recipe.thickness_nm,
                "predicted_lifetime_h": self.predicted_lifetime_h, "interval_h": list(self.interval_h),
                "acquisition": self.acquisition, "acquisition_value": self.acquisition_value, "seed": self.seed,
                "data_fingerprint": self.data_fingerprint, "hyperparameters": self.hyperparameters,
                "code_version": self.code_version}


@dataclass
class _Selection:
    """The state of one batch as it grows: the fantasy posterior and which recipes are still open."""

    posterior: CandidatePosterior
    available: np.ndarray
    spaced: np.ndarray
    seen: set
    front_points: np.ndarray | None


def select_batch(fit: Fit, count: int, pending: Sequence[Recipe] = (), replicates: bool = False, *,
                 seed: int, acquisition: str) -> list[Proposal]:
    """The next ``count`` recipes to make, given ``pending`` experiments already under way."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise CampaignError(f"count must be a whole number >= 1, got {count!r}")
    pending_index = fit.indices(pending, "pending")
    selection = _start(fit, pending_index, replicates)
    rng = fit.rng(seed, f"ask:{acquisition}:{count}:{sorted(pending_index)}:{replicates}")
    hyper = fit.hyperparameters()
    noise_var = fit.model.noise_sd(0) ** 2
    base = fit.posterior
    proposals = []
    # With no cell of its own yet, every second pick of the batch (every pick without physics) fills
    # the space's interior instead of following the prior: a hedge against physics that points wrong.
    exploring = not any(fit.inputs.at_target(m) for m in fit.inputs.measurements)
    for k in range(count):
        if not selection.available.any():
            break
        allowed = selection.spaced if selection.spaced.any() else selection.available
        if exploring and (k % 2 == 1 or fit.inputs.physics is None):
            values = np.where(allowed, space_filling_distance(fit.inputs.space.features, sorted(selection.seen)), -np.inf)
            if fit.extras.feasible is not None:
                values = values * fit.extras.feasible
        else:
            values = _acquisition(fit, selection, allowed, rng, acquisition)
        i = int(np.argmax(values))
        mean, var = float(base.mean[i]), float(base.var[i])
        proposals.append(Proposal(fit.recipes[i], math.exp(mean), fit.interval_h(mean, var), float(values[i]), seed,
                                  fit.fingerprint, hyper, acquisition))
        _add(fit, selection, i, noise_var, replicates)
    if not proposals:
        raise CampaignError("every recipe in the design space is measured or pending; ask with replicates=True")
    return proposals


def _start(fit: Fit, pending_index: list[int], replicates: bool) -> _Selection:
    """The posterior conditioned on the pending cells, and the recipes a batch may still take."""
    inputs, base = fit.inputs, fit.posterior
    posterior = base.copy()
    noise_var = fit.model.noise_sd(0) ** 2
    measured = sorted({inputs.space.index_of(m.recipe) for m in inputs.measurements if m.failed or inputs.at_target(m)})
    available = np.ones(len(base.mean), dtype=bool)
    if not replicates:
        available[measured] = False
        available[pending_index] = False
    bounds = {}
    for m in inputs.measurements:
        if m.censored and inputs.at_target(m):
            i = inputs.space.index_of(m.recipe)
            bounds[i] = max(bounds.get(i, -math.inf), math.log(m.lifetime_h))
    # pending cells as fantasies: a running one is known to outlive its bound, E[y | y > b]
    for i in pending_index:
        value = posterior.mean[i]
        if i in bounds:
            value = truncated_mean(value, math.sqrt(posterior.var[i] + noise_var), bounds[i])
        posterior.condition(i, value, noise_var)
    seen = set(measured) | set(pending_index)
    spaced = available if replicates else available & spacing_mask(inputs.space.features, seen)
    return _Selection(posterior, available, spaced, seen, _front_points(fit, pending_index))


def _add(fit: Fit, selection: _Selection, i: int, noise_var: float, replicates: bool) -> None:
    """Recipe ``i`` joins the batch: a cell at the posterior mean, with the cell-to-cell scatter (kriging believer)."""
    posterior = selection.posterior
    posterior.condition(i, float(posterior.mean[i]), noise_var)
    if selection.front_points is not None:
        selection.front_points = np.vstack([selection.front_points, [posterior.mean[i], -fit.extras.op_mean[i]]])
    selection.seen.add(i)
    if not replicates:
        selection.available[i] = False
        selection.spaced &= spacing_mask(fit.inputs.space.features, [i])


def _front_points(fit: Fit, pending: list[int]) -> np.ndarray | None:
    """For a Pareto pair: the measured (and pending) recipes at their predicted (ln lifetime, −ln overpotential)."""
    inputs = fit.inputs
    if not inputs.objective.pareto:
        return None
    rows = sorted({inputs.space.index_of(m.recipe) for m in inputs.measurements if not m.failed and inputs.at_target(m)}
                  | set(pending))
    return np.column_stack([fit.posterior.mean[rows], -fit.extras.op_mean[rows]]).reshape(-1, 2)


def _acquisition(fit: Fit, selection: _Selection, allowed: np.ndarray, rng: np.random.Generator,
                 acquisition: str) -> np.ndarray:
    posterior, seen = selection.posterior, selection.seen
    if selection.front_points is not None:
        reference = decisions.reference_point(fit.posterior.mean, fit.extras.op_mean)
        return decisions.pareto_scores(posterior.mean, np.sqrt(posterior.var), fit.extras, selection.front_points,
                                       allowed, reference)
    incumbent = float(posterior.mean[sorted(seen)].max()) if seen else float(posterior.mean.max())
    return decisions.weighted(scores(posterior, acquisition, allowed, incumbent, rng), fit.extras)


def spacing_mask(features: np.ndarray, chosen: Iterable[int]) -> np.ndarray:
    """Recipes at least MIN_SPACING away, in feature space, from every chosen one."""
    far = np.ones(len(features), dtype=bool)
    for i in chosen:
        far &= ((features - features[i]) ** 2).sum(axis=1) >= MIN_SPACING**2
    return far
