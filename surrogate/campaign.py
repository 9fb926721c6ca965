"""A design campaign in memory: tell it lifetimes, ask it for the next recipes, get its recommendation.

Usage::

    from interlayer.models import Recipe
    from interlayer.surrogate import Campaign, DesignSpace, Measurement

    campaign = Campaign(DesignSpace("Na"), seed=0)             # default physics prior: CZM + phase field
    batch = campaign.ask(4)                                    # list[Proposal], each .as_dict() JSON-safe
    campaign.tell([Measurement(Recipe.parse("Na@(1ALD-1MLD)10"), 1800.0, censored=True, cell_id="c1")])
    campaign.tell([Measurement(Recipe.parse("Na@(1ALD-1MLD)10"), 2300.0, censored=False, cell_id="c1")])
    batch = campaign.ask(4, pending=[p.recipe for p in batch])  # never re-proposes running recipes
    best = campaign.recommend()                                # Recommendation, .as_dict()

- The physics prior's simulations (``simulation_requests()``) come from ``simulations``, a
  ``SimulationSource``: by default a ``LocalSimulations`` of the campaign's own, which runs them
  here; the service passes its stored simulation jobs. ``physics=None`` uses no physics at all.
- ``tell`` is atomic: every report is validated first (NaN/inf/negative hours, no bound, a recipe
  outside the space or of another metal raise MeasurementError) and on error nothing changes.
  A report with a known ``cell_id`` replaces that cell's last one (a running cell's bound rises).
- ``related`` takes another campaign's measurements (usually the other metal) for transfer, with a
  guard that keeps transfer only while it orders this metal's held-out cells better (``transfer.py``).
- ``physics`` is kept only while it predicts this metal's held-out cells at least as well as no
  physics (``guard.py``); ``recommend`` names the recipe with the highest posterior mean, measured
  or not.
- ``acquisition`` is ``"ucb"`` (default), ``"ei"`` or ``"thompson"``. The same state and seed give
  the same batch; every proposal records seed, data fingerprint, hyperparameters and code version.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, wraps
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe

from . import decisions, landscape
from .acquisition import ACQUISITIONS, CandidatePosterior, scores, space_filling_distance, truncated_mean
from .condition import Condition, ConditionError
from .gp import LaplaceGP, Observations
from .guard import GuardDecision, physics_guard, without_physics
from .measurement import Measurement, MeasurementError, fingerprint, merge_reports
from .objective import Objective, ObjectiveError
from .physics import PhysicsPrior, SimulationRequest, SuppressionPrior
from .simulations import LocalSimulations, SimulationSource
from .space import DesignSpace, recipe_features
from .transfer import fit_with_transfer

try:
    CODE_VERSION = f"interlayer {version('interlayer')} surrogate 1"
except PackageNotFoundError:  # running from a source tree that is not installed
    CODE_VERSION = "interlayer (source) surrogate 1"
# z of the 5th and 95th percentiles: 90 % intervals
Z90 = 1.6448536269514722
# Joint posterior draws for the probability of being best, over the most promising recipes.
BEST_DRAWS = 1000
BEST_CANDIDATES = 200
# Without replicates, proposals stay this far apart in feature space, from each other and from
# measured or pending recipes, while such recipes remain (within a unit: +35 % thickness). Cells
# at 38 and 39 nm of one unit teach the same thing twice.
MIN_SPACING = 0.04
DEFAULT_PHYSICS = SuppressionPrior()
# Cells at another test condition: the context input (ln I − ln I*, ln Q − ln Q*) enters the kernel
# scaled by this, so an e-fold of current is a third of the length-scale prior's median apart: close
# enough for the learned task correlation to carry over, far enough to tell conditions apart.
CONTEXT_SCALE = 0.05


class CampaignError(InterlayerError):
    """A campaign asked for something it cannot do (no recipes left, bad batch size, unknown acquisition)."""


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
class BestObserved:
    """The longest-lived measured cell; ``censored`` means its lifetime is only a lower bound."""

    recipe: Recipe
    lifetime_h: float
    censored: bool

    def as_dict(self) -> dict[str, Any]:
        return {"recipe": str(self.recipe), "lifetime_h": self.lifetime_h, "censored": self.censored,
                "lower_bound": self.censored}


@dataclass
class Recommendation:
    """The recipe with the highest predicted median lifetime, and an honest account of it."""

    recipe: Recipe
    predicted_lifetime_h: float
    interval_h: tuple[float, float]
    probability_best: float
    conservative_recipe: Recipe
    conservative_lower_h: float
    best_observed: BestObserved | None
    data_fingerprint: str = ""
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    code_version: str = CODE_VERSION
    # beyond lifetime alone (absent from as_dict for a plain lifetime campaign at no condition):
    # the objective, the condition, P(feasible) and P(constraint) of the recipe, the overpotential
    # prediction, and for a Pareto pair the predicted set, each with both predictions and 90 % intervals
    extra: dict[str, Any] = field(default_factory=dict)
    pareto: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pareto_recipes(self) -> list[Recipe]:
        return [entry["_recipe"] for entry in self.pareto]

    def as_dict(self) -> dict[str, Any]:
        out = self._lifetime_dict()
        out.update(self.extra)
        if self.pareto:
            out["pareto"] = [{k: v for k, v in entry.items() if k != "_recipe"} for entry in self.pareto]
        return out

    def _lifetime_dict(self) -> dict[str, Any]:
        return {"recipe": str(self.recipe), "ald_cycles": self.recipe.ald_cycles, "mld_cycles": self.recipe.mld_cycles,
                "supercycles": self.recipe.supercycles, "predicted_lifetime_h": self.predicted_lifetime_h,
                "interval_h": list(self.interval_h), "probability_best": self.probability_best,
                "conservative_recipe": str(self.conservative_recipe),
                "conservative_lower_h": self.conservative_lower_h,
                "best_observed": self.best_observed.as_dict() if self.best_observed else None,
                "data_fingerprint": self.data_fingerprint, "hyperparameters": self.hyperparameters,
                "code_version": self.code_version}


@dataclass
class _Fit:
    model: LaplaceGP
    physics: GuardDecision
    transfer: GuardDecision
    posterior: CandidatePosterior
    fingerprint: str
    extras: decisions.Extras
    context: bool = False
    tasks: tuple = ()

    def hyperparameters(self) -> dict[str, Any]:
        return {**self.model.hyper.as_dict(), **self.physics.as_dict("physics"), **self.transfer.as_dict("transfer"),
                "n_rows": len(self.model.observations)}


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread(method):
    """Run ``method`` with one BLAS thread: its matrices are cells × cells (a few hundred rows), where
    threads cost more than they gain (bench.surrogate_speed: a refit at 50,000 recipes twice as fast),
    and the service already runs a worker process per core."""
    @wraps(method)
    def single_threaded(*args, **kwargs):
        with _blas().limit(limits=1, user_api="blas"):
            return method(*args, **kwargs)
    return single_threaded


def _row_key(m: Measurement) -> tuple:
    return (m.recipe.ald_cycles, m.recipe.mld_cycles, m.recipe.supercycles, m.lifetime_h, m.censored,
            m.cell_id or "", m.overpotential_mv if m.overpotential_mv is not None else -math.inf,
            *(m.condition.features() if m.condition else ()))


def _task_key(m: Measurement, source: int) -> tuple:
    """A related task: (metal, 0 for a related campaign's cells | 1 for this campaign's at another condition, condition)."""
    current, capacity = (m.condition.current_ma_cm2, m.condition.capacity_mah_cm2) if m.condition else (0.0, 0.0)
    return (m.recipe.metal, source, current, capacity)


class Campaign:
    """Bayesian optimization of one metal's recipe over ``space`` (in memory; the service stores it)."""

    def __init__(self, space: DesignSpace, *, seed: int = 0, physics: PhysicsPrior | None = DEFAULT_PHYSICS,
                 related: Sequence[Measurement] = (), simulations: SimulationSource | None = None,
                 acquisition: str = "ucb", objective: Objective | str | None = None,
                 condition: Condition | None = None, learn_failures: bool = True):
        if not isinstance(space, DesignSpace):
            raise CampaignError(f"space must be a DesignSpace, got {space!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise CampaignError(f"seed must be a whole number >= 0, got {seed!r}")
        if acquisition not in ACQUISITIONS:
            raise CampaignError(f"unknown acquisition {acquisition!r}; choose one of {', '.join(ACQUISITIONS)}")
        if physics is not None and not isinstance(physics, PhysicsPrior):
            raise CampaignError(f"physics must be a PhysicsPrior or None, got {physics!r}")
        try:
            objective = Objective.parse(objective) if isinstance(objective, str) else Objective.from_dict(objective)
            condition = Condition.from_dict(condition)
        except (ObjectiveError, ConditionError) as error:
            raise CampaignError(str(error)) from None
        self.objective = objective
        self.condition = condition
        self.learn_failures = bool(learn_failures)
        self.space = space
        self.seed = seed
        self.physics = physics
        self.acquisition = acquisition
        self.related: tuple[Measurement, ...] = tuple(merge_reports([], related))
        self.simulations: SimulationSource = simulations if simulations is not None else LocalSimulations()
        self._simulation_results: Mapping[SimulationRequest, dict] | None = None
        self._measurements: list[Measurement] = []
        self._related_metals = sorted({m.recipe.metal for m in self.related})
        self._physics_cache: dict[tuple[str, tuple[Recipe, ...]], np.ndarray] = {}
        self._space_physics: np.ndarray | None = None
        self._space_thickness: np.ndarray | None = None
        self._thickness_factors: dict[str, float] = {}
        self._fit: _Fit | None = None

    # --- state -------------------------------------------------------------------------------

    @property
    def measurements(self) -> tuple[Measurement, ...]:
        return tuple(self._measurements)

    @property
    def data_fingerprint(self) -> str:
        """Hash of the sorted measurements and the related ones: what a proposal was computed from."""
        text = f"{fingerprint(self._measurements)}|{fingerprint(self.related)}|{self.space.to_dict()}"
        if not self.objective.plain or self.condition is not None:
            text += f"|{self.objective.as_dict()}|{self.condition.as_dict() if self.condition else None}"
        return hashlib.sha256(text.encode()).hexdigest()

    def tell(self, measurements: Iterable[Measurement]) -> None:
        """Add measurements (or newer reports of running cells); all validated before any is kept."""
        if isinstance(measurements, Measurement):
            measurements = [measurements]
        reports = list(measurements)
        for report in reports:
            if not isinstance(report, Measurement):
                raise MeasurementError(f"expected a Measurement, got {report!r}")
            if report.recipe.metal != self.space.metal:
                raise MeasurementError(f"{report.recipe} is a {report.recipe.metal} cell; this campaign is for {self.space.metal}")
            if not self.space.contains(report.recipe):
                raise MeasurementError(f"{report.recipe} lies outside this campaign's design space")
        merged = merge_reports(self._measurements, reports)
        self._measurements = merged
        self._fit = None

    # --- physics -----------------------------------------------------------------------------

    def _related_recipes(self, metal: str) -> tuple[Recipe, ...]:
        return tuple(sorted({m.recipe for m in self.related if m.recipe.metal == metal},
                            key=lambda r: (r.ald_cycles, r.mld_cycles, r.supercycles)))

    def simulation_requests(self) -> list[SimulationRequest]:
        """The physics runs the prior needs for this space and the related measurements."""
        if self.physics is None:
            return []
        wanted = set(self.physics.requests(self.space.metal, self.space.recipes()))
        for metal in self._related_metals:
            wanted.update(self.physics.requests(metal, self._related_recipes(metal)))
        return sorted(wanted, key=lambda q: (q.model, q.metal, q.recipe, q.parameters))

    def _results(self) -> Mapping[SimulationRequest, dict]:
        # asked once per campaign: the space, the related cells and so the requests are fixed
        if self._simulation_results is None:
            self._simulation_results = self.simulations.results(self.simulation_requests())
        return self._simulation_results

    def _physics_index(self, metal: str, recipes: tuple[Recipe, ...]) -> np.ndarray:
        if self.physics is None or not recipes:
            return np.zeros(len(recipes))
        key = (metal, recipes)
        if key not in self._physics_cache:
            self._physics_cache[key] = self.physics.index(metal, recipes, self._results())
        return self._physics_cache[key]

    def _thickness_factor(self, metal: str, recipes: tuple[Recipe, ...]) -> float:
        """This metal's thickness scale over ``metal``'s, by the physics (1 without physics).

        A related cell enters on this metal's thickness axis: a Li film of h counts as a Na film of
        h · (Na scale / Li scale), so that cells on both metals meet where each metal's film is as thick
        as its dendrites demand, and the discrepancy between physics and cells (what the tasks share,
        with correlation r) is compared film for film.
        """
        if self.physics is None:
            return 1.0
        # fixed for the campaign's life (space, related cells and simulations are): refits reuse it
        if metal not in self._thickness_factors:
            results = self._results()
            own_nm = self.physics.thickness_scale_nm(self.space.metal, self.space.recipes(), results)
            self._thickness_factors[metal] = own_nm / self.physics.thickness_scale_nm(metal, recipes, results)
        return self._thickness_factors[metal]

    def physics_index(self) -> np.ndarray:
        """u(recipe) over ``space.recipes()``: the prior log-lifetime shape (0 at the physics optimum)."""
        # kept apart from the cache: hashing 50,000 recipes for a lookup costs as much as a refit's kernel
        if self._space_physics is None:
            self._space_physics = self._physics_index(self.space.metal, self.space.recipes())
        return self._space_physics

    # --- model -------------------------------------------------------------------------------

    def _at_target(self, m: Measurement) -> bool:
        return self.condition is None or m.condition is None or m.condition == self.condition

    def _tasks(self) -> list[tuple[tuple, list[Measurement]]]:
        """Related tasks in a fixed order, each with its lifetime rows: related campaigns' cells by metal
        and condition, and this campaign's cells at another condition than the target."""
        groups: dict[tuple, list[Measurement]] = {}
        for m in self.related:
            if not m.failed:
                groups.setdefault(_task_key(m, 0), []).append(m)
        for m in self._measurements:
            if not m.failed and not self._at_target(m):
                groups.setdefault(_task_key(m, 1), []).append(m)
        return [(key, sorted(groups[key], key=_row_key)) for key in sorted(groups)]

    def _uses_context(self) -> bool:
        """Whether any cell was tested at another condition than the target: then the condition is an input."""
        if self.condition is None:
            return False
        return any(m.condition is not None and m.condition != self.condition for m in (*self._measurements, *self.related))

    def _context(self, rows: list[Measurement]) -> np.ndarray:
        return np.array([m.condition.context(self.condition) if m.condition else (0.0, 0.0) for m in rows],
                        dtype=float).reshape(-1, 2) * CONTEXT_SCALE

    def _task_rows(self, key: tuple, rows: list[Measurement]) -> tuple[np.ndarray, list[float]]:
        metal, source = key[0], key[1]
        if source == 1:  # this campaign's own recipes, at another condition
            index = [self.space.index_of(m.recipe) for m in rows]
            return self.space.features[index], [self.physics_index()[i] for i in index]
        recipes = self._related_recipes(metal)
        physics = self._physics_index(metal, recipes)
        position = {r: i for i, r in enumerate(recipes)}
        return (recipe_features([m.recipe for m in rows], self._thickness_factor(metal, recipes)),
                [physics[position[m.recipe]] for m in rows])

    def observations(self) -> Observations:
        candidates = self.physics_index()
        # a canonical row order: the same cells told in any order give the same fit, bit for bit
        ordered = sorted((m for m in self._measurements if not m.failed and self._at_target(m)), key=_row_key)
        rows = [self.space.index_of(m.recipe) for m in ordered]
        features = [self.space.features[rows]]
        physics = [candidates[i] for i in rows]
        task = [0] * len(rows)
        measured = list(ordered)
        tasks = self._tasks()
        for t, (key, related) in enumerate(tasks, start=1):
            block, index = self._task_rows(key, related)
            features.append(block)
            physics.extend(index)
            task.extend([t] * len(related))
            measured.extend(related)
        n = len(measured)
        matrix = np.vstack(features).reshape(n, self.space.features.shape[1])
        if self._uses_context():
            matrix = np.hstack([matrix, self._context(measured)])
        return Observations(matrix, np.array(task, dtype=int),
                            np.array(physics, dtype=float), np.log([m.lifetime_h for m in measured]),
                            np.array([m.censored for m in measured], dtype=bool), 1 + len(tasks),
                            self.space.trend_frame)

    def candidate_features(self, condition: Condition | None = None) -> np.ndarray:
        """The space's features as the model sees them: with the context input when it uses one."""
        if not self._uses_context():
            return self.space.features
        context = np.array(condition.context(self.condition) if condition else (0.0, 0.0)) * CONTEXT_SCALE
        return np.hstack([self.space.features, np.broadcast_to(context, (len(self.space.features), 2))])

    def _extras(self) -> decisions.Extras:
        cells = [(self.space.index_of(m.recipe), m) for m in sorted(self._measurements, key=_row_key)]
        overpotential = [(i, m.overpotential_mv) for i, m in cells
                         if m.overpotential_mv is not None and not m.failed and self._at_target(m)]
        return decisions.build_extras(self.objective, self.space.features, cells, self.learn_failures, overpotential,
                                      self._thickness_nm())

    def _thickness_nm(self) -> np.ndarray:
        if self._space_thickness is None:
            self._space_thickness = np.array([r.thickness_nm for r in self.space.recipes()])
        return self._space_thickness

    def _fitted(self) -> _Fit:
        if self._fit is None:
            observations = self.observations()
            physics, alone = physics_guard(observations)
            candidates = self.physics_index()
            if not physics.keep:
                observations, candidates = without_physics(observations), np.zeros(len(candidates))
            model, transfer = fit_with_transfer(observations, alone)
            n = len(self.space.recipes())
            posterior = CandidatePosterior(model, self.candidate_features(), np.zeros(n, dtype=int), candidates)
            self._fit = _Fit(model, physics, transfer, posterior, self.data_fingerprint, self._extras(),
                             self._uses_context(), tuple(key for key, _ in self._tasks()))
        return self._fit

    def _rng(self, purpose: str) -> np.random.Generator:
        digest = hashlib.sha256(f"{self.data_fingerprint}|{purpose}".encode()).digest()
        return np.random.default_rng([self.seed, int.from_bytes(digest[:8], "little")])

    def _interval_h(self, mean: float, var: float, noise_sd: float) -> tuple[float, float]:
        # a new cell's log lifetime ~ N(μ, σ_f² + σ_noise²)
        sd = math.sqrt(var + noise_sd**2)
        return (math.exp(mean - Z90 * sd), math.exp(mean + Z90 * sd))

    def _indices(self, recipes: Iterable[Recipe], what: str) -> list[int]:
        out = []
        for recipe in recipes:
            index = self.space.index_of(recipe)
            if index is None:
                raise CampaignError(f"{what} recipe {recipe} lies outside this campaign's design space")
            out.append(index)
        return out

    # --- decisions ---------------------------------------------------------------------------

    @_one_blas_thread
    def ask(self, count: int, pending: Sequence[Recipe] = (), replicates: bool = False) -> list[Proposal]:
        """The next ``count`` recipes to make, given ``pending`` experiments already under way."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise CampaignError(f"count must be a whole number >= 1, got {count!r}")
        pending_index = self._indices(pending, "pending")
        state = self._fitted()
        base = state.posterior
        posterior = base.copy()
        noise_var = state.model.noise_sd(0) ** 2
        measured = sorted({self.space.index_of(m.recipe) for m in self._measurements if m.failed or self._at_target(m)})
        available = np.ones(len(base.mean), dtype=bool)
        if not replicates:
            available[measured] = False
            available[pending_index] = False
        bounds = {}
        for m in self._measurements:
            if m.censored and self._at_target(m):
                i = self.space.index_of(m.recipe)
                bounds[i] = max(bounds.get(i, -math.inf), math.log(m.lifetime_h))
        # pending cells as fantasies: a running one is known to outlive its bound, E[y | y > b]
        for i in pending_index:
            value = posterior.mean[i]
            if i in bounds:
                value = truncated_mean(value, math.sqrt(posterior.var[i] + noise_var), bounds[i])
            posterior.condition(i, value, noise_var)
        seen = set(measured) | set(pending_index)
        rng = self._rng(f"ask:{self.acquisition}:{count}:{sorted(pending_index)}:{replicates}")
        hyper = state.hyperparameters()
        proposals = []
        # With no cell of its own yet, every second pick of the batch (every pick without physics) fills
        # the space's interior instead of following the prior: a hedge against physics that points wrong.
        exploring = not any(self._at_target(m) for m in self._measurements)
        spaced = available if replicates else available & self._spacing_mask(seen)
        front_points = self._front_points(state, pending_index)
        for k in range(count):
            if not available.any():
                break
            allowed = spaced if spaced.any() else available
            if exploring and (k % 2 == 1 or self.physics is None):
                values = np.where(allowed, space_filling_distance(self.space.features, sorted(seen)), -np.inf)
                if state.extras.feasible is not None:
                    values = values * state.extras.feasible
            else:
                values = self._acquisition(state, posterior, allowed, seen, rng, front_points)
            i = int(np.argmax(values))
            mean, var = float(base.mean[i]), float(base.var[i])
            proposals.append(Proposal(self.space.recipes()[i], math.exp(mean), self._interval_h(mean, var, state.model.noise_sd(0)),
                                      float(values[i]), self.seed, state.fingerprint, hyper, self.acquisition))
            # kriging believer: a cell at the posterior mean, with the cell-to-cell scatter
            posterior.condition(i, float(posterior.mean[i]), noise_var)
            if front_points is not None:
                front_points = np.vstack([front_points, [posterior.mean[i], -state.extras.op_mean[i]]])
            seen.add(i)
            if not replicates:
                available[i] = False
                spaced &= self._spacing_mask([i])
        if not proposals:
            raise CampaignError("every recipe in the design space is measured or pending; ask with replicates=True")
        return proposals

    def _front_points(self, state: _Fit, pending: list[int]) -> np.ndarray | None:
        """For a Pareto pair: the measured (and pending) recipes at their predicted (ln lifetime, −ln overpotential)."""
        if not self.objective.pareto:
            return None
        rows = sorted({self.space.index_of(m.recipe) for m in self._measurements if not m.failed and self._at_target(m)}
                      | set(pending))
        return np.column_stack([state.posterior.mean[rows], -state.extras.op_mean[rows]]).reshape(-1, 2)

    def _acquisition(self, state: _Fit, posterior: CandidatePosterior, allowed: np.ndarray, seen: set, rng,
                     front_points: np.ndarray | None) -> np.ndarray:
        if front_points is not None:
            reference = decisions.reference_point(state.posterior.mean, state.extras.op_mean)
            return decisions.pareto_scores(posterior.mean, np.sqrt(posterior.var), state.extras, front_points, allowed,
                                           reference)
        incumbent = float(posterior.mean[sorted(seen)].max()) if seen else float(posterior.mean.max())
        return decisions.weighted(scores(posterior, self.acquisition, allowed, incumbent, rng), state.extras)

    def _spacing_mask(self, chosen: Iterable[int]) -> np.ndarray:
        """Recipes at least MIN_SPACING away, in feature space, from every chosen one."""
        features = self.space.features
        far = np.ones(len(features), dtype=bool)
        for i in chosen:
            far &= ((features - features[i]) ** 2).sum(axis=1) >= MIN_SPACING**2
        return far

    @_one_blas_thread
    def recommend(self, condition: Condition | None = None) -> Recommendation:
        """The best predicted recipe, how sure the model is, a conservative pick and the best observed cell.

        For a Pareto pair also the predicted Pareto set; under a constraint the best recipe predicted to
        satisfy it with probability ≥ 0.9; never a recipe with P(feasible) < 0.5. ``condition`` asks for
        another test condition than the campaign's target.
        """
        state = self._fitted()
        try:
            condition = Condition.from_dict(condition)
        except ConditionError as error:
            raise CampaignError(str(error)) from None
        posterior, note = self._posterior_at(state, condition)
        extras = state.extras
        allowed = decisions.allowed_to_recommend(extras, len(posterior.mean))
        sd = np.sqrt(posterior.var)
        extra: dict[str, Any] = {}
        pareto_rows: list[int] = []
        # the model's best recipe, measured or not: the lab asks what to make, not which cell was luckiest
        if self.objective.constraint is not None:
            best, sure = decisions.constrained_choice(posterior.mean, extras, allowed)
            extra["constraint"] = str(self.objective.constraint)
            extra["constraint_probability"] = float(extras.satisfied[best])
            extra["constraint_confident"] = sure
        elif self.objective.pareto:
            pareto_rows = decisions.pareto_choice(posterior.mean, extras, allowed)
            best = pareto_rows[0]
        else:
            best = int(np.argmax(np.where(allowed, posterior.mean, -np.inf)))
        # conservative: the highest 5th percentile of the median lifetime
        lower = np.where(allowed, posterior.mean - Z90 * sd, -np.inf)
        conservative = int(np.argmax(lower))
        _, winners = self._best_draws(posterior, best)
        probability = float(np.mean(winners == best))
        observed = None
        finished = [m for m in self._measurements if not m.failed]
        if finished:
            top = max(finished, key=lambda m: (m.lifetime_h, m.censored))
            observed = BestObserved(top.recipe, float(top.lifetime_h), top.censored)
        mean, var = float(posterior.mean[best]), float(posterior.var[best])
        noise_sd = state.model.noise_sd(0)
        extra.update(self._recommendation_extra(state, best, condition, note))
        pareto = [self._pareto_entry(state, posterior, i, noise_sd) for i in pareto_rows]
        return Recommendation(self.space.recipes()[best], math.exp(mean), self._interval_h(mean, var, noise_sd), probability,
                              self.space.recipes()[conservative], math.exp(float(lower[conservative])), observed,
                              state.fingerprint, state.hyperparameters(), extra=extra, pareto=pareto)

    def _posterior_at(self, state: _Fit, condition: Condition | None) -> tuple[CandidatePosterior, str | None]:
        """The candidates' posterior at ``condition`` (the target's when None or equal)."""
        if condition is None or self.condition is None or condition == self.condition:
            note = None if condition is None or self.condition is not None else "the campaign has no target condition"
            return state.posterior, note
        key = next((t for t, k in enumerate(state.tasks, start=1)
                    if k[0] == self.space.metal and (k[2], k[3]) == (condition.current_ma_cm2, condition.capacity_mah_cm2)), 0)
        if not state.context and key == 0:
            return state.posterior, f"no cells at {condition}: the target condition's predictions"
        n = len(self.space.recipes())
        posterior = CandidatePosterior(state.model, self.candidate_features(condition), np.full(n, key, dtype=int),
                                       state.posterior.physics)
        return posterior, None if key else f"no cells at {condition}: predicted through the condition input"

    def _recommendation_extra(self, state: _Fit, best: int, condition: Condition | None, note: str | None) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        extras = state.extras
        if not self.objective.plain:
            extra["objective"] = self.objective.as_dict()
        if self.condition is not None or condition is not None:
            extra["condition"] = (condition or self.condition).as_dict()
        if note:
            extra["note"] = note
        if extras.feasible is not None:
            extra["probability_feasible"] = float(extras.feasible[best])
        if extras.op_mean is not None:
            extra.update(decisions.overpotential_view(extras, best))
        return extra

    def _pareto_entry(self, state: _Fit, posterior: CandidatePosterior, i: int, noise_sd: float) -> dict[str, Any]:
        recipe = self.space.recipes()[i]
        mean, var = float(posterior.mean[i]), float(posterior.var[i])
        entry = {"_recipe": recipe, "recipe": str(recipe), "ald_cycles": recipe.ald_cycles, "mld_cycles": recipe.mld_cycles,
                 "supercycles": recipe.supercycles, "predicted_lifetime_h": math.exp(mean),
                 "interval_h": list(self._interval_h(mean, var, noise_sd))}
        entry.update(decisions.overpotential_view(state.extras, i))
        if state.extras.feasible is not None:
            entry["probability_feasible"] = float(state.extras.feasible[i])
        return entry

    def _best_draws(self, posterior: CandidatePosterior, best: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The most promising recipes (and ``best``, by default the model's best) and, per joint posterior
        draw, which of them won."""
        sd = np.sqrt(posterior.var)
        count = min(BEST_CANDIDATES, len(sd))
        anchor = int(np.argmax(posterior.mean)) if best is None else best
        rows = np.union1d(np.argpartition(-(posterior.mean + 3.0 * sd), count - 1)[:count], [anchor])
        draws = posterior.sample(rows, BEST_DRAWS, self._rng("recommend"))
        return rows, rows[np.argmax(draws, axis=1)]

    @_one_blas_thread
    def landscape(self) -> dict[str, Any]:
        """What to draw: lifetime against thickness for the best units, the physics prior's shape along the
        best unit, the best lifetime per unit (with P(feasible) once a cell failed), the probability of being
        best of the top recipes, survival by recipe and the best cell so far."""
        state = self._fitted()
        posterior, recipes = state.posterior, self.space.recipes()
        # a new cell's spread: the model's uncertainty and the cell-to-cell scatter, as in the proposals
        sd = np.sqrt(posterior.var + state.model.noise_sd(0) ** 2)
        rows, winners = self._best_draws(posterior)
        best = recipes[int(np.argmax(posterior.mean))]
        prior = None if self.physics is None else landscape.prior_shape(
            recipes, self.physics_index(), (best.ald_cycles, best.mld_cycles))
        return {"curves": landscape.unit_curves(recipes, posterior.mean, sd, Z90), "prior": prior,
                "unit_map": landscape.unit_map(recipes, posterior.mean, state.extras.feasible),
                "probability_best": landscape.probability_best(recipes, rows, winners, posterior.mean),
                # failed cells say nothing of a lifetime
                "survival": landscape.kaplan_meier([m for m in self._measurements if not m.failed]),
                "progress": landscape.progress([m for m in self._measurements if not m.failed])}

    @_one_blas_thread
    def predict(self, recipes: Sequence[Recipe]) -> list[dict[str, Any]]:
        """Predicted median lifetime and 90 % interval of a new cell for each recipe in the space."""
        state = self._fitted()
        index = np.array(self._indices(recipes, "predicted"), dtype=int)
        noise_sd = state.model.noise_sd(0)
        out = []
        for i in index:
            mean, var = float(state.posterior.mean[i]), float(state.posterior.var[i])
            out.append({"recipe": str(self.space.recipes()[i]), "predicted_lifetime_h": math.exp(mean),
                        "interval_h": list(self._interval_h(mean, var, noise_sd))})
        return out
