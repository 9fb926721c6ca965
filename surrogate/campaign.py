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

The campaign holds state: its space, options and cells (``tell``), the physics runs its prior needs
(``simulation_requests``) and the data fingerprint. The work is done elsewhere, along BayBE's seam:
``fit(results)`` builds a ``Fit`` from explicit inputs (``fit.py``, cached by what it was built from);
``ask`` selects a batch (``batch.py``), ``recommend`` and ``predict`` read the fit
(``recommendation.py``), ``landscape`` draws it (``landscape.py``). Each takes a ``fit`` already built
for the current cells, or builds one.

- Physics results come from the caller (``fit(results)``: the service passes its stored simulation
  jobs' results, after checking they are all done) or, when none are given, from ``simulations``, a
  ``SimulationSource``: by default a ``LocalSimulations`` that runs them here. ``physics=None`` uses
  no physics at all.
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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from interlayer.models.recipe import Recipe

from .acquisition import ACQUISITIONS
from .batch import Proposal, select_batch
from .condition import Condition, ConditionError
from .fit import CampaignError, Fit, FitCache, one_blas_thread
from .gp_prior import Observations
from .landscape import landscape
from .measurement import Measurement, MeasurementError, check_in_space, fingerprint, merge_reports
from .objective import Objective, ObjectiveError
from .observations import FitInputs, observations, related_recipes
from .physics import PhysicsPrior, SimulationRequest, SuppressionPrior
from .recommendation import Recommendation, predict, recommend
from .simulations import LocalSimulations, SimulationSource
from .space import DesignSpace

DEFAULT_PHYSICS = SuppressionPrior()


class Campaign:
    """Bayesian optimization of one metal's recipe over ``space`` (in memory; the service stores it)."""

    def __init__(self, space: DesignSpace, *, seed: int = 0, physics: PhysicsPrior | None = DEFAULT_PHYSICS,
                 related: Sequence[Measurement] = (), simulations: SimulationSource | None = None,
                 acquisition: str = "ucb", objective: Objective | str | None = None,
                 condition: Condition | None = None, learn_failures: bool = True, fits: FitCache | None = None):
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
        # fits by what they were built from: a campaign's own by default, a worker process's shared one
        self.fits = fits if fits is not None else FitCache()
        # the current cells' fit inputs, until ``tell`` changes them: their fingerprint hashes every cell
        # (4 ms at 500 cells), and a job asks for them at each of fit, ask, recommend and landscape
        self._inputs: FitInputs | None = None

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
            check_in_space(report.recipe, self.space)
        self._measurements = merge_reports(self._measurements, reports)
        self._inputs = None

    # --- physics -----------------------------------------------------------------------------

    def simulation_requests(self) -> list[SimulationRequest]:
        """The physics runs the prior needs for this space and the related measurements (pure: nothing runs)."""
        if self.physics is None:
            return []
        wanted = set(self.physics.requests(self.space.metal, self.space.recipes()))
        for metal in self._related_metals:
            wanted.update(self.physics.requests(metal, related_recipes(self.related, metal)))
        return sorted(wanted, key=lambda q: (q.model, q.metal, q.recipe, q.parameters))

    def _results(self) -> Mapping[SimulationRequest, dict]:
        # asked once per campaign: the space, the related cells and so the requests are fixed
        if self._simulation_results is None:
            self._simulation_results = self.simulations.results(self.simulation_requests())
        return self._simulation_results

    # --- model -------------------------------------------------------------------------------

    def fit_inputs(self) -> FitInputs:
        """What a fit of the current cells is built from (besides the physics results)."""
        if self._inputs is None:
            self._inputs = FitInputs(self.space, self.physics, tuple(self._measurements), self.related, self.objective,
                                     self.condition, self.learn_failures, self.data_fingerprint)
        return self._inputs

    def fit(self, results: Mapping[SimulationRequest, dict] | None = None) -> Fit:
        """The surrogate fitted to the current cells: from the cache when these inputs were fitted before.

        ``results`` are the physics results of ``simulation_requests()``; by default they are asked of
        ``simulations``, and only when a model has to be built.
        """
        inputs = self.fit_inputs()
        return self.fits.fit(inputs, (lambda: results) if results is not None else self._results)

    def observations(self) -> Observations:
        """The GP's rows for the current cells (with the physics of ``simulations``)."""
        inputs = self.fit_inputs()
        return observations(inputs, self.fits.view(inputs, self._results))

    def _current(self, fit: Fit | None) -> Fit:
        if fit is None:
            return self.fit()
        if fit.inputs.key != self.fit_inputs().key:
            raise CampaignError("the fit given was built from other cells than the campaign's current ones")
        return fit

    # --- decisions ---------------------------------------------------------------------------

    @one_blas_thread
    def ask(self, count: int, pending: Sequence[Recipe] = (), replicates: bool = False, *,
            fit: Fit | None = None) -> list[Proposal]:
        """The next ``count`` recipes to make, given ``pending`` experiments already under way."""
        return select_batch(self._current(fit), count, pending, replicates, seed=self.seed, acquisition=self.acquisition)

    @one_blas_thread
    def recommend(self, condition: Condition | None = None, *, fit: Fit | None = None) -> Recommendation:
        """The best predicted recipe, how sure the model is, a conservative pick and the best observed cell.

        For a Pareto pair also the predicted Pareto set; under a constraint the best recipe predicted to
        satisfy it with probability ≥ 0.9; never a recipe with P(feasible) < 0.5. ``condition`` asks for
        another test condition than the campaign's target.
        """
        return recommend(self._current(fit), self.seed, condition)

    @one_blas_thread
    def landscape(self, *, fit: Fit | None = None) -> dict[str, Any]:
        """What to draw (``landscape.landscape``)."""
        return landscape(self._current(fit), self.seed)

    @one_blas_thread
    def predict(self, recipes: Sequence[Recipe], *, fit: Fit | None = None) -> list[dict[str, Any]]:
        """Predicted median lifetime and 90 % interval of a new cell for each recipe in the space."""
        return predict(self._current(fit), recipes)
