"""Physics as low-fidelity information: a few simulations turned into a prior log-lifetime index.

A ``PhysicsPrior`` names the simulations it needs (``requests``: each one a queued, cached job in
the service) and maps their results to ``u(recipe)``, a log-lifetime shape that is 0 where the
physics expects the longest life and negative elsewhere. The GP scales it by a learned ρ and
learns the discrepancy; ``physics=None`` gives u = 0.

``CzmPrior`` uses the cohesive-zone model. The paper's reading of it: a film must be stiff enough
that the dendrite's debond length, normalized by the thickness, falls below what a working film
allows; beyond that, extra thickness only costs (ion transport, toughness falls with h). So for
each unit the physics optimum is the *thinnest suppressing film*, ``h_req`` where the normalized
length ℓ(h) reaches ℓ*, and units that need thicker films rank lower. ℓ* is set by one observation:
Na under (1ALD-1MLD)10 (≈ 4 nm) suppresses dendrites (the paper's best Na cell); Li's thickness
scale then follows from the model, not from the data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interlayer.models.errors import SimulationInputError
from interlayer.models.recipe import Recipe


@dataclass(frozen=True)
class SimulationRequest:
    """One physics run the prior needs: the arguments of ``run_simulation``, hashable."""

    model: str
    metal: str
    recipe: str
    parameters: tuple[tuple[str, Any], ...] = ()

    def parameters_dict(self) -> dict[str, Any]:
        return dict(self.parameters)

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "metal": self.metal, "recipe": self.recipe, "parameters": self.parameters_dict()}


class PhysicsPrior:
    """Base class: the simulations a prior needs and the index it derives from them."""

    name = "none"

    def requests(self, metal: str, recipes: Sequence[Recipe]) -> list[SimulationRequest]:
        raise NotImplementedError

    def index(self, metal: str, recipes: Sequence[Recipe], results: Mapping[SimulationRequest, dict]) -> np.ndarray:
        """u(recipe) for each recipe: 0 at the physics optimum, ≤ 0 elsewhere, in e-folds of lifetime."""
        raise NotImplementedError


def _geometric_grid(low: float, high: float, count: int) -> list[float]:
    return [float(v) for v in np.geomspace(low, high, count)]


@dataclass(frozen=True)
class CzmPrior(PhysicsPrior):
    """Cohesive-zone prior: CZM on a few units × a thickness grid per metal, interpolated."""

    fidelity: str = "reduced"
    # Representative cycles per unit: every (a, b) pair from these, clipped to the space.
    unit_cycles: tuple[int, ...] = (1, 3, 10)
    thickness_grid_nm: tuple[float, ...] = field(default_factory=lambda: tuple(_geometric_grid(1.0, 64.0, 7)))
    reference: str = "Na@(1ALD-1MLD)10"
    # Depth (e-folds) and width (in ln h) of the thickness bell around h_req, and the cost per e-fold
    # of h_req between units. Assumptions: a factor ~2 thickness error costs a third of the gain.
    depth: float = 2.0
    width: float = 0.8
    unit_cost: float = 0.5
    name = "czm"

    def _parameters(self) -> tuple[tuple[str, Any], ...]:
        return (("fidelity", self.fidelity),)

    def _units(self, recipes: Sequence[Recipe]) -> list[tuple[int, int]]:
        """Representative (a, b) units: the feasible pairs of ``unit_cycles`` snapped to the space's cycle counts."""
        seen = {(r.ald_cycles, r.mld_cycles) for r in recipes}

        def snapped(values):
            # nearest in ln(cycles + ½), so that 0 cycles (a single-material unit) has a neighbour
            return {min(values, key=lambda v: (abs(math.log((v + 0.5) / (c + 0.5))), v)) for c in self.unit_cycles}

        a_values = snapped(sorted({a for a, _ in seen}))
        b_values = snapped(sorted({b for _, b in seen}))
        units = sorted((a, b) for a in a_values for b in b_values if (a, b) in seen)
        return units or sorted(seen)[:len(self.unit_cycles)]

    def _film_request(self, metal: str, ald: int, mld: int, thickness_nm: float) -> SimulationRequest:
        period_nm = Recipe(metal, ald, mld, 1).unit_period_nm
        supercycles = max(1, round(thickness_nm / period_nm))
        return SimulationRequest("czm", metal, str(Recipe(metal, ald, mld, supercycles)), self._parameters())

    def _grid(self, metal: str, recipes: Sequence[Recipe]) -> dict[tuple[int, int], list[SimulationRequest]]:
        return {unit: sorted({self._film_request(metal, *unit, h) for h in self.thickness_grid_nm},
                             key=lambda q: Recipe.parse(q.recipe).thickness_nm)
                for unit in self._units(recipes)}

    def _reference_request(self) -> SimulationRequest:
        recipe = Recipe.parse(self.reference)
        return SimulationRequest("czm", recipe.metal, str(recipe), self._parameters())

    def requests(self, metal: str, recipes: Sequence[Recipe]) -> list[SimulationRequest]:
        wanted = {self._reference_request()}
        for group in self._grid(metal, recipes).values():
            wanted.update(group)
        return sorted(wanted, key=lambda q: (q.metal, q.recipe))

    def index(self, metal: str, recipes: Sequence[Recipe], results: Mapping[SimulationRequest, dict]) -> np.ndarray:
        threshold = _normalized_length(results, self._reference_request())
        required: dict[tuple[int, int], float] = {}
        for unit, group in self._grid(metal, recipes).items():
            thickness = np.array([Recipe.parse(q.recipe).thickness_nm for q in group])
            lengths = np.array([_normalized_length(results, q) for q in group])
            required[unit] = _required_thickness_nm(thickness, lengths, threshold)
        units = list(required)
        log_required = np.log([required[u] for u in units])
        unit_points = np.array([_unit_coordinates(*u) for u in units])
        recipe_units = sorted({(r.ald_cycles, r.mld_cycles) for r in recipes})
        per_unit = {u: _idw(unit_points, log_required, np.array(_unit_coordinates(*u))) for u in recipe_units}
        best_log_required = min(per_unit.values())
        out = np.empty(len(recipes))
        for i, r in enumerate(recipes):
            log_h_req = per_unit[(r.ald_cycles, r.mld_cycles)]
            # u = −D (1 − exp(−ln²(h/h_req) / 2w²)) − κ ln(h_req / min h_req)
            mismatch = math.log(r.thickness_nm) - log_h_req
            out[i] = (-self.depth * (1.0 - math.exp(-mismatch**2 / (2.0 * self.width**2)))
                      - self.unit_cost * (log_h_req - best_log_required))
        return out


def _normalized_length(results: Mapping[SimulationRequest, dict], request: SimulationRequest) -> float:
    try:
        value = float(results[request]["result"]["normalized_length"])
    except KeyError:
        raise SimulationInputError(f"missing simulation result for {request.model} on {request.recipe}") from None
    if not math.isfinite(value) or value <= 0.0:
        raise SimulationInputError(f"{request.model} on {request.recipe} gave normalized_length {value!r}")
    return value


def _required_thickness_nm(thickness_nm: np.ndarray, lengths: np.ndarray, threshold: float) -> float:
    """Thinnest film with normalized length ≤ threshold, by log-log interpolation (extrapolated at the ends)."""
    log_h, log_l, log_t = np.log(thickness_nm), np.log(lengths), math.log(threshold)
    below = np.nonzero(log_l <= log_t)[0]
    if len(below) == 0:
        i = len(log_h) - 2           # never suppressed on the grid: extend the last segment
    elif below[0] == 0:
        i = 0                        # suppressed already at the thinnest: extend the first segment
    else:
        i = below[0] - 1
    slope = (log_l[i + 1] - log_l[i]) / (log_h[i + 1] - log_h[i])
    if slope >= 0.0:                 # no thinning trend to follow: take the grid point
        return float(thickness_nm[below[0]] if len(below) else thickness_nm[-1])
    log_req = log_h[i] + (log_t - log_l[i]) / slope
    # stay within a factor 4 of the grid: the physics is not trusted far outside it
    return float(np.exp(np.clip(log_req, log_h[0] - math.log(4.0), log_h[-1] + math.log(4.0))))


def _unit_coordinates(ald: int, mld: int) -> tuple[float, float]:
    """(inorganic fraction, ln unit period / 3) of a unit: the plane units are interpolated in."""
    recipe = Recipe("Li", ald, mld, 1)
    return recipe.inorganic_fraction, math.log(recipe.unit_period_nm) / 3.0


def _idw(points: np.ndarray, values: np.ndarray, at: np.ndarray, neighbours: int = 3) -> float:
    """Inverse-distance-squared weighted mean of the nearest grid units (exact at a grid unit)."""
    distance = np.sqrt(((points - at) ** 2).sum(axis=1))
    if distance.min() < 1e-12:
        return float(values[np.argmin(distance)])
    nearest = np.argsort(distance)[:neighbours]
    weights = 1.0 / distance[nearest] ** 2
    return float((weights * values[nearest]).sum() / weights.sum())
