"""A Fit: the surrogate built from explicit inputs, and the cache that shares it.

``build_fit(inputs, view)`` fits the censored-lifetime GP to the campaign's cells (``observations``),
keeps the physics prior and each related task only while their guards allow, and computes the
posterior over every recipe of the space and the models that ride along (feasibility, overpotential).
Batch selection (``batch.py``) and the recommendation (``recommendation.py``) are functions of a Fit.

``FitCache`` keeps the most recent fits by what they were built from (``FitInputs.key``): proposals
for the same campaign and data version share one fitted model, hyperparameters and factorization;
only the batch, conditioned on the pending cells, is computed per request. A worker process keeps
one cache for all the campaigns it serves.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe

from . import decisions
from .acquisition import CandidatePosterior
from .gp import LaplaceGP
from .guard import GuardDecision, physics_guard, without_physics
from .observations import FitInputs, PhysicsView, observations, row_key
from .physics import SimulationRequest
from .transfer import fit_with_transfer

# z of the 5th and 95th percentiles: 90 % intervals
Z90 = 1.6448536269514722
# Fits a cache keeps: a worker serves a few campaigns at a time. A fit's largest array is the posterior's
# factor, rows × recipes doubles: 1.8 MB for 100 cells at 2,259 recipes, 40 MB at 50,226.
CACHED_FITS = 8


class CampaignError(InterlayerError):
    """A campaign asked for something it cannot do (no recipes left, bad batch size, unknown acquisition)."""


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def one_blas_thread(function):
    """Run ``function`` with one BLAS thread: its matrices are cells × cells (a few hundred rows), where
    threads cost more than they gain (bench.surrogate_speed: a refit at 50,000 recipes twice as fast),
    and the service already runs a worker process per core."""
    @wraps(function)
    def single_threaded(*args, **kwargs):
        with _blas().limit(limits=1, user_api="blas"):
            return function(*args, **kwargs)
    return single_threaded


@dataclass
class Fit:
    """The fitted surrogate of one campaign at one data version."""

    inputs: FitInputs
    view: PhysicsView
    model: LaplaceGP
    physics: GuardDecision
    transfer: GuardDecision
    posterior: CandidatePosterior
    extras: decisions.Extras
    context: bool = False
    tasks: tuple = ()

    @property
    def fingerprint(self) -> str:
        return self.inputs.fingerprint

    @property
    def recipes(self) -> tuple[Recipe, ...]:
        return self.inputs.space.recipes()

    def hyperparameters(self) -> dict[str, Any]:
        return {**self.model.hyper.as_dict(), **self.physics.as_dict("physics"), **self.transfer.as_dict("transfer"),
                "n_rows": len(self.model.observations)}

    def interval_h(self, mean: float, var: float) -> tuple[float, float]:
        """90 % interval of a new cell's lifetime: its log lifetime ~ N(μ, σ_f² + σ_noise²)."""
        sd = math.sqrt(var + self.model.noise_sd(0) ** 2)
        return (math.exp(mean - Z90 * sd), math.exp(mean + Z90 * sd))

    def rng(self, seed: int, purpose: str) -> np.random.Generator:
        """A generator fixed by the seed, the data and what it is for: the same state gives the same draws."""
        digest = hashlib.sha256(f"{self.fingerprint}|{purpose}".encode()).digest()
        return np.random.default_rng([seed, int.from_bytes(digest[:8], "little")])

    def indices(self, recipes: Iterable[Recipe], what: str) -> list[int]:
        """Positions of ``recipes`` in the space; a recipe outside it is a CampaignError naming ``what``."""
        out = []
        for recipe in recipes:
            index = self.inputs.space.index_of(recipe)
            if index is None:
                raise CampaignError(f"{what} recipe {recipe} lies outside this campaign's design space")
            out.append(index)
        return out


@one_blas_thread
def build_fit(inputs: FitInputs, view: PhysicsView) -> Fit:
    """Fit the GP to ``inputs`` with the physics of ``view``; the guards decide on physics and transfer."""
    rows = observations(inputs, view)
    physics, alone = physics_guard(rows)
    candidates = view.space_index
    if not physics.keep:
        rows, candidates = without_physics(rows), np.zeros(len(candidates))
    model, transfer = fit_with_transfer(rows, alone)
    n = len(inputs.space.recipes())
    posterior = CandidatePosterior(model, inputs.candidate_features(), np.zeros(n, dtype=int), candidates)
    return Fit(inputs, view, model, physics, transfer, posterior, _extras(inputs), inputs.uses_context(),
               tuple(key for key, _ in inputs.tasks()))


def _extras(inputs: FitInputs) -> decisions.Extras:
    space = inputs.space
    cells = [(space.index_of(m.recipe), m) for m in sorted(inputs.measurements, key=row_key)]
    overpotential = [(i, m.overpotential_mv) for i, m in cells
                     if m.overpotential_mv is not None and not m.failed and inputs.at_target(m)]
    return decisions.build_extras(inputs.objective, space.features, cells, inputs.learn_failures, overpotential,
                                  space.thickness_nm)


class FitCache:
    """The last ``size`` fits by ``FitInputs.key``, and the physics views they were built with.

    ``builds`` counts the models built, so a caller (or a test) can tell a shared fit from a new one.
    """

    def __init__(self, size: int = CACHED_FITS):
        self.size = size
        self.builds = 0
        self._fits: OrderedDict[str, Fit] = OrderedDict()
        self._views: OrderedDict[tuple, PhysicsView] = OrderedDict()

    def fit(self, inputs: FitInputs, results: Callable[[], Mapping[SimulationRequest, dict]]) -> Fit:
        """The fit of ``inputs``, built on a miss with the physics ``results()`` (asked only then)."""
        key = inputs.key
        if key in self._fits:
            self._fits.move_to_end(key)
            return self._fits[key]
        fit = build_fit(inputs, self.view(inputs, results))
        self.builds += 1
        self._remember(self._fits, key, fit)
        return fit

    def view(self, inputs: FitInputs, results: Callable[[], Mapping[SimulationRequest, dict]]) -> PhysicsView:
        """The physics index of ``inputs``' space and related cells, computed from ``results()`` on a miss."""
        # the physics index over 50,000 recipes costs as much as a refit's kernel: shared across data versions
        key = (repr(inputs.physics), repr(inputs.space), tuple(sorted({str(m.recipe) for m in inputs.related})))
        if key not in self._views:
            self._remember(self._views, key, PhysicsView(inputs.physics, inputs.space, inputs.related, results()))
        return self._views[key]

    def _remember(self, store: OrderedDict, key, value) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > self.size:
            store.popitem(last=False)
