"""The strongest peers as closed-loop baselines: BayBE and Ax (both on BoTorch; the ``bench`` extra and PyTorch's CPU build).

- ``BaybePlanner``: a BayBE ``Campaign`` over the enumerated recipes, given as (ALD cycles, MLD cycles,
  ln thickness) rows of a discrete search space (``SearchSpace.from_dataframe``); its default
  recommender (random initial batch, then BoTorch's GP with qLogEI). BayBE has no model-best call,
  so it recommends its best observed cell.
- ``AxPlanner``: Ax's ``Client`` over a = 1..max, b = 1..max (integers) and ln thickness (continuous);
  a suggestion snaps to the nearest whole number of supercycles of its unit inside the space. It
  recommends Ax's model-predicted best parameterization (``get_best_parameterization``), snapped.

Both are told ln lifetime, a censored cell at its bound (as the other baselines). Both are imported
when their planner is made, so the runner needs neither unless asked for them (``--methods baybe,ax``).
"""

from __future__ import annotations

import logging
import math
import warnings

from interlayer.models.recipe import Recipe
from interlayer.surrogate.space import DesignSpace

from .baselines import RecommendsBestCell
from .closed_loop import CellResult

TARGET = "ln_lifetime"
# Ax's quasi-random start: one batch of the runner's default size
INITIAL_POINTS = 4


def _quiet() -> None:
    """BayBE, Ax and BoTorch log and warn at every step; the runner prints its own table."""
    warnings.filterwarnings("ignore")
    import torch
    # one thread per run: the runner's workers are the parallelism (a 2-core machine, shared)
    torch.set_num_threads(1)
    for name in [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("ax", "baybe", "botorch", "gpytorch")]:
        logging.getLogger(name).setLevel(logging.ERROR)


class BaybePlanner(RecommendsBestCell):
    """BayBE's Campaign on the enumerated recipes as (a, b, ln t) rows; recommends the best observed cell."""

    def __init__(self, space: DesignSpace, seed: int):
        import pandas as pd
        from baybe import Campaign
        from baybe.parameters import NumericalDiscreteParameter
        from baybe.searchspace import SearchSpace
        from baybe.targets import NumericalTarget
        from baybe.utils.random import set_random_seed
        _quiet()
        super().__init__()
        self.space = space
        recipes = space.recipes()
        self.frame = pd.DataFrame({"ald_cycles": [float(r.ald_cycles) for r in recipes],
                                   "mld_cycles": [float(r.mld_cycles) for r in recipes],
                                   "ln_thickness": [round(math.log(r.thickness_nm), 9) for r in recipes]})
        self.lookup = {self._key(row): recipe for row, recipe in zip(self.frame.itertuples(index=False), recipes)}
        parameters = [NumericalDiscreteParameter(name, values=tuple(sorted(set(self.frame[name]))))
                      for name in self.frame.columns]
        set_random_seed(seed)
        self.campaign = Campaign(SearchSpace.from_dataframe(self.frame, parameters), NumericalTarget(name=TARGET),
                                 allow_recommending_already_measured=False)
        self.pd = pd

    @staticmethod
    def _key(row) -> tuple:
        return (int(round(row[0])), int(round(row[1])), round(float(row[2]), 6))

    def ask(self, count: int) -> list[Recipe]:
        batch = self.campaign.recommend(batch_size=count)
        return [self.lookup[self._key(row)] for row in batch[list(self.frame.columns)].itertuples(index=False)]

    def tell(self, results: list[CellResult]) -> None:
        self.observe(results)
        rows = [{"ald_cycles": float(r.recipe.ald_cycles), "mld_cycles": float(r.recipe.mld_cycles),
                 "ln_thickness": round(math.log(r.recipe.thickness_nm), 9), TARGET: math.log(r.lifetime_h)} for r in results]
        self.campaign.add_measurements(self.pd.DataFrame(rows))


class AxPlanner:
    """Ax's Client on (a, b, ln t), snapped to whole supercycles; recommends its model-predicted best."""

    def __init__(self, space: DesignSpace, seed: int):
        import ax.service.utils.best_point  # noqa: F401  (its logger too)
        from ax.api.client import Client
        from ax.api.configs import RangeParameterConfig
        _quiet()
        self.space = space
        self.units = {}
        for r in space.recipes():
            self.units.setdefault((r.ald_cycles, r.mld_cycles), []).append(r)
        low = min(math.log(r.thickness_nm) for r in space.recipes())
        high = max(math.log(r.thickness_nm) for r in space.recipes())
        self.client = Client(random_seed=seed)
        self.client.configure_experiment(parameters=[
            RangeParameterConfig(name="ald_cycles", parameter_type="int", bounds=(space.min_ald_cycles, space.max_ald_cycles)),
            RangeParameterConfig(name="mld_cycles", parameter_type="int", bounds=(space.min_mld_cycles, space.max_mld_cycles)),
            RangeParameterConfig(name="ln_thickness", parameter_type="float", bounds=(low, high))])
        self.client.configure_optimization(objective=TARGET)
        # one batch of Sobol points (no lone centre point first), then BoTorch: batches stay whole
        self.client.configure_generation_strategy(method="fast", initialization_budget=INITIAL_POINTS,
                                                  initialization_random_seed=seed, initialize_with_center=False)
        self.pending: list[int] = []
        self.best: Recipe | None = None

    def snap(self, parameters) -> Recipe:
        """The recipe of the nearest unit in the space with the supercycle count nearest to the asked thickness."""
        a, b = int(parameters["ald_cycles"]), int(parameters["mld_cycles"])
        if (a, b) not in self.units:
            a, b = min(self.units, key=lambda u: (u[0] - a) ** 2 + (u[1] - b) ** 2)
        wanted = float(parameters["ln_thickness"])
        return min(self.units[(a, b)], key=lambda r: abs(math.log(r.thickness_nm) - wanted))

    def ask(self, count: int) -> list[Recipe]:
        trials = self.client.get_next_trials(max_trials=count)
        self.pending = list(trials)
        return [self.snap(trials[i]) for i in self.pending]

    def tell(self, results: list[CellResult]) -> None:
        for index, result in zip(self.pending, results):
            self.client.complete_trial(trial_index=index, raw_data={TARGET: math.log(result.lifetime_h)})
            if self.best is None or result.lifetime_h > self.best[1]:
                self.best = (result.recipe, result.lifetime_h)
        self.pending = []

    def recommend(self) -> Recipe:
        try:
            parameters, _, _, _ = self.client.get_best_parameterization(use_model_predictions=True)
        except Exception:  # Ax raises several kinds when it has no model yet: fall back to the best cell
            return self.best[0]
        return self.snap(parameters)
