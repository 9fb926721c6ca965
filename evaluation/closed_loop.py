"""The closed loop: a planner proposes recipes, a (simulated) lab tests them, the planner learns.

A planner is anything with ``ask(count) -> list[Recipe]``, ``tell(results)`` (a list of
``CellResult``) and ``recommend() -> Recipe``. ``InterlayerPlanner`` wraps an in-memory
``Campaign``; ``baselines`` has the others; the demo and the service tests drive a campaign on the
service through the same loop. ``run_loop`` is deterministic given the seed: each cell's scatter
comes from its own generator keyed by (seed, recipe, replicate), so two planners that test the same
recipe see the same cell.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np

from interlayer.models.recipe import Recipe
from interlayer.surrogate.campaign import Campaign
from interlayer.surrogate.condition import Condition
from interlayer.surrogate.measurement import Measurement
from interlayer.surrogate.simulations import LocalSimulations
from interlayer.surrogate.space import DesignSpace

Lab = Callable[[str, int, int, int, np.random.Generator], tuple[float, bool]]


@dataclass(frozen=True)
class CellResult:
    """One tested cell: its lifetime in hours, a lower bound when ``censored``; ``failed`` cells have none."""

    recipe: Recipe
    lifetime_h: float | None
    censored: bool
    overpotential_mv: float | None = None
    failed: bool = False
    condition: tuple[float, float] | None = None


@dataclass(frozen=True)
class LoopRound:
    """The state after one batch: experiments used so far and the planner's recommended recipe."""

    round: int
    experiments: int
    recommended: Recipe
    results: tuple[CellResult, ...]
    pareto: tuple[Recipe, ...] = ()


class Planner(Protocol):
    def ask(self, count: int) -> list[Recipe]: ...
    def tell(self, results: list[CellResult]) -> None: ...
    def recommend(self) -> Recipe: ...


@cache
def local_simulations() -> LocalSimulations:
    """This process's physics runs, shared by every campaign it benchmarks: each seed's prior needs
    the same deterministic runs (about 10 s of them per metal)."""
    return LocalSimulations()


class InterlayerPlanner:
    """A ``Campaign`` driven as a planner; ``options`` go to the Campaign (e.g. ``related=``)."""

    def __init__(self, space: DesignSpace, seed: int, **options):
        options.setdefault("simulations", local_simulations())
        self.campaign = Campaign(space, seed=seed, **options)
        self.pareto: tuple[Recipe, ...] = ()

    def ask(self, count: int) -> list[Recipe]:
        return [proposal.recipe for proposal in self.campaign.ask(count)]

    def tell(self, results: list[CellResult]) -> None:
        self.campaign.tell([as_measurement(r) for r in results])

    def recommend(self) -> Recipe:
        recommendation = self.campaign.recommend()
        self.pareto = tuple(recommendation.pareto_recipes)
        return recommendation.recipe


def as_measurement(result: CellResult) -> Measurement:
    """A tested cell as the campaign takes it: today's (hours, censored) or with state, overpotential and condition."""
    condition = None if result.condition is None else Condition(*result.condition)
    if result.failed:
        return Measurement(result.recipe, None, state="failed", failure_reason="did not coat", condition=condition)
    return Measurement(result.recipe, result.lifetime_h, result.censored, result.overpotential_mv, condition=condition)


def cell_result(lab, metal: str, recipe: Recipe, rng: np.random.Generator,
                condition: tuple[float, float] | None) -> CellResult:
    """One cell from ``lab``: a (hours, censored) pair or a mapping {lifetime_h, censored, overpotential_mv, failed}."""
    key = (recipe.ald_cycles, recipe.mld_cycles, recipe.supercycles)
    out = lab(metal, *key, rng) if condition is None else lab(metal, *key, rng, condition=condition)
    if isinstance(out, Mapping):
        failed = bool(out.get("failed", False))
        hours = out.get("lifetime_h")
        return CellResult(recipe, None if failed or hours is None else float(hours), bool(out.get("censored", False)),
                          out.get("overpotential_mv"), failed, condition)
    lifetime_h, censored = out
    return CellResult(recipe, float(lifetime_h), bool(censored), condition=condition)


def cell_rng(seed: int, recipe: Recipe, replicate: int) -> np.random.Generator:
    """The generator of one cell's scatter: the same seed, recipe and replicate give the same cell."""
    return np.random.default_rng([seed, recipe.ald_cycles, recipe.mld_cycles, recipe.supercycles, replicate])


def run_loop(planner: Planner, lab: Lab, space: DesignSpace, *, budget: int, batch: int, seed: int,
             condition: tuple[float, float] | None = None) -> Iterator[LoopRound]:
    """Ask ``batch`` recipes, test them in ``lab`` (at ``condition`` when given), tell, recommend; repeat
    until ``budget`` cells are used."""
    tested: Counter = Counter()
    experiments = 0
    round_number = 0
    while experiments < budget:
        count = min(batch, budget - experiments)
        results = []
        for recipe in planner.ask(count)[:count]:
            key = (recipe.ald_cycles, recipe.mld_cycles, recipe.supercycles)
            results.append(cell_result(lab, space.metal, recipe, cell_rng(seed, recipe, tested[key]), condition))
            tested[key] += 1
        planner.tell(results)
        experiments += len(results)
        round_number += 1
        recommended = planner.recommend()
        yield LoopRound(round_number, experiments, recommended, tuple(results), tuple(getattr(planner, "pareto", ())))


def truth_table(lab, space: DesignSpace, condition: tuple[float, float] | None = None) -> dict[tuple[int, int, int], float]:
    """Noise-free lifetime (hours) of every recipe in ``space``, from ``lab.truth`` (hours, or a mapping with lifetime_h)."""
    return {key: value["lifetime_h"] if isinstance(value, Mapping) else float(value)
            for key, value in outcome_table(lab, space, condition).items()}


def outcome_table(lab, space: DesignSpace, condition: tuple[float, float] | None = None) -> dict[tuple[int, int, int], object]:
    """``lab.truth`` of every recipe in ``space``: hours, or {lifetime_h, overpotential_mv}."""
    out = {}
    for r in space.recipes():
        key = (r.ald_cycles, r.mld_cycles, r.supercycles)
        out[key] = lab.truth(space.metal, *key) if condition is None else lab.truth(space.metal, *key, condition=condition)
    return out

