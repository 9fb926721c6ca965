"""Baseline planners for the closed loop: what a lab would use instead of Interlayer.

Each has the planner protocol of ``closed_loop`` (ask, tell, recommend) and recommends its best
observed recipe (a censored cell counts as its bound): random search over the enumerated recipes,
scikit-optimize's GP with constant-liar batches (cl_min), and Optuna's TPE with constant liar.
Optuna is optional (the ``bench`` and ``test`` extras); it is imported when its planner is made.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from interlayer.models.recipe import Recipe
from interlayer.surrogate.space import DesignSpace

from .closed_loop import CellResult


class RecommendsBestCell:
    """Baselines recommend the recipe with the longest observed lifetime (a censored cell as its bound)."""

    def __init__(self):
        self.best: CellResult | None = None

    def observe(self, results: list[CellResult]) -> None:
        self.remember_first(results)
        for result in results:
            if result.failed:
                continue
            if self.best is None or result.lifetime_h > self.best.lifetime_h:
                self.best = result

    def recommend(self) -> Recipe:
        return self.best.recipe if self.best is not None else self.first

    def remember_first(self, results: list[CellResult]) -> None:
        if results and not hasattr(self, "first"):
            self.first = results[0].recipe


class RandomPlanner(RecommendsBestCell):
    """Uniform draws from the enumerated recipes, without replacement."""

    def __init__(self, space: DesignSpace, seed: int):
        super().__init__()
        recipes = space.recipes()
        order = np.random.default_rng(seed).permutation(len(recipes))
        self.queue = [recipes[i] for i in order]

    def ask(self, count: int) -> list[Recipe]:
        batch, self.queue = self.queue[:count], self.queue[count:]
        return batch

    def tell(self, results: list[CellResult]) -> None:
        self.observe(results)


class SkoptPlanner(RecommendsBestCell):
    """scikit-optimize's GP Optimizer on (a, b, n) with the space's feasibility as a constraint; batches by cl_min."""

    def __init__(self, space: DesignSpace, seed: int):
        from skopt import Optimizer
        from skopt.space import Integer
        super().__init__()
        self.space = space
        feasible = {(r.ald_cycles, r.mld_cycles, r.supercycles) for r in space.recipes()}
        # the box the recipes are drawn from; the thickness band is the constraint
        box = [Integer(space.min_ald_cycles, space.max_ald_cycles, name="ald_cycles"),
               Integer(space.min_mld_cycles, space.max_mld_cycles, name="mld_cycles"),
               Integer(1, space.max_supercycles, name="supercycles")]
        self.optimizer = Optimizer(box, base_estimator="gp", random_state=seed,
                                   space_constraint=lambda x: tuple(int(v) for v in x) in feasible)

    def ask(self, count: int) -> list[Recipe]:
        with warnings.catch_warnings():
            # skopt warns when it swaps a repeated point for a random one; that is its documented behaviour
            warnings.simplefilter("ignore", UserWarning)
            points = self.optimizer.ask(n_points=count, strategy="cl_min")
        return [Recipe(self.space.metal, *(int(v) for v in p)) for p in points]

    def tell(self, results: list[CellResult]) -> None:
        self.observe(results)
        # skopt minimizes: the objective is -ln(lifetime), a censored cell at its bound; a failed cell
        # at the worst value seen (a constant-liar penalty, as is usual for failed runs)
        worst = max([-math.log(r.lifetime_h) for r in results if not r.failed] + [0.0])
        self.optimizer.tell([[r.recipe.ald_cycles, r.recipe.mld_cycles, r.recipe.supercycles] for r in results],
                            [worst if r.failed else -math.log(r.lifetime_h) for r in results])


class OptunaPlanner(RecommendsBestCell):
    """Optuna's TPE (constant liar for pending trials); n ranges over the supercycles that keep the thickness in band."""

    def __init__(self, space: DesignSpace, seed: int):
        import optuna
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        super().__init__()
        self.space = space
        self.study = optuna.create_study(direction="maximize",
                                         sampler=optuna.samplers.TPESampler(seed=seed, constant_liar=True))
        self.supercycles = {}
        for r in space.recipes():
            low, high = self.supercycles.get((r.ald_cycles, r.mld_cycles), (r.supercycles, r.supercycles))
            self.supercycles[(r.ald_cycles, r.mld_cycles)] = (min(low, r.supercycles), max(high, r.supercycles))
        self.pending = []

    def _suggest(self, trial) -> Recipe:
        units = sorted(self.supercycles)
        a = trial.suggest_int("ald_cycles", min(u[0] for u in units), max(u[0] for u in units))
        b = trial.suggest_int("mld_cycles", min(u[1] for u in units), max(u[1] for u in units))
        if (a, b) not in self.supercycles:
            # a unit with no feasible thickness: take the nearest feasible unit
            a, b = min(units, key=lambda u: (u[0] - a) ** 2 + (u[1] - b) ** 2)
        low, high = self.supercycles[(a, b)]
        return Recipe(self.space.metal, a, b, trial.suggest_int(f"supercycles_{a}_{b}", low, high))

    def ask(self, count: int) -> list[Recipe]:
        self.pending = [self.study.ask() for _ in range(count)]
        return [self._suggest(trial) for trial in self.pending]

    def tell(self, results: list[CellResult]) -> None:
        self.observe(results)
        for trial, result in zip(self.pending, results):
            if result.failed:
                self.study.tell(trial, state=optuna_failed())
            else:
                self.study.tell(trial, math.log(result.lifetime_h))
        self.pending = []


def optuna_failed():
    import optuna
    return optuna.trial.TrialState.FAIL


class BaybeParetoPlanner:
    """BayBE's Pareto campaign (ParetoObjective → qLogNEHVI, its default for several targets) over the
    enumerated recipes, described by ln thickness, ln unit period and inorganic fraction; targets ln
    lifetime (maximized; a censored cell at its bound) and ln overpotential (minimized). It recommends
    its observed non-dominated cells."""

    def __init__(self, space: DesignSpace, seed: int, **_):
        import pandas as pd
        from baybe import Campaign
        from baybe.objectives import ParetoObjective
        from baybe.parameters import NumericalDiscreteParameter
        from baybe.searchspace import SearchSpace
        from baybe.targets import NumericalTarget
        from baybe.utils.random import set_random_seed
        set_random_seed(seed)
        rows = [(round(math.log(r.thickness_nm), 9), round(math.log(r.unit_period_nm), 9), round(r.inorganic_fraction, 9))
                for r in space.recipes()]
        self.recipe_of = dict(zip(rows, space.recipes()))
        frame = pd.DataFrame(rows, columns=["ln_thickness", "ln_period", "fraction"])
        parameters = [NumericalDiscreteParameter(name, sorted(set(frame[name]))) for name in frame.columns]
        objective = ParetoObjective([NumericalTarget("ln_lifetime"), NumericalTarget("ln_overpotential", minimize=True)])
        self.campaign = Campaign(SearchSpace.from_dataframe(frame, parameters), objective)
        self.asked: dict = {}
        self.cells: list[CellResult] = []
        self.pareto: tuple = ()

    def ask(self, count: int) -> list[Recipe]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = self.campaign.recommend(batch_size=count)
        out = []
        for row in frame.itertuples(index=False):
            recipe = self.recipe_of[(round(row.ln_thickness, 9), round(row.ln_period, 9), round(row.fraction, 9))]
            self.asked[recipe] = (row.ln_thickness, row.ln_period, row.fraction)
            out.append(recipe)
        return out

    def tell(self, results: list[CellResult]) -> None:
        import pandas as pd
        rows = [(*self.asked[r.recipe], math.log(r.lifetime_h), math.log(r.overpotential_mv)) for r in results if not r.failed]
        self.cells.extend(r for r in results if not r.failed)
        if rows:
            self.campaign.add_measurements(pd.DataFrame(rows, columns=["ln_thickness", "ln_period", "fraction", "ln_lifetime",
                                                                       "ln_overpotential"]))

    def recommend(self) -> Recipe:
        from interlayer.surrogate.pareto import front
        points = np.array([(math.log(c.lifetime_h), -math.log(c.overpotential_mv)) for c in self.cells])
        self.pareto = tuple(self.cells[i].recipe for i in front(points))
        return self.pareto[0]
