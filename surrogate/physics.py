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

``SuppressionPrior`` (the default) asks the CZM about one unit, (1-1), at 7 thicknesses per metal
and reads a lifetime-versus-thickness curve from two mechanisms that act at the scale of a cell
(``interlayer.models.cell_scale``): the plating stress σ = FΔφ/V_m (Li 100, Na 59 MPa) peeling the
film off a nucleus (m_d = G/Gc, G = σw0/2 from the CZM's opening) and the film's ionic resistance
over the charge-transfer resistance (m_R = h F i0/(σ_f RT)); u = −ln(1 + m_d) − ln(1 + m_R). Nothing
is calibrated on a cell: the optimum is where the two meet, Li 6.4 nm and Na 5.0 nm (Li's higher
plating stress asks for a stiffer film). The phase field does not enter: at a 4 nm bump transport
cannot grow anything (``interlayer.models.phasefield_regime``), so its stresses say nothing about a
cell's life (issue 24; the earlier criterion on its peak compression gave Li no scale within 1–64 nm).
Both models see a unit only through its modulus and strength and rank stiff, Al2O3-rich units
best, against the paper's finding that alloys win, so the prior sets the thickness scale and leaves
the unit to the data; ``surrogate.guard`` drops it when held-out cells score worse with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interlayer.models import cell_scale
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

    def thickness_scale_nm(self, metal: str, recipes: Sequence[Recipe], results: Mapping[SimulationRequest, dict]) -> float:
        """The film thickness the physics asks of ``metal`` (the thickness of its optimum)."""
        raise NotImplementedError


# A simulation result turned into a number that falls as the film thickens: (results, request) -> value.
Measure = Callable[[Mapping[SimulationRequest, dict], SimulationRequest], float]


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

    def _grid(self, metal: str, recipes: Sequence[Recipe]) -> dict[tuple[int, int], list[SimulationRequest]]:
        return {unit: _thickness_series("czm", metal, unit, self.thickness_grid_nm, self._parameters())
                for unit in self._units(recipes)}

    def _reference_request(self) -> SimulationRequest:
        return _reference_request("czm", self.reference, self._parameters())

    def requests(self, metal: str, recipes: Sequence[Recipe]) -> list[SimulationRequest]:
        wanted = {self._reference_request()}
        for group in self._grid(metal, recipes).values():
            wanted.update(group)
        return sorted(wanted, key=lambda q: (q.metal, q.recipe))

    def _unit_requirements(self, metal: str, recipes: Sequence[Recipe],
                           results: Mapping[SimulationRequest, dict]) -> dict[tuple[int, int], float]:
        """h_req of each grid unit: the thinnest film whose normalized debond length matches the reference's."""
        threshold = _normalized_length(results, self._reference_request())
        return {unit: _required_thickness_nm(group, results, _normalized_length, threshold)
                for unit, group in self._grid(metal, recipes).items()}

    def thickness_scale_nm(self, metal: str, recipes: Sequence[Recipe], results: Mapping[SimulationRequest, dict]) -> float:
        return min(self._unit_requirements(metal, recipes, results).values())

    def index(self, metal: str, recipes: Sequence[Recipe], results: Mapping[SimulationRequest, dict]) -> np.ndarray:
        required = self._unit_requirements(metal, recipes, results)
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
            out[i] = (_thickness_bell(r.thickness_nm, log_h_req, self.depth, self.width)
                      - self.unit_cost * (log_h_req - best_log_required))
        return out


@dataclass(frozen=True)
class SuppressionPrior(PhysicsPrior):
    """Cell-scale mechanisms on the (1-1) unit: one lifetime-versus-thickness curve per metal (module docstring)."""

    fidelity: str = "reduced"
    thickness_grid_nm: tuple[float, ...] = field(default_factory=lambda: tuple(_geometric_grid(1.0, 64.0, 7)))
    unit: tuple[int, int] = (1, 1)
    # sourced in ``interlayer.models.cell_scale``; fields so that a sensitivity study can move them
    film_conductivity_s_m: float = cell_scale.FILM_IONIC_CONDUCTIVITY_S_M
    exchange_current_a_m2: float = cell_scale.EXCHANGE_CURRENT_DENSITY_A_M2
    name = "suppression"

    def _series(self, metal: str) -> list[SimulationRequest]:
        return _thickness_series("czm", metal, self.unit, self.thickness_grid_nm, (("fidelity", self.fidelity),))

    def requests(self, metal: str, recipes: Sequence[Recipe]) -> list[SimulationRequest]:
        return self._series(metal)

    def curve(self, metal: str, results: Mapping[SimulationRequest, dict],
              thickness_nm: Sequence[float] | np.ndarray) -> dict[str, np.ndarray]:
        """Debond ratio m_d, resistance ratio m_R and u = −ln(1 + m_d) − ln(1 + m_R) at ``thickness_nm``.

        m_d is interpolated in ln h between the CZM runs that held the full plating stress (a run
        whose debond ran away is left out: its opening is at a lower pressure) and extended along the
        end segments, at most 4× beyond the grid.
        """
        held = [(Recipe.parse(q.recipe).thickness_nm, cell_scale.debond_ratio(
                    _result(results, q, "pressure_mpa"), _result(results, q, "opening_nm"),
                    _result(results, q, "fracture_energy_j_m2")))
                for q in self._series(metal) if results.get(q, {}).get("result", {}).get("converged", True)]
        if len(held) < 2:
            raise SimulationInputError(f"fewer than two CZM runs held the plating stress on {metal}")
        log_h, log_m = np.log([h for h, _ in held]), np.log([max(m, 1e-300) for _, m in held])
        h = np.asarray(thickness_nm, dtype=float)
        x = np.clip(np.log(h), log_h[0] - math.log(4.0), log_h[-1] + math.log(4.0))
        debond = np.exp(_linear_extrapolation(log_h, log_m, x))
        resistance = cell_scale.resistance_ratio(h, self.film_conductivity_s_m, self.exchange_current_a_m2)
        return {"thickness_nm": h, "debond_ratio": debond, "resistance_ratio": resistance,
                "lifetime_index": cell_scale.lifetime_index(debond, resistance)}

    def _dense_grid(self) -> np.ndarray:
        return np.geomspace(self.thickness_grid_nm[0] / 4.0, self.thickness_grid_nm[-1] * 4.0, 481)

    def thickness_scale_nm(self, metal: str, recipes: Sequence[Recipe], results: Mapping[SimulationRequest, dict]) -> float:
        """The thickness of the curve's maximum (Li 6.4 nm, Na 5.0 nm at the defaults)."""
        dense = self.curve(metal, results, self._dense_grid())
        return float(dense["thickness_nm"][int(np.argmax(dense["lifetime_index"]))])

    def index(self, metal: str, recipes: Sequence[Recipe], results: Mapping[SimulationRequest, dict]) -> np.ndarray:
        best = float(self.curve(metal, results, self._dense_grid())["lifetime_index"].max())
        at = self.curve(metal, results, [r.thickness_nm for r in recipes])["lifetime_index"]
        return np.minimum(at - best, 0.0)


def _linear_extrapolation(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Piecewise-linear y(x) through the points, continued along the first and last segments."""
    inside = np.interp(at, x, y)
    low = y[0] + (at - x[0]) * (y[1] - y[0]) / (x[1] - x[0])
    high = y[-1] + (at - x[-1]) * (y[-1] - y[-2]) / (x[-1] - x[-2])
    return np.where(at < x[0], low, np.where(at > x[-1], high, inside))


# The priors a campaign may name (the service stores the name); "none" is no physics.
PRIORS: dict[str, PhysicsPrior | None] = {"suppression": SuppressionPrior(), "czm": CzmPrior(), "none": None}


def _thickness_bell(thickness_nm: float, log_h_req: float, depth: float, width: float) -> float:
    # u = −D (1 − exp(−ln²(h/h_req) / 2w²))
    mismatch = math.log(thickness_nm) - log_h_req
    return -depth * (1.0 - math.exp(-mismatch**2 / (2.0 * width**2)))


def _thickness_series(model: str, metal: str, unit: tuple[int, int], thickness_grid_nm: Sequence[float],
                      parameters: tuple[tuple[str, Any], ...]) -> list[SimulationRequest]:
    """Runs of one unit at the whole supercycle counts nearest the grid thicknesses, thinnest first."""
    period_nm = Recipe(metal, *unit, 1).unit_period_nm
    recipes = {Recipe(metal, *unit, max(1, round(h / period_nm))) for h in thickness_grid_nm}
    return [SimulationRequest(model, metal, str(r), parameters) for r in sorted(recipes, key=lambda r: r.thickness_nm)]


def _reference_request(model: str, reference: str, parameters: tuple[tuple[str, Any], ...]) -> SimulationRequest:
    recipe = Recipe.parse(reference)
    return SimulationRequest(model, recipe.metal, str(recipe), parameters)


def _result(results: Mapping[SimulationRequest, dict], request: SimulationRequest, key: str) -> float:
    try:
        value = float(results[request]["result"][key])
    except KeyError:
        raise SimulationInputError(f"missing simulation result for {request.model} on {request.recipe}") from None
    if not math.isfinite(value):
        raise SimulationInputError(f"{request.model} on {request.recipe} gave {key} {value!r}")
    return value


def _normalized_length(results: Mapping[SimulationRequest, dict], request: SimulationRequest) -> float:
    """CZM: debond length over film thickness."""
    value = _result(results, request, "normalized_length")
    if value <= 0.0:
        raise SimulationInputError(f"{request.model} on {request.recipe} gave normalized_length {value!r}")
    return value


def _required_thickness_nm(group: Sequence[SimulationRequest], results: Mapping[SimulationRequest, dict],
                           measure: Measure, threshold: float) -> float:
    """Thinnest film of ``group`` with measure ≤ threshold, by log-log interpolation (extrapolated at the ends)."""
    thickness_nm = np.array([Recipe.parse(q.recipe).thickness_nm for q in group])
    log_h, log_l, log_t = np.log(thickness_nm), np.log([measure(results, q) for q in group]), math.log(threshold)
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
